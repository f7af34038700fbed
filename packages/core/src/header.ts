import { ApoJwtError } from './errors.js';

/** The header fields verification looks at. */
export interface TokenHeader {
  readonly alg: string;
  /** Normalised: lower case, without an `application/` prefix. */
  readonly typ: string | undefined;
  readonly kid: string | undefined;
}

// One issuer writes the same header on every token, so parsed headers are
// memoised by their encoded form. Bounded: a flood of distinct headers only
// clears it.
const MEMO_LIMIT = 256;
const memo = new Map<string, TokenHeader>();

const BASE64URL = /^[A-Za-z0-9_-]+$/;

export function malformed(message: string): ApoJwtError {
  return new ApoJwtError('ERR_TOKEN_MALFORMED', message);
}

/**
 * Decodes a JSON object from one base64url segment, or throws ERR_TOKEN_MALFORMED.
 * `alphabetChecked`: the caller already matched the whole token against the
 * base64url alphabet, so the per-segment scan is skipped (a second scan of the same bytes).
 */
export function decodeSegment(segment: string, what: string, alphabetChecked = false): Record<string, unknown> {
  if (!alphabetChecked && !BASE64URL.test(segment)) throw malformed(`the token ${what} is not base64url`);
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    throw malformed(`the token ${what} is not JSON`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw malformed(`the token ${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

export function readHeader(segment: string): TokenHeader {
  const known = memo.get(segment);
  if (known !== undefined) return known;
  const raw = decodeSegment(segment, 'header');
  if (typeof raw['alg'] !== 'string') throw malformed('the token header has no alg');
  if (raw['typ'] !== undefined && typeof raw['typ'] !== 'string') throw malformed('the token header typ is not a string');
  if (raw['kid'] !== undefined && typeof raw['kid'] !== 'string') throw malformed('the token header kid is not a string');
  // RFC 7515 §4.1.11: extensions we do not understand must make the token invalid.
  if (raw['crit'] !== undefined) throw malformed('the token header lists critical extensions');
  const header: TokenHeader = Object.freeze({ alg: raw['alg'], typ: normalizeType(raw['typ']), kid: raw['kid'] });
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(segment, header);
  return header;
}

/**
 * RFC 7515 §4.1.9: `typ` is a media type, compared case-insensitively, and
 * may drop its `application/` prefix; RFC 9068 §4 has resource servers accept
 * both "at+jwt" and "application/at+jwt".
 */
function normalizeType(typ: string | undefined): string | undefined {
  if (typ === undefined) return undefined;
  const lower = typ.toLowerCase();
  return lower.startsWith('application/') && !lower.slice(12).includes('/') ? lower.slice(12) : lower;
}
