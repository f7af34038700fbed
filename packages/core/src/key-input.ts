import { createPrivateKey, createPublicKey, KeyObject, type JsonWebKey } from 'node:crypto';
import { ApoJwtConfigError } from './errors.js';
import type { PublicJwk } from './jwks.js';

/** An asymmetric key as users hold it: a PEM string, a KeyObject, or a JWK object (one of `apo.jwks().keys` included). */
export type KeyInput = string | KeyObject | JsonWebKey | PublicJwk;

/** A key with the id written in token headers; without `kid`, the JWK's own `kid` or the RFC 7638 thumbprint. */
export interface KeyWithId {
  key: KeyInput;
  kid?: string;
}

export type KeySpec = KeyInput | KeyWithId;

function isKeyWithId(spec: KeySpec): spec is KeyWithId {
  return typeof spec === 'object' && spec !== null && !(spec instanceof KeyObject) && 'key' in spec && !('kty' in spec);
}

/** Splits a spec into its key and its explicit kid (a JWK's own `kid` counts as explicit). */
export function splitKeySpec(spec: KeySpec, label: string): { input: KeyInput; kid: string | undefined } {
  if (spec === null || spec === undefined) throw new ApoJwtConfigError(`${label} is missing`);
  const input = isKeyWithId(spec) ? spec.key : spec;
  let kid = isKeyWithId(spec) ? spec.kid : undefined;
  if (kid === undefined && typeof input === 'object' && input !== null && !(input instanceof KeyObject)) {
    const jwkKid = (input as { kid?: unknown }).kid;
    if (jwkKid !== undefined) kid = jwkKid as string;
  }
  if (kid !== undefined && (typeof kid !== 'string' || kid.length === 0)) throw new ApoJwtConfigError(`${label}: kid must be a non-empty string`);
  return { input, kid };
}

/**
 * Builds a KeyObject from a PEM, JWK or KeyObject. `need: 'private'` refuses a
 * public key (an issuer cannot sign with it); 'any' accepts both. A secret
 * (JWK `oct`, secret KeyObject) is never an asymmetric key.
 */
export function toAsymmetricKey(input: KeyInput, need: 'private' | 'any', label: string): KeyObject {
  let key: KeyObject;
  try {
    if (input instanceof KeyObject) key = input;
    else if (typeof input === 'string') {
      key = /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(input) ? createPrivateKey(input) : createPublicKey(input);
    } else if (typeof input === 'object' && input !== null && typeof (input as JsonWebKey).kty === 'string') {
      const jwk = { ...input } as JsonWebKey;
      if (jwk.kty === 'oct') throw new ApoJwtConfigError(`${label} is a secret (JWK "oct"), not an asymmetric key`);
      key = jwk.d !== undefined ? createPrivateKey({ key: jwk, format: 'jwk' }) : createPublicKey({ key: jwk, format: 'jwk' });
    } else {
      throw new ApoJwtConfigError(`${label} must be a PEM string, a KeyObject or a JWK object`);
    }
  } catch (error) {
    if (error instanceof ApoJwtConfigError) throw error;
    // The crypto message says what is wrong with the encoding, never the key bytes.
    throw new ApoJwtConfigError(`${label} could not be read as a key: ${(error as Error).message}`);
  }
  if (key.type === 'secret') throw new ApoJwtConfigError(`${label} is a secret, not an asymmetric key`);
  if (need === 'private' && key.type !== 'private') throw new ApoJwtConfigError(`${label} must be a private key (this instance signs tokens)`);
  return key;
}

/** The public half: what verifies, and what may be published. */
export function publicHalf(key: KeyObject): KeyObject {
  return key.type === 'private' ? createPublicKey(key) : key;
}
