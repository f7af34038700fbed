import { createHash } from 'node:crypto';
import { ApoJwtConfigError, ApoJwtError, STATUS_BY_CODE, type ApoJwtErrorCode } from './errors.js';
import { systemClock, type Clock } from './clock.js';

/**
 * Outgoing calls on behalf of a user (RFC 8693): `callBilling(userToken,
 * url)` exchanges the user's access token at the token endpoint for one
 * bound to the downstream audience, attaches it as the Bearer credential and
 * calls Node's global `fetch`. The exchanged token is cached per user token
 * until `refreshBeforeSeconds` before it expires, so a busy service does
 * not ask the token endpoint on every call; concurrent calls for one user
 * token share one exchange.
 */
export interface ExchangingFetchOptions {
  /** The token endpoint, e.g. `https://auth.example/auth/token`. */
  tokenUrl: string | URL;
  /** This service's client id and secret (HTTP Basic, RFC 6749 §2.3.1). */
  clientId: string;
  clientSecret: string;
  /** The one downstream audience the exchanged tokens are for. */
  audience: string;
  /** Permissions to ask for (default: all the user holds that this client may delegate). */
  scope?: readonly string[];
  /** Seconds before expiry at which a cached token is exchanged again (at most half its life); default 30. */
  refreshBeforeSeconds?: number;
  /** Most exchanged tokens kept (one per user token); default 1000. */
  maxCached?: number;
  /** Most milliseconds one exchange may take; default 5000. */
  timeoutMs?: number;
  /** Clock of the cache (ms); default `Date.now`. */
  now?: Clock;
}

export interface ExchangingFetch {
  /** `fetch(input, init)` with `Authorization: Bearer <the exchanged token>`. */
  (subjectToken: string, input: string | URL, init?: RequestInit): Promise<Response>;
  /** The exchanged token for `subjectToken`, from the cache or the endpoint. */
  token(subjectToken: string): Promise<string>;
}

const GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';

interface Cached {
  readonly token: string;
  readonly refreshAt: number;
}

