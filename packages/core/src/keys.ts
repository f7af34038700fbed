import { createHash, createSecretKey, KeyObject } from 'node:crypto';
import { ApoJwtConfigError, ApoJwtError } from './errors.js';
import { assertKeyFitsAlgorithm, type Algorithm } from './algorithms.js';

/** A secret as users hold it. Strings are taken as UTF-8 bytes, as jsonwebtoken and PyJWT do. */
export type SecretInput = string | Uint8Array | KeyObject;

export interface SigningKey {
  readonly kid: string;
  readonly alg: Algorithm;
  readonly key: KeyObject;
}

export interface VerificationKey {
  readonly kid: string;
  readonly alg: Algorithm;
  readonly key: KeyObject;
}

/**
 * Where verification keys come from. Local rings answer synchronously; a remote
 * JWKS may need a fetch on an unknown `kid`, so a Promise is allowed.
 * Throws `ERR_KEY_UNKNOWN` when no key fits; never returns a key of another algorithm.
 */
export interface KeyResolver {
  resolve(kid: string | undefined, alg: Algorithm): KeyObject | Promise<KeyObject>;
}

export function secretToKeyObject(secret: SecretInput, label: string): KeyObject {
  if (secret instanceof KeyObject) return secret;
  if (typeof secret === 'string') {
    if (secret.length === 0) throw new ApoJwtConfigError(`${label} must not be empty`);
    return createSecretKey(Buffer.from(secret, 'utf8'));
  }
  if (secret instanceof Uint8Array) {
    if (secret.byteLength === 0) throw new ApoJwtConfigError(`${label} must not be empty`);
    return createSecretKey(Buffer.from(secret));
  }
  throw new ApoJwtConfigError(`${label} must be a string, a Uint8Array or a KeyObject`);
}

/**
 * RFC 7638 thumbprint of a key, used as its `kid` when none is given. For a
 * secret this is a SHA-256 of the key bytes: it identifies the key without
 * revealing it.
 */
export function thumbprint(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  const members = jwk.kty === 'oct' ? { k: jwk.k, kty: jwk.kty } : jwk.kty === 'EC' ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y } : { e: jwk.e, kty: jwk.kty, n: jwk.n };
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

export function makeSigningKey(key: KeyObject, alg: Algorithm, kid: string | undefined, label: string): SigningKey {
  assertKeyFitsAlgorithm(key, alg, label);
  return Object.freeze({ kid: kid ?? thumbprint(key), alg, key });
}

/**
 * The keys one instance verifies with, by `kid`. A token without `kid`
 * (Python apojwt mints those) is checked against the default key only.
 */
export class LocalKeyRing implements KeyResolver {
  private readonly byKid = new Map<string, VerificationKey>();
  private readonly defaultKey: VerificationKey | undefined;

  constructor(keys: readonly VerificationKey[], defaultKid?: string) {
    for (const entry of keys) {
      if (this.byKid.has(entry.kid)) throw new ApoJwtConfigError(`two keys share the kid "${entry.kid}"`);
      this.byKid.set(entry.kid, entry);
    }
    this.defaultKey = defaultKid === undefined ? keys[0] : this.byKid.get(defaultKid);
  }

  resolve(kid: string | undefined, alg: Algorithm): KeyObject {
    const entry = kid === undefined ? this.defaultKey : this.byKid.get(kid);
    if (entry === undefined || entry.alg !== alg) {
      throw new ApoJwtError('ERR_KEY_UNKNOWN', 'no verification key matches the token header');
    }
    return entry.key;
  }

  get kids(): string[] {
    return [...this.byKid.keys()];
  }
}

/** A resolver that can list the kids it holds (KeyRing, LocalKeyRing). */
export interface ListedKeyResolver extends KeyResolver {
  readonly kids: readonly string[];
}

/**
 * Python apojwt (PyJWT's default header) signs RS/ES tokens without a `kid`.
 * A ring holding exactly one key verifies those against it: there is only
 * one key they can mean, and the signature still decides. With two or more
 * keys which one was meant cannot be known, and guessing would let a key
 * verify tokens it was never meant for: ERR_KEY_UNKNOWN, as before. Counted
 * at each token, so a ring that grows (rotation) stops choosing at once.
 */
export function soleKeyForMissingKid(ring: ListedKeyResolver & { readonly keyEpoch?: number }): KeyResolver & { readonly keyEpoch?: number } {
  return {
    resolve(kid: string | undefined, alg: Algorithm) {
      if (kid === undefined) {
        const kids = ring.kids;
        if (kids.length === 1) return ring.resolve(kids[0], alg);
      }
      return ring.resolve(kid, alg);
    },
    // The verified cache watches the ring's key epoch through this wrapper (a retired key empties it).
    get keyEpoch() {
      return ring.keyEpoch;
    },
  };
}
