import { ApoJwtError } from '@apojwt/core';

/**
 * How an email or username is made one stored value, so that two spellings
 * of one name cannot be two accounts:
 * 1. NFKC (Unicode compatibility composition, UAX #15): "ｂｏｂ" (full-width)
 *    is "bob", "é" as one code point or as e + accent is one "é", the "ﬁ"
 *    ligature is "fi".
 * 2. Lower-case (`toLowerCase`, locale-independent): "Bob@Example.COM" is
 *    "bob@example.com". The local part is lower-cased too: RFC 5321 lets a
 *    server tell cases apart, but practically no provider does, and two
 *    accounts differing only by case are a phishing gift.
 * Nothing else is folded: no dot or "+tag" removal (that is provider-specific).
 * Surrounding white space is an error, not trimmed, so what is stored is what
 * was typed.
 */
export function normaliseIdentifier(value: string): string {
  return value.normalize('NFKC').toLowerCase();
}

/** RFC 5321 §4.5.3.1: 64-byte local part, 254 bytes in all (a path's 256 less its angle brackets). */
export const MAX_EMAIL_BYTES = 254;
const MAX_LOCAL_BYTES = 64;

// Control, format (zero-width, bidi overrides), separators (spaces), unassigned and private-use code points.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Z}\p{Cn}\p{Co}\p{Cs}]/u;

/**
 * The stored form of an email, or ERR_EMAIL_INVALID (400). Accepted: one "@",
 * a non-empty local part without quotes, "@", "(", ")", ",", ";", ":", "<",
 * ">", "[", "]" or "\\", and a domain of dot-separated labels (letters, digits,
 * hyphens; non-ASCII letters allowed, as in internationalised addresses).
 * Quoted local parts and IP-literal domains are refused: legal in RFC 5321,
 * unused in sign-ups, and a source of parser disagreements.
 */
export function normaliseEmail(input: unknown): string {
  if (typeof input !== 'string') throw invalidEmail();
  const email = normaliseIdentifier(input);
  if (Buffer.byteLength(email, 'utf8') > MAX_EMAIL_BYTES || INVISIBLE.test(email)) throw invalidEmail();
  const at = email.lastIndexOf('@');
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (at <= 0 || local.includes('@') || Buffer.byteLength(local, 'utf8') > MAX_LOCAL_BYTES) throw invalidEmail();
  if (/["(),;:<>[\]\\]/.test(local) || local.startsWith('.') || local.endsWith('.') || local.includes('..')) throw invalidEmail();
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((label) => /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u.test(label))) throw invalidEmail();
  return email;
}

export const MIN_USERNAME_LENGTH = 3;
export const MAX_USERNAME_LENGTH = 32;

/**
 * The stored form of a username, or ERR_USERNAME_INVALID (400): after NFKC
 * and lower-casing, 3 to 32 code points of letters, digits (any script),
 * ".", "_" and "-", starting with a letter or digit. No "@" (that makes it
 * an email at login), no spaces, no invisible or bidi-control characters.
 */
export function normaliseUsername(input: unknown): string {
  if (typeof input !== 'string') throw invalidUsername();
  const username = normaliseIdentifier(input);
  const length = [...username].length;
  if (length < MIN_USERNAME_LENGTH || length > MAX_USERNAME_LENGTH) throw invalidUsername();
  if (!/^[\p{L}\p{N}][\p{L}\p{M}\p{N}._-]*$/u.test(username)) throw invalidUsername();
  return username;
}

function invalidEmail(): ApoJwtError {
  return new ApoJwtError('ERR_EMAIL_INVALID', 'the email address is not valid');
}

function invalidUsername(): ApoJwtError {
  return new ApoJwtError('ERR_USERNAME_INVALID', 'the username is not valid');
}
