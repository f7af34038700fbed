import type { KeyObject } from 'node:crypto';
import { ApoJwtConfigError } from './errors.js';
import type { AsymmetricAlgorithm } from './algorithms.js';
import { knownKeys } from './validate.js';

/** A published public key (RFC 7517 §4): never any private member. */
export interface PublicJwk {
  readonly kty: 'RSA' | 'EC';
  readonly kid: string;
  readonly alg: AsymmetricAlgorithm;
  readonly use: 'sig';
  readonly n?: string;
  readonly e?: string;
  readonly crv?: string;
  readonly x?: string;
  readonly y?: string;
}

export interface JwkSet {
  readonly keys: readonly PublicJwk[];
}

// Only these members are copied: whatever else the key export carries
// (private members of a mis-typed key above all) is never published.
const PUBLIC_MEMBERS = { RSA: ['n', 'e'], EC: ['crv', 'x', 'y'] } as const;

export function publicJwk(publicKey: KeyObject, kid: string, alg: AsymmetricAlgorithm, label: string): PublicJwk {
  if (publicKey.type !== 'public') throw new ApoJwtConfigError(`${label}: only public keys are published`);
  let exported: Record<string, unknown>;
  try {
    exported = publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
  } catch {
    // Node cannot write RSASSA-PSS-restricted keys as JWK; plain RSA keys serve PS* too.
    throw new ApoJwtConfigError(`${label}: this key cannot be published as a JWK (use a plain RSA key for PS algorithms)`);
  }
  const kty = exported['kty'];
  if (kty !== 'RSA' && kty !== 'EC') throw new ApoJwtConfigError(`${label}: unsupported key type for a JWK Set`);
  const jwk: Record<string, unknown> = { kty, kid, alg, use: 'sig' };
  for (const member of PUBLIC_MEMBERS[kty]) jwk[member] = exported[member];
  return Object.freeze(jwk) as unknown as PublicJwk;
}

export interface JwksResponseOptions {
  /** Seconds verifiers and proxies may cache the set. Keep it below the overlap of a key rotation. Default 300. */
  maxAge?: number;
}

/** What a JWKS endpoint answers; adapters copy the fields into their framework's response. */
export interface JwksHttpResponse {
  status: 200;
  headers: Record<string, string>;
  body: JwkSet;
}

/**
 * The `/.well-known/jwks.json` answer for a JWK Set (`apo.jwks()` or a
 * KeyRing's). Framework-free: `res.status(r.status).set(r.headers).json(r.body)`.
 */
export function jwksResponse(source: JwkSet | { jwks(): JwkSet }, options: JwksResponseOptions = {}): JwksHttpResponse {
  if (options === null || typeof options !== 'object') throw new ApoJwtConfigError('jwksResponse options must be an object');
  knownKeys('jwksResponse', options, ['maxAge']);
  const maxAge = options.maxAge ?? 300;
  if (!Number.isInteger(maxAge) || maxAge < 0 || maxAge > 86_400) throw new ApoJwtConfigError('jwksResponse maxAge must be a whole number of seconds from 0 to 86400');
  const body = typeof (source as { jwks?: unknown }).jwks === 'function' ? (source as { jwks(): JwkSet }).jwks() : (source as JwkSet);
  if (body === null || typeof body !== 'object' || !Array.isArray(body.keys)) throw new ApoJwtConfigError('jwksResponse needs a JWK Set or an object with jwks()');
  return {
    status: 200,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': `public, max-age=${maxAge}` },
    body,
  };
}
