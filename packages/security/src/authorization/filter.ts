import {
  ErrorCode,
  parseWithSchema,
  type AuthorizationConfig,
  type AuthorizationConfigInput,
  type Exchange,
  type FilterDefinition,
  type FilterSetup,
  type MessageView,
  type PhasedExchange,
  type PhasedFilter,
  type Principal,
  type RequestVerdict,
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

/** What the authorization filter keeps from a list request for its response. */
interface ListRequest {
  readonly method: string;
  readonly principal: Principal | undefined;
}

/** The authorization filter: RBAC over the principal the authentication filter set. */
export class AuthorizationFilter implements PhasedFilter<ListRequest> {
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

  /** The request phase: the policy's decision; remembers the principal of a list request whose result is filtered. */
  onRequest(exchange: PhasedExchange<ListRequest>): RequestVerdict {
    const { message, context } = exchange;
    // Responses and server-to-client traffic are not requests of the principal.
    if (context.direction === 'outbound' || (message.kind !== 'request' && message.kind !== 'notification')) return undefined;
    const principal = context.principal;
    const decision = this.policy.decide(principal, message);
    if (decision.effect === 'deny') {
      this.counters.denied++;
      this.setup.emit('authorization_denied', { rule: decision.rule, method: message.method });
      return exchange.deny(ErrorCode.FORBIDDEN, forbiddenMessage(decision), this.denialData(decision, exchange));
    }
    this.counters.allowed++;
    // Only list results are filtered: other exchanges keep no state and their responses pass as they come.
    if (this.config.filterLists && isFilteredList(message.method)) exchange.state = { method: message.method as string, principal };
    return undefined;
  }

  /** The response phase: a list result filtered to what the principal may use. */
  onResponse(exchange: PhasedExchange<ListRequest>, response: MessageView | undefined): MessageView | undefined {
    const list = exchange.state;
    return list === undefined ? response : this.filterList(list.method, response, list.principal);
  }

  /** The list result showing only what `principal` may use (see {@link filterListResult}). */
  private filterList(method: string, response: MessageView | undefined, principal: Principal | undefined): MessageView | undefined {
    if (response === undefined || response.kind !== 'result') return response;
    const filtered = filterListResult(method, response, principal, this.policy);
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
