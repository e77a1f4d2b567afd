import { matchAnyGlob, type AuthorizationRuleConfig, type Principal } from '@gopher-mcp/core';

import { claimsSatisfy } from '../internal/claims.js';

/** What a request asks for, as the policy sees it. */
export interface AccessRequest {
  readonly method?: string | undefined;
  readonly toolName?: string | undefined;
  readonly resourceUri?: string | undefined;
  readonly promptName?: string | undefined;
}

/** The outcome of a policy for one request. */
export interface AccessDecision {
  readonly effect: 'allow' | 'deny';
  /** The rule that decided; `default` when none matched. */
  readonly rule: string;
  /**
   * On a denial: the scopes of the first `allow` rule above the deciding one that failed only
   * because the principal lacks some of them (every other condition held). Drives the
   * `insufficient_scope` challenge (the scopes the operation needs).
   */
  readonly requiredScopes?: readonly string[];
}

/** The name of the implicit last rule: deny everything. */
export const DEFAULT_RULE = 'default';

interface CompiledRule {
  readonly name: string;
  readonly allow: boolean;
  readonly anyRole: boolean;
  readonly roles: ReadonlySet<string> | undefined;
  readonly scopes: readonly string[] | undefined;
  readonly claims: ReadonlyArray<readonly [string, unknown]> | undefined;
  readonly methods: readonly string[] | undefined;
  readonly tools: readonly string[] | undefined;
  readonly resources: readonly string[] | undefined;
  readonly prompts: readonly string[] | undefined;
  readonly hasTargets: boolean;
  readonly needsPrincipal: boolean;
}

function compile(rule: AuthorizationRuleConfig): CompiledRule {
  return {
    name: rule.name,
    allow: rule.effect === 'allow',
    anyRole: rule.roles?.includes('*') ?? false,
    roles: rule.roles === undefined ? undefined : new Set(rule.roles),
    scopes: rule.scopes,
    claims: rule.claims === undefined ? undefined : Object.entries(rule.claims),
    methods: rule.methods,
    tools: rule.tools,
    resources: rule.resources,
    prompts: rule.prompts,
    hasTargets: rule.tools !== undefined || rule.resources !== undefined || rule.prompts !== undefined,
    needsPrincipal: rule.roles !== undefined || rule.scopes !== undefined || rule.claims !== undefined,
  };
}

/** Whether the rule's object part (method, tool, resource, prompt) matches the request. */
function objectMatches(rule: CompiledRule, request: AccessRequest): boolean {
  if (rule.methods !== undefined && (request.method === undefined || !matchAnyGlob(rule.methods, request.method))) return false;
  if (!rule.hasTargets) return true;
  // Targets are alternatives: a rule naming tools and prompts matches a matching tool call or a matching prompt.
  if (rule.tools !== undefined && request.toolName !== undefined && matchAnyGlob(rule.tools, request.toolName)) return true;
  if (rule.resources !== undefined && request.resourceUri !== undefined && matchAnyGlob(rule.resources, request.resourceUri)) return true;
  if (rule.prompts !== undefined && request.promptName !== undefined && matchAnyGlob(rule.prompts, request.promptName)) return true;
  return false;
}

/** Whether the rule's subject part, scopes aside, matches the principal. */
function subjectMatchesBesidesScopes(rule: CompiledRule, principal: Principal | undefined): boolean {
  if (!rule.needsPrincipal) return true;
  if (principal === undefined) return false;
  if (rule.roles !== undefined && !rule.anyRole && !principal.roles.some((role) => (rule.roles as ReadonlySet<string>).has(role))) return false;
  if (rule.claims !== undefined && !claimsSatisfy(principal.claims, rule.claims)) return false;
  return true;
}

function hasScopes(rule: CompiledRule, principal: Principal | undefined): boolean {
  if (rule.scopes === undefined) return true;
  if (principal === undefined) return false;
  return rule.scopes.every((scope) => principal.scopes.includes(scope));
}

/**
 * An RBAC policy: rules that allow or deny by role (any of), scope (all of) and claim over MCP
 * method, tool name, resource URI and prompt name (core's globs). The first matching rule
 * decides; when none matches the request is denied by the rule `default`.
 */
export class Policy {
  private readonly rules: readonly CompiledRule[];

  constructor(rules: readonly AuthorizationRuleConfig[]) {
    this.rules = rules.map(compile);
  }

  /** The decision for `principal` (undefined: anonymous) making `request`. */
  decide(principal: Principal | undefined, request: AccessRequest): AccessDecision {
    let scopeHint: readonly string[] | undefined;
    for (const rule of this.rules) {
      if (!objectMatches(rule, request)) continue;
      if (!subjectMatchesBesidesScopes(rule, principal)) continue;
      if (hasScopes(rule, principal)) {
        if (rule.allow) return { effect: 'allow', rule: rule.name };
        return scopeHint === undefined ? { effect: 'deny', rule: rule.name } : { effect: 'deny', rule: rule.name, requiredScopes: scopeHint };
      }
      if (rule.allow && scopeHint === undefined) scopeHint = rule.scopes;
    }
    return scopeHint === undefined ? { effect: 'deny', rule: DEFAULT_RULE } : { effect: 'deny', rule: DEFAULT_RULE, requiredScopes: scopeHint };
  }

  /** Whether `principal` may make `request`. */
  allows(principal: Principal | undefined, request: AccessRequest): boolean {
    return this.decide(principal, request).effect === 'allow';
  }
}
