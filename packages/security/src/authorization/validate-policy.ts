import { authorizationOptionsSchema, matchGlob, type AuthorizationRuleConfig } from '@gopher-mcp/core';

import { jsonEqual } from '../internal/claims.js';
import { DEFAULT_RULE } from './policy.js';

/** One problem of a policy, with its path inside the authorization options. */
export interface PolicyIssue {
  readonly path: ReadonlyArray<string | number>;
  readonly message: string;
}

const WILDCARD = /[*?]/;
const isUniversal = (glob: string): boolean => glob === '*' || glob === '**';

/** Whether every value `specific` matches is matched by `general` (conservative: false when unsure). */
function globCovers(general: string, specific: string): boolean {
  if (general === specific || isUniversal(general)) return true;
  if (!WILDCARD.test(specific)) return matchGlob(general, specific);
  // `prefix**` matches anything that starts with a literal prefix.
  if (general.endsWith('**') && !WILDCARD.test(general.slice(0, -2))) return specific.startsWith(general.slice(0, -2));
  return false;
}

/** Whether the glob list `general` (undefined: no condition) matches everything `specific` does. */
function listCovers(general: readonly string[] | undefined, specific: readonly string[] | undefined): boolean {
  if (general === undefined) return true;
  if (general.some(isUniversal)) return true;
  if (specific === undefined) return false;
  return specific.every((s) => general.some((g) => globCovers(g, s)));
}

const needsPrincipal = (rule: AuthorizationRuleConfig): boolean =>
  rule.roles !== undefined || rule.scopes !== undefined || rule.claims !== undefined;

/** Whether `earlier` matches every request and principal `later` matches, so `later` is never reached. */
function shadows(earlier: AuthorizationRuleConfig, later: AuthorizationRuleConfig): boolean {
  // Subject: roles are any-of, scopes all-of, claims all-of.
  if (earlier.roles !== undefined) {
    if (earlier.roles.includes('*')) {
      if (!needsPrincipal(later)) return false;
    } else if (later.roles === undefined || later.roles.includes('*') || !later.roles.every((r) => earlier.roles?.includes(r))) {
      return false;
    }
  }
  if (earlier.scopes !== undefined && (later.scopes === undefined || !earlier.scopes.every((s) => later.scopes?.includes(s)))) return false;
  if (earlier.claims !== undefined) {
    const laterClaims = later.claims;
    if (laterClaims === undefined) return false;
    for (const [name, value] of Object.entries(earlier.claims)) {
      if (!Object.hasOwn(laterClaims, name) || !jsonEqual(laterClaims[name], value)) return false;
    }
  }
  // Object: methods, then targets (alternatives).
  if (!listCovers(earlier.methods, later.methods)) return false;
  const earlierTargets = earlier.tools !== undefined || earlier.resources !== undefined || earlier.prompts !== undefined;
  if (!earlierTargets) return true;
  const laterTargets = later.tools !== undefined || later.resources !== undefined || later.prompts !== undefined;
  if (!laterTargets) return false;
  for (const kind of ['tools', 'resources', 'prompts'] as const) {
    const specific = later[kind];
    if (specific === undefined) continue;
    const general = earlier[kind];
    if (general === undefined || !listCovers(general, specific)) return false;
  }
  return true;
}

/**
 * Checks a policy at load: rule names unique and not `default`, no empty condition list (it
 * would match nothing), no role outside `roles` (when given), no rule made unreachable by an
 * earlier rule that matches everything it matches. Returns every issue found.
 */
export function validatePolicy(options: { readonly rules: readonly AuthorizationRuleConfig[]; readonly roles?: readonly string[] | undefined }): PolicyIssue[] {
  const issues: PolicyIssue[] = [];
  const names = new Map<string, number>();
  const known = options.roles === undefined ? undefined : new Set(options.roles);
  options.rules.forEach((rule, index) => {
    if (rule.name === DEFAULT_RULE) {
      issues.push({ path: ['rules', index, 'name'], message: `"${DEFAULT_RULE}" is reserved for the implicit deny-all rule` });
    }
    const first = names.get(rule.name);
    if (first !== undefined) issues.push({ path: ['rules', index, 'name'], message: `duplicate rule name "${rule.name}" (also rules.${first})` });
    else names.set(rule.name, index);
    for (const field of ['roles', 'scopes', 'methods', 'tools', 'resources', 'prompts'] as const) {
      if (rule[field]?.length === 0) issues.push({ path: ['rules', index, field], message: 'an empty list matches nothing: omit it or list values' });
    }
    if (rule.claims !== undefined && Object.keys(rule.claims).length === 0) {
      issues.push({ path: ['rules', index, 'claims'], message: 'an empty claims condition: omit it' });
    }
    if (known !== undefined) {
      rule.roles?.forEach((role, roleIndex) => {
        if (role !== '*' && !known.has(role)) {
          issues.push({ path: ['rules', index, 'roles', roleIndex], message: `unknown role "${role}" (known: ${[...known].join(', ') || 'none'})` });
        }
      });
    }
    for (let earlier = 0; earlier < index; earlier++) {
      const previous = options.rules[earlier] as AuthorizationRuleConfig;
      if (shadows(previous, rule)) {
        issues.push({
          path: ['rules', index],
          message: `unreachable: rule "${previous.name}" (rules.${earlier}) matches everything rule "${rule.name}" matches`,
        });
        break;
      }
    }
  });
  return issues;
}

/**
 * The authorization options schema with the policy checks of {@link validatePolicy}: what the
 * factory and `FilterManager.fromConfig` validate with, so a bad policy fails at construction
 * with a ConfigError naming each path.
 */
export const authorizationPolicySchema = authorizationOptionsSchema.superRefine((options, ctx) => {
  for (const issue of validatePolicy(options)) ctx.addIssue({ code: 'custom', message: issue.message, path: [...issue.path] });
});