export function exchangingFetch(options: ExchangingFetchOptions): ExchangingFetch {
  const settings = checked(options);
  const cache = new Map<string, Cached>();
  const pending = new Map<string, Promise<string>>();

  async function exchange(subjectToken: string): Promise<{ token: string; expiresIn: number }> {
    const body = new URLSearchParams({ grant_type: GRANT, subject_token: subjectToken, subject_token_type: ACCESS_TOKEN, audience: settings.audience });
    if (settings.scope !== undefined) body.set('scope', settings.scope.join(' '));
    let response: Response;
    let answer: unknown;
    try {
      response = await fetch(settings.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: settings.basic },
        body,
        signal: AbortSignal.timeout(settings.timeoutMs),
      });
      answer = await response.json().catch(() => undefined);
    } catch (error) {
      throw new ApoJwtError('ERR_STORE_UNAVAILABLE', 'the token endpoint could not be reached', {}, { cause: error });
    }
    const record = answer !== null && typeof answer === 'object' ? (answer as Record<string, unknown>) : {};
    if (!response.ok) {
      // Rate limited (the endpoint's lockout, or a proxy's limit): a 429 with its wait, so the caller can pass both on.
      if (response.status === 429) {
        throw new ApoJwtError('ERR_RATE_LIMITED', 'the token endpoint limits this service’s requests', {
          retryAfterSeconds: retryAfterSeconds(response.headers.get('retry-after'), settings.now()),
        });
      }
      // The endpoint's own code keeps its status here (a refused scope stays a 400 of this request's making).
      const code = record['code'];
      if (typeof code === 'string' && Object.hasOwn(STATUS_BY_CODE, code) && code !== 'ERR_CLIENT_INVALID' && code !== 'ERR_RATE_LIMITED')
        throw new ApoJwtError(code as ApoJwtErrorCode, 'the token endpoint refused the exchange');
      // This service's own credentials refused, or an endpoint failing: not the caller's fault, fail closed.
      throw new ApoJwtError('ERR_STORE_UNAVAILABLE', `the token endpoint answered ${response.status}`);
    }
    const token = record['access_token'];
    const expiresIn = record['expires_in'];
    if (typeof token !== 'string' || typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn <= 0) {
      throw new ApoJwtError('ERR_STORE_UNAVAILABLE', 'the token endpoint answered without an access token');
    }
    return { token, expiresIn };
  }

  async function token(subjectToken: string): Promise<string> {
    if (typeof subjectToken !== 'string' || subjectToken.length === 0) throw new ApoJwtError('ERR_TOKEN_MISSING', 'no user token to exchange');
    const key = createHash('sha256').update(subjectToken).digest('base64url');
    const hit = cache.get(key);
    if (hit !== undefined && settings.now() < hit.refreshAt) return hit.token;
    const inFlight = pending.get(key);
    if (inFlight !== undefined) return inFlight;
    const started = exchange(subjectToken).then(({ token: exchanged, expiresIn }) => {
      const margin = Math.min(settings.refreshBeforeSeconds, expiresIn / 2);
      cache.delete(key);
      if (cache.size >= settings.maxCached) cache.delete(cache.keys().next().value as string); // the oldest
      cache.set(key, { token: exchanged, refreshAt: settings.now() + (expiresIn - margin) * 1000 });
      return exchanged;
    });
    pending.set(key, started);
    try {
      return await started;
    } finally {
      pending.delete(key);
    }
  }

  const call = (async (subjectToken: string, input: string | URL, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${await token(subjectToken)}`);
    return fetch(input, { ...init, headers });
  }) as ExchangingFetch;
  call.token = token;
  return Object.freeze(call);
}

/** RFC 9110 §10.2.3: delay-seconds or an HTTP-date; missing or unreadable, 1 s. */
function retryAfterSeconds(header: string | null, nowMs: number): number {
  const value = header?.trim() ?? '';
  if (/^\d+$/.test(value)) return Math.max(1, Number(value));
  const date = Date.parse(value);
  return Number.isNaN(date) ? 1 : Math.max(1, Math.ceil((date - nowMs) / 1000));
}

function checked(options: ExchangingFetchOptions) {
  if (options === null || typeof options !== 'object') throw new ApoJwtConfigError('exchangingFetch options must be an object');
  const nonEmpty = (name: 'clientId' | 'clientSecret' | 'audience') => {
    const value = options[name];
    if (typeof value !== 'string' || value.length === 0) throw new ApoJwtConfigError(`exchangingFetch: ${name} must be a non-empty string`);
    return value;
  };
  let tokenUrl: URL;
  try {
    tokenUrl = new URL(options.tokenUrl);
  } catch {
    throw new ApoJwtConfigError('exchangingFetch: tokenUrl must be an absolute URL');
  }
  if (tokenUrl.protocol !== 'https:' && tokenUrl.protocol !== 'http:') throw new ApoJwtConfigError('exchangingFetch: tokenUrl must be http(s)');
  const whole = (name: 'refreshBeforeSeconds' | 'maxCached' | 'timeoutMs', fallback: number, min: number) => {
    const value = options[name] ?? fallback;
    if (!Number.isInteger(value) || value < min) throw new ApoJwtConfigError(`exchangingFetch: ${name} must be a whole number from ${min}`);
    return value;
  };
  const scope = options.scope;
  if (scope !== undefined && !(Array.isArray(scope) && scope.length > 0 && scope.every((s) => typeof s === 'string' && /^[\x21\x23-\x5B\x5D-\x7E]+$/.test(s)))) {
    throw new ApoJwtConfigError('exchangingFetch: scope must be a non-empty list of permission names');
  }
  const now = options.now ?? systemClock;
  if (typeof now !== 'function') throw new ApoJwtConfigError('exchangingFetch: now must be a function');
  const clientId = nonEmpty('clientId');
  const clientSecret = nonEmpty('clientSecret');
  return {
    tokenUrl,
    audience: nonEmpty('audience'),
    scope,
    basic: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`,
    refreshBeforeSeconds: whole('refreshBeforeSeconds', 30, 0),
    maxCached: whole('maxCached', 1000, 1),
    timeoutMs: whole('timeoutMs', 5000, 1),
    now,
  };
}
