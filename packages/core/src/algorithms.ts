import type { KeyObject } from 'node:crypto';
import { ApoJwtConfigError } from './errors.js';

/** The algorithms apojwt signs and verifies with. `none` is not one of them, ever. */
export const ALGORITHMS = ['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'] as const;

export type Algorithm = (typeof ALGORITHMS)[number];
export type SymmetricAlgorithm = Extract<Algorithm, `HS${string}`>;
export type AsymmetricAlgorithm = Exclude<Algorithm, SymmetricAlgorithm>;

const ALGORITHM_SET: ReadonlySet<string> = new Set(ALGORITHMS);

export function isAlgorithm(value: unknown): value is Algorithm {
  return typeof value === 'string' && ALGORITHM_SET.has(value);
}

export function isSymmetric(alg: Algorithm): alg is SymmetricAlgorithm {
  return alg.startsWith('HS');
}

/** RFC 7518 §3.2: an HMAC key must be at least as long as the hash output. */
export function minimumSecretBytes(alg: SymmetricAlgorithm): number {
  return Number(alg.slice(2)) / 8;
}

const CURVE_BY_ES_ALGORITHM = { ES256: 'prime256v1', ES384: 'secp384r1', ES512: 'secp521r1' } as const;

/**
 * Binds an algorithm to the one key type that may serve it, so that a key can
 * never be used with another family (the HS/RS confusion of CVE-2015-9235).
 */
export function assertKeyFitsAlgorithm(key: KeyObject, alg: Algorithm, label: string): void {
  const family = alg.slice(0, 2);
  if (family === 'HS') {
    if (key.type !== 'secret') throw new ApoJwtConfigError(`${label}: ${alg} needs a secret key, got a ${key.type} key`);
    const bytes = key.symmetricKeySize ?? 0;
    const min = minimumSecretBytes(alg as SymmetricAlgorithm);
    if (bytes < min) throw new ApoJwtConfigError(`${label}: ${alg} needs a secret of at least ${min} bytes, got ${bytes}`);
    return;
  }
  if (key.type === 'secret') throw new ApoJwtConfigError(`${label}: ${alg} needs an asymmetric key, got a secret`);
  const keyType = key.asymmetricKeyType;
  if (family === 'RS' && keyType !== 'rsa') {
    throw new ApoJwtConfigError(`${label}: ${alg} needs an RSA key, got ${String(keyType)}`);
  }
  if (family === 'PS' && keyType !== 'rsa' && keyType !== 'rsa-pss') {
    throw new ApoJwtConfigError(`${label}: ${alg} needs an RSA or RSA-PSS key, got ${String(keyType)}`);
  }
  if (family === 'RS' || family === 'PS') {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    // RFC 7518 §3.3: 2048 bits or more.
    if (bits < 2048) throw new ApoJwtConfigError(`${label}: ${alg} needs an RSA key of at least 2048 bits, got ${bits}`);
    return;
  }
  if (keyType !== 'ec') throw new ApoJwtConfigError(`${label}: ${alg} needs an EC key, got ${String(keyType)}`);
  const curve = key.asymmetricKeyDetails?.namedCurve;
  const expected = CURVE_BY_ES_ALGORITHM[alg as keyof typeof CURVE_BY_ES_ALGORITHM];
  if (curve !== expected) throw new ApoJwtConfigError(`${label}: ${alg} needs curve ${expected}, got ${String(curve)}`);
}
