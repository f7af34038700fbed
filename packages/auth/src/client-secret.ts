import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ApoJwtConfigError, knownKeys } from '@apojwt/core';
import { hashPassword, isPasswordHash, verifyPassword, type PasswordHashOptions } from './password.js';

/**
 * Client secrets (RFC 6749 §2.3.1). A secret from `generateClientSecret()`
 * holds 256 random bits: no guessing, online or against a leaked registry,
 * gets anywhere near it, so a slow password hash adds nothing but its cost
 * (argon2id: ≈40 ms of CPU on every token request). Such secrets are stored
 * as HMAC-SHA-256 keyed by a random per-secret salt, in a marked format:
 *
 *   $apojwt-sha256$v=1$<salt: 16 bytes>$<tag: 32 bytes>   (base64url, unpadded)
 *
 * The salt keeps two clients with one secret apart and rules out any table
 * computed ahead; the tag is compared in constant time. Because length is
 * the one thing about a secret that can be checked, a secret under 32
 * characters is refused for this format: it cannot be 256 random bits in
 * any usual encoding, so it was probably chosen by a person.
 *
 * A secret a person chose is a password: password-hash options (`algorithm`,
 * `cost`, `argon2`) ask for this package's password hashing instead
 * (argon2id or bcrypt), slow on purpose. argon2id and bcrypt hashes stored
 * by earlier versions verify as before.
 */

export const CLIENT_SECRET_HASH_MARKER = '$apojwt-sha256$v=1$';
/** Shortest secret the fast format takes (`generateClientSecret()` makes 43 characters). */
export const MIN_CLIENT_SECRET_LENGTH = 32;
const SALT_BYTES = 16;

const FAST_HASH = /^\$apojwt-sha256\$v=1\$([A-Za-z0-9_-]{22})\$([A-Za-z0-9_-]{43})$/;

/** How `hashClientSecret` stores a secret: nothing (the fast format), or password-hash options (a secret a person chose). */
export type ClientSecretHashOptions = PasswordHashOptions;

/** 256 random bits, base64url: a client secret to hand to a service once. */
export function generateClientSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The hash to store as `secretHash`: the fast format for a random secret
 * (ApoJwtConfigError under 32 characters), or, with password-hash options,
 * the password hash (argon2id by default, bcrypt with `cost`).
 */
export async function hashClientSecret(secret: string, options?: ClientSecretHashOptions): Promise<string> {
  if (options !== undefined) {
    if (options === null || typeof options !== 'object') throw new ApoJwtConfigError('hashClientSecret options must be an object');
    knownKeys('hashClientSecret', options, ['algorithm', 'cost', 'argon2']);
    if (options.algorithm !== undefined || options.cost !== undefined || options.argon2 !== undefined) return hashPassword(secret, options);
  }
  const plain = normalised(secret, 'hashClientSecret');
  if (plain.length < MIN_CLIENT_SECRET_LENGTH) {
    throw new ApoJwtConfigError(
      `hashClientSecret: the secret has fewer than ${MIN_CLIENT_SECRET_LENGTH} characters, too few to be random; ` +
        "use generateClientSecret(), or store a secret a person chose with the password hash: hashClientSecret(secret, { algorithm: 'argon2id' })",
    );
  }
  const salt = randomBytes(SALT_BYTES);
  return `${CLIENT_SECRET_HASH_MARKER}${salt.toString('base64url')}$${tag(plain, salt).toString('base64url')}`;
}

/**
 * True when `secret` matches `stored`: the fast format, or a password hash
 * (argon2id, bcrypt). A malformed stored hash or an empty secret: false.
 */
export async function verifyClientSecret(secret: string, stored: string): Promise<boolean> {
  const plain = normalised(secret, 'verifyClientSecret');
  const match = typeof stored === 'string' ? FAST_HASH.exec(stored) : null;
  if (match === null) return verifyPassword(plain, stored);
  const salt = Buffer.from(match[1] as string, 'base64url');
  const expected = Buffer.from(match[2] as string, 'base64url');
  // The pattern fixes both lengths; timingSafeEqual throws on unequal ones, so say it once more here.
  if (salt.length !== SALT_BYTES || expected.length !== 32) return false;
  return timingSafeEqual(tag(plain, salt), expected) && plain.length > 0;
}

/** True when `stored` is a hash `verifyClientSecret` can check: the fast format, argon2id or bcrypt. */
export function isClientSecretHash(stored: unknown): boolean {
  return (typeof stored === 'string' && FAST_HASH.test(stored)) || isPasswordHash(stored);
}

function tag(secret: string, salt: Buffer): Buffer {
  return createHmac('sha256', salt).update(secret, 'utf8').digest();
}

function normalised(secret: unknown, what: string): string {
  if (typeof secret !== 'string') throw new ApoJwtConfigError(`${what}: the secret must be a string`);
  // As passwords are (NIST SP 800-63B §5.1.1.2): one secret, one spelling.
  return secret.normalize('NFC');
}
