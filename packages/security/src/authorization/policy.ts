import type { AuthorizationRuleConfig, Principal } from '@gopher-mcp/core';

import { claimsSatisfy } from '../internal/claims.js';
import { compileGlobs, type GlobMatcher } from '../internal/glob-matcher.js';

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
  readonly methods: GlobMatcher | undefined;
  readonly tools: GlobMatcher | undefined;
  readonly resources: GlobMatcher | undefined;
  readonly prompts: GlobMatcher | undefined;
  readonly hasTargets: boolean;
  readonly needsPrincipal: boolean;
  /** The decision of this rule when it decides without a scope hint (made once: decisions are read-only). */
  readonly decision: AccessDecision;
}

function compile(rule: AuthorizationRuleConfig): CompiledRule {
  const allow = rule.effect === 'allow';
  return {
    name: rule.name,
    allow,
    anyRole: rule.roles?.includes('*') ?? false,
    roles: rule.roles === undefined ? undefined : new Set(rule.roles),
    scopes: rule.scopes,
    claims: rule.claims === undefined ? undefined : Object.entries(rule.claims),
    methods: rule.methods === undefined ? undefined : compileGlobs(rule.methods),
    tools: rule.tools === undefined ? undefined : compileGlobs(rule.tools),
    resources: rule.resources === undefined ? undefined : compileGlobs(rule.resources),
    prompts: rule.prompts === undefined ? undefined : compileGlobs(rule.prompts),
    hasTargets: rule.tools !== undefined || rule.resources !== undefined || rule.prompts !== undefined,
    needsPrincipal: rule.roles !== undefined || rule.scopes !== undefined || rule.claims !== undefined,
    decision: Object.freeze({ effect: allow ? 'allow' : 'deny', rule: rule.name }),
  };
}

/** Whether the rule's object part (method, tool, resource, prompt) matches the request. */
function objectMatches(rule: CompiledRule, request: AccessRequest): boolean {
  if (rule.methods !== undefined && (request.method === undefined || !rule.methods(request.method))) return false;
  if (!rule.hasTargets) return true;
  // Targets are alternatives: a rule naming tools and prompts matches a matching tool call or a matching prompt.
  if (rule.tools !== undefined && request.toolName !== undefined && rule.tools(request.toolName)) return true;
  if (rule.resources !== undefined && request.resourceUri !== undefined && rule.resources(request.resourceUri)) return true;
  if (rule.prompts !== undefined && request.promptName !== undefined && rule.prompts(request.promptName)) return true;
  return false;
}

/** Whether the principal holds any role of `roles`. */
function holdsAnyRole(principal: Principal, roles: ReadonlySet<string>): boolean {
  const held = principal.roles;
  for (let i = 0; i < held.length; i++) if (roles.has(held[i] as string)) return true;
  return false;
}

/** Whether the rule's subject part, scopes aside, matches the principal. */
function subjectMatchesBesidesScopes(rule: CompiledRule, principal: Principal | undefined): boolean {
  if (!rule.needsPrincipal) return true;
  if (principal === undefined) return false;
  if (rule.roles !== undefined && !rule.anyRole && !holdsAnyRole(principal, rule.roles)) return false;
  if (rule.claims !== undefined && !claimsSatisfy(principal.claims, rule.claims)) return false;
  return true;
}

function hasScopes(rule: CompiledRule, principal: Principal | undefined): boolean {
  const scopes = rule.scopes;
  if (scopes === undefined) return true;
  if (principal === undefined) return false;
  for (let i = 0; i < scopes.length; i++) if (!principal.scopes.includes(scopes[i] as string)) return false;
  return true;
}

/** The decision of the implicit last rule when no scope hint was found. */
const DEFAULT_DENY: AccessDecision = Object.freeze({ effect: 'deny', rule: DEFAULT_RULE });

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
    const rules = this.rules;
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i] as CompiledRule;
      if (!objectMatches(rule, request)) continue;
      if (!subjectMatchesBesidesScopes(rule, principal)) continue;
      if (hasScopes(rule, principal)) {
        if (rule.allow || scopeHint === undefined) return rule.decision;
        return { effect: 'deny', rule: rule.name, requiredScopes: scopeHint };
      }
      if (rule.allow && scopeHint === undefined) scopeHint = rule.scopes;
    }
    return scopeHint === undefined ? DEFAULT_DENY : { effect: 'deny', rule: DEFAULT_RULE, requiredScopes: scopeHint };
  }

  /** Whether `principal` may make `request`. */
  allows(principal: Principal | undefined, request: AccessRequest): boolean {
    return this.decide(principal, request).effect === 'allow';
  }
}
