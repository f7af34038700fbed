import { createHash, createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';
import { ApoJwtConfigError } from '../errors.js';

/**
 * How a key is kept: only its hash, never the key.
 *
 * The secret is 256 random bits, so a fast hash is the right one: a slow
 * password hash (argon2, scrypt) exists to make guessing a low-entropy
 * password expensive, and no amount of guessing finds a 256-bit secret. A
 * slow hash would only make every request slow. With a `pepper` (a server
 * secret kept outside the store) the hash is HMAC-SHA-256 keyed by it, so a
 * copy of the store alone cannot even confirm a leaked key; without one it
 * is SHA-256. Changing the pepper invalidates every stored key.
 */
export type KeyHasher = (key: string) => Buffer;

export function keyHasher(pepper: unknown): KeyHasher {
  if (pepper === undefined) return (key) => createHash('sha256').update(key).digest();
  if (!(typeof pepper === 'string' || pepper instanceof Uint8Array) || Buffer.byteLength(pepper) < 32) {
    throw new ApoJwtConfigError('apiKeys pepper must be a string or bytes of at least 32 bytes');
  }
  // A KeyObject built once: HMAC with it skips importing the key on every request.
  const secret = createSecretKey(Buffer.from(pepper));
  return (key) => createHmac('sha256', secret).update(key).digest();
}

/** The stored form of a hash (base64url text: Redis and JSON keep it as is). */
export function encodeHash(hash: Buffer): string {
  return hash.toString('base64url');
}

/** The stored hash as bytes, decoded once per lookup (a cache hit then only hashes and compares). */
export function decodeHash(stored: string): Buffer {
  return Buffer.from(stored, 'base64url');
}

/** Constant time over the hash bytes: how much of a guess matched never shows in the answer's timing. */
export function sameHash(presented: Buffer, expected: Buffer): boolean {
  return expected.length === presented.length && timingSafeEqual(expected, presented);
}
