import {
  authenticationOptionsSchema,
  tlsTerminationOptionsSchema,
  type AuthenticationConfig,
  type AuthorizationConfig,
  type FilterFactory,
  type FilterFamily,
  type TlsTerminationConfig,
} from '@gopher-mcp/core';

import { authentication } from './authentication/filter.js';
import { authorization } from './authorization/filter.js';
import { authorizationPolicySchema } from './authorization/validate-policy.js';
import { tlsTermination } from './tls/filter.js';

const authenticationFactory: FilterFactory<AuthenticationConfig> = {
  type: 'authentication',
  schema: authenticationOptionsSchema,
  define: (options) => authentication(options),
};

const authorizationFactory: FilterFactory<AuthorizationConfig> = {
  type: 'authorization',
  // The policy checks (unknown roles, unreachable rules, ...) run when the config is loaded.
  schema: authorizationPolicySchema,
  define: (options) => authorization(options),
};

const tlsTerminationFactory: FilterFactory<TlsTerminationConfig> = {
  type: 'tls_termination',
  schema: tlsTerminationOptionsSchema,
  define: (options) => tlsTermination(options),
};

/** The security family: what `FilterManager.fromConfig` registers for `security.*` sections. */
export const family: FilterFamily = {
  name: 'security',
  packageName: '@gopher-mcp/security',
  factories: [tlsTerminationFactory, authenticationFactory, authorizationFactory],
};
