import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { ApoJwtConfigError, ApoJwtError } from '../errors.js';

/**
 * The text of an API key, in the shape GitHub's and Stripe's keys made
 * familiar:
 *
 *     apo_live_<id: 16 base62>_<secret: 43 base62><checksum: 6 base62>
 *
 * - the prefix says what the key is and where it belongs (`apo_live_`,
 *   `apo_test_`), so a key pasted in the wrong place, or found by a secret
 *   scanner, is recognised by eye;
 * - the id is the store's lookup key: 88 random bits, public, never secret;
 * - the secret is 32 random bytes (256 bits: 43 base62 digits hold
 *   62^43 > 2^256 values), the part only the holder knows;
 * - the checksum (CRC-32 of everything before it) refuses a mistyped,
 *   truncated or invented key before any store lookup. It is not a MAC:
 *   anyone can compute it; the secret is what authenticates.
 * Base62 keeps the key one "word" (a double-click selects all of it) and
 * needs no escaping in a header, a URL or an environment variable.
 */

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const ID_LENGTH = 16;
const SECRET_BYTES = 32;
const SECRET_LENGTH = 43;
const CHECKSUM_LENGTH = 6;
/** The part after the prefix: id, "_", secret and checksum. */
const BODY_LENGTH = ID_LENGTH + 1 + SECRET_LENGTH + CHECKSUM_LENGTH;
export const DEFAULT_API_KEY_PREFIX = 'apo_live_';
/** Lower-case words joined and ended by "_": readable, and never confused with the base62 body. */
const PREFIX = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*_$/;
const MAX_PREFIX_LENGTH = 32;

export function apiKeyPrefix(value: unknown): string {
  if (value === undefined) return DEFAULT_API_KEY_PREFIX;
  if (typeof value !== 'string' || value.length > MAX_PREFIX_LENGTH || !PREFIX.test(value)) {
    throw new ApoJwtConfigError(`apiKeys prefix must be lower-case letters and digits in words joined and ended by "_" (such as "apo_live_"), at most ${MAX_PREFIX_LENGTH} characters`);
  }
  return value;
}

/** A new key: its lookup id and the full text, shown once to whoever asked for it. */
export function generateApiKey(prefix: string): { id: string; key: string } {
  const id = base62(randomBytes(11), ID_LENGTH);
  const unsigned = `${prefix}${id}_${base62(randomBytes(SECRET_BYTES), SECRET_LENGTH)}`;
  return { id, key: unsigned + checksum(unsigned) };
}

/** The longest key of a prefix: longer input is refused before it is read. */
export function maxApiKeyLength(prefix: string): number {
  return prefix.length + BODY_LENGTH;
}

/**
 * The lookup id of a presented key, or ERR_API_KEY_INVALID when it is not
 * one of this instance's keys by its form alone: another prefix, another
 * length, a character outside base62, or a checksum that does not match.
 * The store is not asked about such a key.
 */
export function parseApiKey(key: string, prefix: string): string {
  if (key.length !== prefix.length + BODY_LENGTH || !key.startsWith(prefix)) throw invalidKey("the API key does not have this service's prefix and length");
  const body = prefix.length;
  for (let i = body; i < key.length; i++) {
    if (i === body + ID_LENGTH) {
      if (key.charCodeAt(i) !== 0x5f) throw invalidKey('the API key is malformed');
      continue;
    }
    if (!isBase62(key.charCodeAt(i))) throw invalidKey('the API key is malformed');
  }
  const signedLength = key.length - CHECKSUM_LENGTH;
  if (checksum(key.slice(0, signedLength)) !== key.slice(signedLength)) throw invalidKey('the API key checksum does not match');
  return key.slice(body, body + ID_LENGTH);
}

export function invalidKey(message: string): ApoJwtError {
  return new ApoJwtError('ERR_API_KEY_INVALID', message);
}

function isBase62(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function checksum(text: string): string {
  return base62FromNumber(BigInt(crc32(text)), CHECKSUM_LENGTH);
}

function base62(bytes: Buffer, length: number): string {
  return base62FromNumber(BigInt(`0x${bytes.toString('hex')}`), length);
}

/** Fixed width, so every key of a prefix has one length (left-padded with "0"). */
function base62FromNumber(value: bigint, length: number): string {
  let text = '';
  let rest = value;
  while (rest > 0n) {
    text = ALPHABET[Number(rest % 62n)] + text;
    rest /= 62n;
  }
  return text.padStart(length, '0');
}
