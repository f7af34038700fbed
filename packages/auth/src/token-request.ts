import { ApoJwtError } from '@apojwt/core';

/** Longest parameter value read (a JWT subject token or a client assertion included). */
export const MAX_PARAMETER_BYTES = 8192;

/**
 * The parameters of a token request (RFC 6749 §3.2), from a body sent as
 * `application/x-www-form-urlencoded` (the standard) or JSON, raw or as a
 * body parser left it. Every value is one string: a parameter given twice
 * ("MUST NOT be included more than once") or of another type is
 * ERR_TOKEN_REQUEST_INVALID, never a guess at which one was meant.
 */
export function tokenParameters(body: unknown, contentType: string | undefined): Map<string, string> {
  if (typeof body === 'string' || body instanceof Uint8Array) {
    const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
    if (isForm(contentType)) return fromForm(text);
    if (isJson(contentType)) return fromObject(parseJson(text));
    throw invalid('the token request must be application/x-www-form-urlencoded or JSON');
  }
  return fromObject(body);
}

function isForm(contentType: string | undefined): boolean {
  return mediaType(contentType) === 'application/x-www-form-urlencoded';
}

function isJson(contentType: string | undefined): boolean {
  const type = mediaType(contentType);
  return type === 'application/json' || (type?.endsWith('+json') ?? false);
}

function mediaType(contentType: string | undefined): string | undefined {
  return contentType?.split(';')[0]?.trim().toLowerCase();
}

function fromForm(text: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(text)) add(params, name, value);
  return params;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalid('the token request body is not valid JSON');
  }
}

function fromObject(body: unknown): Map<string, string> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw invalid('the token request body is not an object of parameters');
  const params = new Map<string, string>();
  for (const [name, value] of Object.entries(body as Record<string, unknown>)) {
    // A body parser turns a repeated form parameter into an array.
    if (Array.isArray(value)) throw invalid('a token request parameter is repeated');
    if (typeof value !== 'string') throw invalid('a token request parameter is not a string');
    add(params, name, value);
  }
  return params;
}

function add(params: Map<string, string>, name: string, value: string): void {
  if (params.has(name)) throw invalid('a token request parameter is repeated');
  if (Buffer.byteLength(value, 'utf8') > MAX_PARAMETER_BYTES) throw invalid('a token request parameter is too long');
  // RFC 6749 §3.2: "Parameters sent without a value MUST be treated as if they were omitted".
  if (value.length > 0) params.set(name, value);
}

export function invalid(message: string): ApoJwtError {
  return new ApoJwtError('ERR_TOKEN_REQUEST_INVALID', message);
}

/** A required parameter. */
export function required(params: ReadonlyMap<string, string>, name: string): string {
  const value = params.get(name);
  if (value === undefined) throw invalid(`the token request has no ${name}`);
  return value;
}
