// The fixtures every suite (and every adapter's own tests) share: distinctive
// secrets (so a leak into an answer is easy to spot), a frozen clock, the
// options every instance starts from, and the invalid tokens a guard refuses.
import { ApoJwt, type ApoJwtOptions } from '@apojwt/core';

/** The access-token secret of every instance built from {@link BASE}. */
export const SECRET = 'conformance-access-secret-0123456789-abcdefghij';
/** The refresh-token secret ({@link REFRESH}); distinct, so a refresh token is no access token. */
export const REFRESH_SECRET = 'conformance-refresh-secret-0123456789-klmnopqr';
/** The instant {@link clock} starts from and is reset to before each test. */
export const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

/** The frozen clock every instance reads; tests move it, never sleep. */
export const clock = { ms: T0 };

/** Options every instance under test starts from: HS256, issuer, audience, the admin permission, the frozen clock. */
export const BASE = {
  secret: SECRET,
  iss: 'auth.example',
  serverAudience: 'orders-api',
  adminPermission: 'admin',
  now: () => clock.ms,
} satisfies ApoJwtOptions;

/** Refresh tokens for {@link BASE}: own secret, 2 s reuse grace (tests move the clock past it). */
export const REFRESH = { refreshSecret: REFRESH_SECRET, reuseGracePeriod: 2 };

/**
 * Tokens that must all be refused with 401 invalid_token, each by its own
 * check (`code` is the ApoJwtError code the answer carries). `valid` mints a
 * valid access token of the instance under test, `refreshToken` one of its
 * refresh tokens. Calling `token()` may move {@link clock} (the expired case):
 * reset it to {@link T0} before each entry.
 */
export function invalidTokens(valid: () => string, refreshToken: () => string): { name: string; code: string; token: () => string }[] {
  const other = (options: Partial<ApoJwtOptions>) => new ApoJwt({ ...BASE, ...options }).createToken({ sub: 'user-1', permissions: ['orders:read'] }) as string;
  return [
    {
      // Same kid as the service's key, another secret: refused at the signature step.
      name: 'a bad signature',
      code: 'ERR_SIGNATURE_INVALID',
      token: () => other({ secret: 'another-secret-of-enough-length-0123456789', kid: headerOf(valid())['kid'] as string }),
    },
    {
      name: 'an expired token',
      code: 'ERR_TOKEN_EXPIRED',
      token: () => {
        const token = valid();
        clock.ms += 901_000;
        return token;
      },
    },
    { name: 'a token not yet valid', code: 'ERR_TOKEN_NOT_YET_VALID', token: () => other({ now: () => clock.ms + 3_600_000 }) },
    { name: 'a wrong issuer', code: 'ERR_CLAIM_INVALID', token: () => other({ iss: 'someone-else' }) },
    { name: 'a wrong audience', code: 'ERR_CLAIM_INVALID', token: () => other({ serverAudience: 'billing-api' }) },
    // With its own refresh secret, the service holds no key for the refresh token's kid.
    { name: 'a refresh token used as an access token', code: 'ERR_KEY_UNKNOWN', token: refreshToken },
    {
      // Signed with the access key itself: only the explicit token type tells them apart.
      name: 'a refresh token signed with the access key',
      code: 'ERR_TOKEN_TYPE_INVALID',
      token: () => new ApoJwt(BASE).configRefresh({ refreshSecret: SECRET }).createToken({ sub: 'user-1', permissions: ['orders:read'] }).refreshToken,
    },
    { name: 'garbage', code: 'ERR_TOKEN_MALFORMED', token: () => 'abc.def.ghi' },
    { name: 'a token over maxTokenBytes', code: 'ERR_TOKEN_TOO_LARGE', token: () => 'a'.repeat(9000) },
    { name: 'characters outside base64url', code: 'ERR_TOKEN_MALFORMED', token: () => 'ab$c.d%ef.g*h' },
  ];
}

/** A token's payload, decoded without verifying (to read `jti`, `fam`). */
export function payloadOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** A token's protected header, decoded without verifying (to read `kid`). */
export function headerOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[0] as string, 'base64url').toString('utf8')) as Record<string, unknown>;
}
