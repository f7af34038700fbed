import { ApoJwtConfigError, ApoJwtError } from '../errors.js';
import { headerValues } from '../http/credentials.js';

/** Where a request carries its API key: a header of its own, an Authorization scheme, or both. */
export interface KeyLocation {
  /** Lower-cased header name (`x-api-key`), or undefined when keys are not read from a header of their own. */
  readonly header: string | undefined;
  /** Authorization scheme (`ApiKey`), or undefined when keys are not read from Authorization. */
  readonly scheme: string | undefined;
}

// RFC 9110 §5.1 / §11.1: header names and auth schemes are tokens.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const SPACE = 32;

export function keyLocation(header: unknown, scheme: unknown): KeyLocation {
  const name = header === undefined ? 'x-api-key' : header === false ? undefined : tokenOption('header', header).toLowerCase();
  if (name === 'authorization' || name === 'cookie') throw new ApoJwtConfigError(`apiKeys header must not be "${name}": use the scheme option for Authorization`);
  const authScheme = scheme === undefined ? 'ApiKey' : scheme === false ? undefined : tokenOption('scheme', scheme);
  if (authScheme?.toLowerCase() === 'bearer' || authScheme?.toLowerCase() === 'basic')
    throw new ApoJwtConfigError(`apiKeys scheme must not be "${authScheme}": that scheme means something else`);
  if (name === undefined && authScheme === undefined) throw new ApoJwtConfigError('apiKeys needs a header or a scheme to read keys from (both are false)');
  return Object.freeze({ header: name, scheme: authScheme });
}

function tokenOption(option: string, value: unknown): string {
  if (typeof value !== 'string' || value.length > 64 || !TOKEN.test(value)) throw new ApoJwtConfigError(`apiKeys ${option} must be an HTTP token (letters, digits, "-" …), or false`);
  return value;
}

function malformed(message: string): ApoJwtError {
  return new ApoJwtError('ERR_REQUEST_MALFORMED', message);
}

/**
 * The API key of a request (Node's raw header list), undefined when none was
 * sent. ERR_REQUEST_MALFORMED (400) for a key header sent twice, an
 * Authorization header of the key scheme without exactly one key, or a key
 * in both places: which one the client meant cannot be known. The key's own
 * form is checked by verification (ERR_API_KEY_INVALID, 401).
 */
export function findApiKey(rawHeaders: readonly string[], location: KeyLocation): string | undefined {
  let key: string | undefined;
  if (location.header !== undefined) {
    const values = headerValues(rawHeaders, location.header);
    if (values.length > 1) throw malformed('the API key header was sent more than once');
    const value = values[0]?.trim();
    if (value !== undefined && value !== '') key = value;
  }
  if (location.scheme !== undefined) {
    const authorization = headerValues(rawHeaders, 'authorization');
    if (authorization.length > 1) throw malformed('more than one Authorization header was sent');
    const fromAuthorization = authorization.length === 1 ? schemeCredential(authorization[0] as string, location.scheme) : undefined;
    if (fromAuthorization !== undefined) {
      if (key !== undefined) throw malformed('an API key was sent both in its header and in Authorization');
      key = fromAuthorization;
    }
  }
  return key;
}

/** `<scheme> 1*SP <key>` (scheme case-insensitive, RFC 9110 §11.1); undefined for another scheme. */
function schemeCredential(value: string, scheme: string): string | undefined {
  if (value.length < scheme.length || value.slice(0, scheme.length).toLowerCase() !== scheme.toLowerCase()) return undefined;
  if (value.length > scheme.length && value.charCodeAt(scheme.length) !== SPACE) return undefined;
  const key = value.slice(scheme.length).trim();
  if (key === '') throw malformed(`the Authorization header names ${scheme} but carries no key`);
  if (key.includes(' ') || key.includes(',') || key.includes('\t')) throw malformed(`the Authorization header is not one ${scheme} credential`);
  return key;
}
