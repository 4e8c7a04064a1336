/** S3 error codes that authentication and payload verification can produce. */
export const AUTH_ERROR_STATUS = {
  AccessDenied: 403,
  AuthorizationHeaderMalformed: 400,
  AuthorizationQueryParametersError: 400,
  BadDigest: 400,
  EntityTooLarge: 400,
  EntityTooSmall: 400,
  ExpiredToken: 400,
  IncompleteBody: 400,
  InvalidAccessKeyId: 403,
  InvalidArgument: 400,
  InvalidDigest: 400,
  InvalidPolicyDocument: 400,
  InvalidRequest: 400,
  MissingContentLength: 411,
  MissingSecurityHeader: 400,
  NotImplemented: 501,
  RequestTimeTooSkewed: 403,
  SignatureDoesNotMatch: 403,
  UnsupportedAuthorization: 400,
  XAmzContentSHA256Mismatch: 400,
} as const;

export type AuthErrorCode = keyof typeof AUTH_ERROR_STATUS;

/**
 * A typed authentication failure. `code` is the S3 error code string the client must see;
 * `message` is safe to send to the client (it never contains secrets).
 */
export class AuthError extends Error {
  override readonly name = "AuthError";
  readonly code: AuthErrorCode;

  constructor(code: AuthErrorCode, message: string) {
    super(message);
    this.code = code;
  }

  /** The HTTP status AWS uses for this code. */
  get status(): number {
    return AUTH_ERROR_STATUS[this.code];
  }
}

export function isAuthError(e: unknown): e is AuthError {
  return e instanceof AuthError;
}
