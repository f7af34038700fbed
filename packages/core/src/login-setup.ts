import type { CreateTokenInput, CreateTokenResult, TokenPair } from './tokens.js';

export interface LoginContext {
  /** The client's IP address, for the per-IP limit. Without it only the per-account limit applies. */
  ip?: string;
  /** The client's User-Agent header, for logins that record sessions (`@apojwt/postgres`); the password login ignores it. */
  userAgent?: string;
}

/** `apo.login(username, password, { ip })`: the tokens (the pair when refresh is configured). */
export type LoginFunction<HasRefresh extends boolean> = (username: string, password: string, context?: LoginContext) => Promise<CreateTokenResult<HasRefresh>>;

/** What a login setup is given: the instance, to issue the tokens. */
export interface LoginIssuer {
  createToken(input?: CreateTokenInput<string, object, object>): string | TokenPair;
}

/**
 * What the `login` option and `configLogin` take: a function that builds the
 * login of an instance, such as `passwordLogin({ getUser })` from
 * @apojwt/auth. Core checks no password itself: it has no bcrypt and no
 * rate limiter, so a service that only verifies tokens installs neither.
 */
export type LoginSetup = (apo: LoginIssuer) => LoginFunction<boolean>;
