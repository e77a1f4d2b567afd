import {
  ErrorCode,
  parseWithSchema,
  type AuthorizationConfig,
  type AuthorizationConfigInput,
  type Exchange,
  type Filter,
  type FilterDefinition,
  type FilterSetup,
  type MessageView,
  type Next,
} from '@gopher-mcp/core';

import { AUTHENTICATION_CHALLENGE } from '../authentication/filter.js';
import { buildWwwAuthenticate, type ChallengeOptions } from '../authentication/www-authenticate.js';
import { filterListResult, isFilteredList } from './list-filter.js';
import { Policy, type AccessDecision } from './policy.js';
import { authorizationPolicySchema } from './validate-policy.js';

/** Options of {@link authorization} (see `authorizationOptionsSchema`). */
export type AuthorizationOptions = AuthorizationConfigInput;

/** Counters of the authorization filter. */
export interface AuthorizationStats {
  readonly allowed: number;
  readonly denied: number;
  /** List items hidden from principals. */
  readonly hiddenItems: number;
}

/** The authorization filter: RBAC over the principal the authentication filter set. */
export class AuthorizationFilter implements Filter {
  readonly type = 'authorization';
  readonly failClosed = true;
  readonly policy: Policy;
  private counters = { allowed: 0, denied: 0, hiddenItems: 0 };

  constructor(
    readonly config: AuthorizationConfig,
    private readonly setup: Pick<FilterSetup, 'emit'>,
  ) {
    this.policy = new Policy(config.rules);
  }

  async handle(exchange: Exchange, next: Next): Promise<MessageView | undefined> {
    const { message, context } = exchange;
    // Responses and server-to-client traffic are not requests of the principal.
    if (context.direction === 'outbound' || (message.kind !== 'request' && message.kind !== 'notification')) return next();
    const principal = context.principal;
    const decision = this.policy.decide(principal, message);
    if (decision.effect === 'deny') {
      this.counters.denied++;
      this.setup.emit('authorization_denied', { rule: decision.rule, method: message.method });
      return exchange.deny(ErrorCode.FORBIDDEN, forbiddenMessage(decision), this.denialData(decision, exchange));
    }
    this.counters.allowed++;
    const response = await next();
    if (!this.config.filterLists || response === undefined || response.kind !== 'result' || !isFilteredList(message.method)) return response;
    const filtered = filterListResult(message.method as string, response, principal, this.policy);
    if (filtered.removed > 0) this.counters.hiddenItems += filtered.removed;
    return filtered.response;
  }

  getStats(): AuthorizationStats {
    return { ...this.counters };
  }

  private denialData(decision: AccessDecision, exchange: Exchange): Record<string, unknown> {
    if (decision.requiredScopes === undefined) return { rule: decision.rule };
    const fromAuthentication = exchange.context.attributes.get(AUTHENTICATION_CHALLENGE);
    const challenge: ChallengeOptions = {
      ...fromAuthentication,
      ...(this.config.realm === undefined ? {} : { realm: this.config.realm }),
      ...(this.config.resourceMetadataUrl === undefined ? {} : { resourceMetadataUrl: this.config.resourceMetadataUrl }),
      scheme: 'Bearer',
    };
    return {
      rule: decision.rule,
      wwwAuthenticate: buildWwwAuthenticate(challenge, {
        error: 'insufficient_scope',
        errorDescription: 'the token lacks a scope this operation needs',
        scope: decision.requiredScopes,
      }),
    };
  }
}

function forbiddenMessage(decision: AccessDecision): string {
  return decision.rule === 'default' ? 'forbidden: no rule allows this (default deny)' : `forbidden by rule "${decision.rule}"`;
}

/** Validates authorization options, policy checks included, into an {@link AuthorizationConfig}. */
export function parseAuthorizationOptions(options: AuthorizationOptions): AuthorizationConfig {
  return parseWithSchema(authorizationPolicySchema, options, 'authorization options');
}

/**
 * The authorization filter (fail-closed): RBAC rules over method, tool, resource and prompt,
 * first match wins, default deny (403, `data.rule`; `insufficient_scope` challenge when a scope
 * was what was missing), and list results filtered to what the principal may use. The policy is
 * validated here: a bad one throws a ConfigError naming each path.
 */
export function authorization(options: AuthorizationOptions): FilterDefinition {
  const config = parseAuthorizationOptions(options);
  return {
    type: 'authorization',
    ...(config.name === undefined ? {} : { name: config.name }),
    create: (setup) => new AuthorizationFilter(config, setup),
  };
}
