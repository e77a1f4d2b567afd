/** Why a credential was refused: a stable code, safe to log and to show (it never holds the credential). */
export type AuthenticationFailureReason =
  | 'missing_credentials'
  | 'multiple_credentials'
  | 'malformed_token'
  | 'token_too_large'
  | 'algorithm_not_allowed'
  | 'invalid_signature'
  | 'unknown_key'
  | 'keys_unavailable'
  | 'expired'
  | 'not_yet_valid'
  | 'no_expiry'
  | 'issued_in_future'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'wrong_type'
  | 'missing_claim'
  | 'no_subject'
  | 'inactive_token'
  | 'introspection_failed'
  | 'unsupported_token'
  | 'invalid_api_key'
  | 'invalid_client_certificate';

/** The OAuth error code (RFC 6750 section 3.1) each reason is reported with; `undefined`: no error code. */
const ERROR_CODES: Readonly<Record<AuthenticationFailureReason, 'invalid_request' | 'invalid_token' | undefined>> = {
  missing_credentials: undefined,
  multiple_credentials: 'invalid_request',
  malformed_token: 'invalid_token',
  token_too_large: 'invalid_token',
  algorithm_not_allowed: 'invalid_token',
  invalid_signature: 'invalid_token',
  unknown_key: 'invalid_token',
  keys_unavailable: 'invalid_token',
  expired: 'invalid_token',
  not_yet_valid: 'invalid_token',
  no_expiry: 'invalid_token',
  issued_in_future: 'invalid_token',
  wrong_issuer: 'invalid_token',
  wrong_audience: 'invalid_token',
  wrong_type: 'invalid_token',
  missing_claim: 'invalid_token',
  no_subject: 'invalid_token',
  inactive_token: 'invalid_token',
  introspection_failed: 'invalid_token',
  unsupported_token: 'invalid_token',
  invalid_api_key: 'invalid_token',
  invalid_client_certificate: 'invalid_token',
};

/** The `error_description` of each reason: fixed text, never derived from the credential. */
const DESCRIPTIONS: Readonly<Record<AuthenticationFailureReason, string>> = {
  missing_credentials: 'no credentials',
  multiple_credentials: 'more than one credential was presented',
  malformed_token: 'the token is malformed',
  token_too_large: 'the token is too large',
  algorithm_not_allowed: 'the token algorithm is not allowed',
  invalid_signature: 'the token signature is invalid',
  unknown_key: 'no key matches the token',
  keys_unavailable: 'the token could not be verified',
  expired: 'the token has expired',
  not_yet_valid: 'the token is not yet valid',
  no_expiry: 'the token has no expiry',
  issued_in_future: 'the token was issued in the future',
  wrong_issuer: 'the token issuer is not accepted',
  wrong_audience: 'the token audience is not this resource',
  wrong_type: 'the token type is not accepted',
  missing_claim: 'the token lacks a required claim',
  no_subject: 'the token has no subject',
  inactive_token: 'the token is not active',
  introspection_failed: 'the token could not be verified',
  unsupported_token: 'the token cannot be verified here',
  invalid_api_key: 'the API key is not valid',
  invalid_client_certificate: 'the client certificate is not valid',
};

/** A refused credential. Its message is the fixed description of the reason: never the credential. */
export class AuthenticationFailure extends Error {
  override readonly name = 'AuthenticationFailure';
  /** `invalid_token`, `invalid_request`, or undefined when no credential was presented. */
  readonly error: 'invalid_request' | 'invalid_token' | undefined;

  constructor(readonly reason: AuthenticationFailureReason) {
    super(DESCRIPTIONS[reason]);
    this.error = ERROR_CODES[reason];
  }
}
