import { createHmac, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { ACCESS_TOKEN_TYPE, type ApoJwtOptions, type JwkSet, type PublicJwk } from '@apojwt/core';
import { testClock, type TestClock } from './clock.js';

/**
 * Tokens with whatever claims a test needs, on a key made for the test and
 * thrown away with it. The token is signed here, by hand (JWS compact
 * serialisation, RFC 7515 §7.1), not through an ApoJwt instance: a test can
 * then mint what an issuer never would (an expired token, a wrong audience,
 * a missing `jti`, a foreign `typ`) and see the service refuse it.
 */

export type TestAlgorithm = 'HS256' | 'ES256';

export interface TestIssuerOptions {
  /** HS256 (default: a random 32-byte secret) or ES256 (a fresh P-256 key pair). */
  algorithm?: TestAlgorithm;
  /** `iss` written and expected; default `https://issuer.test`. */
  iss?: string;
  /** `aud` written and expected; default `['api.test']`. A string is one audience. */
  audience?: string | readonly string[];
  /** Seconds from `iat` to `exp`; default 900. */
  expPeriod?: number;
  /** The clock `iat`/`nbf`/`exp` are read from; default a new frozen `testClock()`. */
  clock?: TestClock;
  /** Key id in every header; default `test-hs256` / `test-es256`. */
  kid?: string;
}

/**
 * Claims of a minted token. Each one given replaces the default; one given
 * as `undefined` is left out of the token (to test a missing `jti`, `exp`…).
 */
export type TestClaims = Record<string, unknown> & {
  sub?: string | undefined;
  perms?: readonly string[] | undefined;
  data?: object | undefined;
};

/** Options for `createApoJwt` that verify this issuer's tokens: spread them in. */
export type TestVerifierOptions = Pick<ApoJwtOptions, 'secret' | 'kid' | 'algorithm' | 'publicKeys' | 'jwksUri' | 'now'> & Pick<Required<ApoJwtOptions>, 'iss' | 'serverAudience'>;

export interface TestIssuer {
  readonly algorithm: TestAlgorithm;
  readonly iss: string;
  readonly audience: readonly string[];
  readonly kid: string;
  readonly clock: TestClock;
  /** A signed access token: defaults (`sub`, `perms: []`, `data: {}`, times, `iss`, `aud`, `jti`) overridden by `claims`; `header` likewise over `{ alg, typ: 'at+jwt', kid }`. */
  token(claims?: TestClaims, header?: Record<string, unknown>): string;
  /** `Bearer <token>`, for an Authorization header. */
  bearer(claims?: TestClaims): string;
  /** Verifier options for this key; with `jwksUri` (ES256 only), the keys are fetched from there instead of given. */
  verifierOptions(options?: { jwksUri?: string | URL }): TestVerifierOptions;
  /** The public JWK Set (ES256 only: a secret is never published). */
  jwks(): JwkSet;
}

const DEFAULT_ISS = 'https://issuer.test';
const DEFAULT_AUDIENCE = ['api.test'];

export function testIssuer(options: TestIssuerOptions = {}): TestIssuer {
  const algorithm = options.algorithm ?? 'HS256';
  if (algorithm !== 'HS256' && algorithm !== 'ES256') throw new TypeError('testIssuer: algorithm must be HS256 or ES256');
  const iss = options.iss ?? DEFAULT_ISS;
  const audience = Object.freeze(typeof options.audience === 'string' ? [options.audience] : [...(options.audience ?? DEFAULT_AUDIENCE)]);
  if (typeof iss !== 'string' || iss.length === 0) throw new TypeError('testIssuer: iss must be a non-empty string');
  if (audience.length === 0 || !audience.every((a) => typeof a === 'string' && a.length > 0)) throw new TypeError('testIssuer: audience must be non-empty strings');
  const expPeriod = options.expPeriod ?? 900;
  if (!Number.isInteger(expPeriod) || expPeriod <= 0) throw new TypeError('testIssuer: expPeriod must be a positive integer (seconds)');
  const clock = options.clock ?? testClock();
  const kid = options.kid ?? (algorithm === 'HS256' ? 'test-hs256' : 'test-es256');
  const key = algorithm === 'HS256' ? hmacKey() : ecKey(kid);

  function token(claims: TestClaims = {}, header: Record<string, unknown> = {}): string {
    const now = clock.seconds();
    const defaults = { sub: 'test-user', iss, aud: [...audience], iat: now, nbf: now, exp: now + expPeriod, perms: [], data: {}, jti: randomBytes(16).toString('base64url') };
    const payload = withoutUndefined({ ...defaults, ...claims });
    const head = withoutUndefined({ alg: algorithm, typ: ACCESS_TOKEN_TYPE, kid, ...header });
    const input = `${encode(head)}.${encode(payload)}`;
    return `${input}.${key.sign(input)}`;
  }

  return Object.freeze({
    algorithm,
    iss,
    audience,
    kid,
    clock,
    token,
    bearer: (claims?: TestClaims) => `Bearer ${token(claims)}`,
    verifierOptions(verifier: { jwksUri?: string | URL } = {}): TestVerifierOptions {
      const common = { algorithm, iss, serverAudience: [...audience], now: clock };
      if (key.kind === 'secret') {
        if (verifier.jwksUri !== undefined) throw new TypeError('testIssuer: an HS256 key is a shared secret, never served as a JWKS');
        return { ...common, secret: key.secret, kid };
      }
      return verifier.jwksUri !== undefined ? { ...common, jwksUri: verifier.jwksUri } : { ...common, publicKeys: [key.jwk] };
    },
    jwks(): JwkSet {
      if (key.kind === 'secret') throw new TypeError('testIssuer: an HS256 key is a shared secret, never published as a JWKS');
      return { keys: [key.jwk] };
    },
  });
}

type TestKey = { kind: 'secret'; secret: Buffer; sign(input: string): string } | { kind: 'pair'; jwk: PublicJwk; sign(input: string): string };

function hmacKey(): TestKey {
  const secret = randomBytes(32);
  return { kind: 'secret', secret, sign: (input) => createHmac('sha256', secret).update(input).digest('base64url') };
}

function ecKey(kid: string): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const { x, y, crv } = publicKey.export({ format: 'jwk' });
  const jwk: PublicJwk = Object.freeze({ kty: 'EC', kid, alg: 'ES256', use: 'sig', crv: crv as string, x: x as string, y: y as string });
  // JWS ES256 signatures are r || s (RFC 7518 §3.4), not DER.
  return { kind: 'pair', jwk, sign: (input) => sign('sha256', Buffer.from(input), { key: privateKey as KeyObject, dsaEncoding: 'ieee-p1363' }).toString('base64url') };
}

function encode(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function withoutUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}
