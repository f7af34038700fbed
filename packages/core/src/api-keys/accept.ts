import { ApoJwtConfigError, ApoJwtError } from '../errors.js';

/** The credentials a route may accept: a Bearer access token, an API key. */
export type CredentialKind = 'bearer' | 'apiKey';

/** A route's `accept` option, checked once when the route is declared. */
export interface AcceptedCredentials {
  readonly bearer: boolean;
  readonly apiKey: boolean;
}

const KINDS: readonly CredentialKind[] = ['bearer', 'apiKey'];

/**
 * `accept: ['bearer', 'apiKey']` made into flags, when the route is
 * declared. Undefined for the default, Bearer tokens only: such a route never
 * reads an API key header, so its check is the Bearer check of before, at the
 * same cost.
 */
export function compileAccept(value: unknown): AcceptedCredentials | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0) throw new ApoJwtConfigError(`accept must be a non-empty array of ${KINDS.map((k) => `'${k}'`).join(', ')}`);
  for (const kind of value) {
    if (!KINDS.includes(kind as CredentialKind)) throw new ApoJwtConfigError(`accept lists an unknown credential kind (known: ${KINDS.map((k) => `'${k}'`).join(', ')})`);
  }
  if (new Set(value).size !== value.length) throw new ApoJwtConfigError('accept lists a credential kind twice');
  const apiKey = value.includes('apiKey');
  const bearer = value.includes('bearer');
  return apiKey ? Object.freeze({ bearer, apiKey }) : undefined;
}

/** Both a token and a key must be accepted for one request; a route with two checks accepts what both accept. */
export function intersectAccept(a: AcceptedCredentials | undefined, b: AcceptedCredentials | undefined): AcceptedCredentials | undefined {
  if (a === undefined || b === undefined) return undefined;
  return Object.freeze({ bearer: a.bearer && b.bearer, apiKey: a.apiKey && b.apiKey });
}

export type FoundCredential = { readonly kind: 'bearer'; readonly value: string } | { readonly kind: 'apiKey'; readonly value: string };

/**
 * The one credential of a request to a route that accepts API keys. Exactly
 * one must be sent: a Bearer token and a key together is
 * ERR_REQUEST_MALFORMED (400), neither is ERR_TOKEN_MISSING (401) challenged
 * with every accepted scheme. A credential of a kind the route does not
 * accept counts as none (the caller does not look for it).
 */
export function selectCredential(accept: AcceptedCredentials, bearer: string | undefined, apiKey: string | undefined, keyScheme: string): FoundCredential {
  if (bearer !== undefined && apiKey !== undefined)
    throw new ApoJwtError('ERR_REQUEST_MALFORMED', 'both a Bearer token and an API key were sent', { schemes: acceptedSchemes(accept, keyScheme) });
  if (apiKey !== undefined) return { kind: 'apiKey', value: apiKey };
  if (bearer !== undefined) return { kind: 'bearer', value: bearer };
  throw new ApoJwtError('ERR_TOKEN_MISSING', 'no access token or API key was sent', { schemes: acceptedSchemes(accept, keyScheme) });
}

export function acceptedSchemes(accept: AcceptedCredentials, keyScheme: string): readonly string[] {
  return accept.bearer ? ['Bearer', keyScheme] : [keyScheme];
}
