import { createPublicKey, type KeyObject, type JsonWebKey } from 'node:crypto';
import { createRemoteJWKSet, customFetch } from 'jose';
import { ApoJwtConfigError, ApoJwtError } from './errors.js';
import { ALGORITHMS, assertKeyFitsAlgorithm, isSymmetric, type Algorithm } from './algorithms.js';
import { systemClock, type Clock } from './clock.js';
import type { KeyResolver } from './keys.js';
import { knownKeys, optionalFunction, positiveInteger } from './validate.js';

export interface RemoteJwksOptions {
  /** Milliseconds before a JWKS request gives up. Default 5 000. */
  timeout?: number;
  /** Minimum milliseconds between two requests (the rate limit on unknown kids). Default 30 000. */
  cooldown?: number;
  /** Milliseconds after which the set is refreshed in the background; the old one keeps serving meanwhile. Default 600 000. */
  maxAge?: number;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** Clock for `cooldown` and `maxAge` (ms since epoch). Default `Date.now`. */
  now?: Clock;
}

interface RemoteKey {
  readonly key: KeyObject;
  /** The algorithms this key may verify: its JWK `alg` if any, else every one its type fits. */
  readonly algorithms: ReadonlySet<Algorithm>;
}

type JoseRemoteSet = ReturnType<typeof createRemoteJWKSet>;

const PUBLIC_MEMBERS = ['kty', 'n', 'e', 'crv', 'x', 'y'] as const;

/**
 * Verification keys from an issuer's JWKS URL. The set is fetched once and
 * served from memory (a known kid never waits for the network). It is
 * refetched on an unknown kid, at most once per `cooldown`, and in the
 * background once older than `maxAge`. When the issuer is unreachable the
 * last good set keeps verifying. jose does the HTTP part (timeout, shape
 * checks, one request in flight at a time); this class decides when to ask.
 *
 * Errors: ERR_KEY_UNKNOWN (401) when the kid is not in the set after a
 * refetch (or during the cooldown); ERR_STORE_UNAVAILABLE (503) while no set
 * was ever fetched.
 */
export class RemoteJwks implements KeyResolver {
  readonly url: URL;
  private readonly remote: JoseRemoteSet;
  private readonly clock: Clock;
  private readonly cooldown: number;
  private readonly maxAge: number;
  private keys: Map<string, RemoteKey> | undefined;
  private fetchedAt = Number.NEGATIVE_INFINITY;
  private attemptedAt = Number.NEGATIVE_INFINITY;
  private pending: Promise<void> | undefined;
  private fetches = 0;
  private withdrawals = 0;

  constructor(url: string | URL, options: RemoteJwksOptions = {}) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new ApoJwtConfigError('jwksUri must be an absolute URL');
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new ApoJwtConfigError('jwksUri must be an http(s) URL');
    if (options === null || typeof options !== 'object') throw new ApoJwtConfigError('jwksOptions must be an object');
    knownKeys('jwksOptions', options, ['timeout', 'cooldown', 'maxAge', 'headers', 'now']);
    this.url = parsed;
    const timeout = positiveInteger('jwksOptions.timeout', options.timeout, 5_000, 60_000);
    this.cooldown = nonNegativeInteger('jwksOptions.cooldown', options.cooldown, 30_000);
    this.maxAge = positiveInteger('jwksOptions.maxAge', options.maxAge, 600_000, 7 * 86_400_000);
    this.clock = optionalFunction<Clock>('jwksOptions.now', options.now) ?? systemClock;
    if (options.headers !== undefined && (options.headers === null || typeof options.headers !== 'object')) {
      throw new ApoJwtConfigError('jwksOptions.headers must be an object of strings');
    }
    if (options.headers !== undefined) checkHeaders(options.headers);
    // jose's own freshness and cooldown are turned off: it fetches when told to.
    this.remote = createRemoteJWKSet(parsed, {
      timeoutDuration: timeout,
      cooldownDuration: 0,
      cacheMaxAge: Number.POSITIVE_INFINITY,
      ...(options.headers ? { headers: options.headers } : {}),
      [customFetch]: cappedFetch,
    });
  }

  resolve(kid: string | undefined, alg: Algorithm): KeyObject | Promise<KeyObject> {
    if (kid === undefined) throw unknownKey();
    const now = this.clock();
    if (this.keys !== undefined && now - this.fetchedAt >= this.maxAge && this.mayFetch(now)) {
      this.refresh().catch(() => undefined); // stale keys keep serving; failure is retried after the cooldown
    }
    const hit = this.lookup(kid, alg);
    return hit ?? this.resolveAfterFetch(kid, alg);
  }

  /** Fetches the set now (e.g. at startup). Rejects with ERR_STORE_UNAVAILABLE when the issuer cannot be reached. */
  refresh(): Promise<void> {
    this.pending ??= this.load().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** The kids of the last good set. */
  get kids(): string[] {
    return [...(this.keys?.keys() ?? [])];
  }

  /** Changes whenever a refetched set no longer holds a key (or holds another under its kid): verified-token caches drop what they hold. */
  get keyEpoch(): number {
    return this.withdrawals;
  }

  /** Requests made so far (successful or not); for monitoring. */
  get fetchCount(): number {
    return this.fetches;
  }

  private async resolveAfterFetch(kid: string, alg: Algorithm): Promise<KeyObject> {
    if (this.pending !== undefined || this.mayFetch(this.clock())) {
      await this.refresh().catch(() => undefined);
    }
    const key = this.lookup(kid, alg);
    if (key !== undefined) return key;
    if (this.keys === undefined) throw new ApoJwtError('ERR_STORE_UNAVAILABLE', 'the issuer key set cannot be fetched');
    throw unknownKey();
  }

  private mayFetch(now: number): boolean {
    return this.pending === undefined && now - this.attemptedAt >= this.cooldown;
  }

  private lookup(kid: string, alg: Algorithm): KeyObject | undefined {
    const entry = this.keys?.get(kid);
    return entry !== undefined && entry.algorithms.has(alg) ? entry.key : undefined;
  }

  private async load(): Promise<void> {
    this.attemptedAt = this.clock();
    this.fetches += 1;
    try {
      await this.remote.reload();
    } catch (error) {
      throw new ApoJwtError('ERR_STORE_UNAVAILABLE', 'the issuer key set cannot be fetched', {}, { cause: error });
    }
    const previous = this.keys;
    this.keys = importSet(this.remote.jwks()?.keys ?? []);
    this.fetchedAt = this.clock();
    if (previous !== undefined && withdrawsAny(previous, this.keys)) this.withdrawals += 1;
  }
}

/** Keys that cannot verify anything (encryption keys, secrets, broken members) are skipped, not fatal. */
function importSet(jwks: readonly JsonWebKey[]): Map<string, RemoteKey> {
  const keys = new Map<string, RemoteKey>();
  for (const jwk of jwks) {
    const kid = jwk['kid'];
    if (typeof kid !== 'string' || kid.length === 0 || keys.has(kid)) continue;
    if (jwk['use'] !== undefined && jwk['use'] !== 'sig') continue;
    let key: KeyObject;
    try {
      const members: JsonWebKey = {};
      for (const name of PUBLIC_MEMBERS) if (jwk[name] !== undefined) members[name] = jwk[name];
      key = createPublicKey({ key: members, format: 'jwk' });
    } catch {
      continue;
    }
    const declared = jwk['alg'];
    const algorithms = new Set<Algorithm>();
    for (const alg of ALGORITHMS) {
      if (isSymmetric(alg) || (declared !== undefined && declared !== alg)) continue;
      try {
        assertKeyFitsAlgorithm(key, alg, 'jwks');
        algorithms.add(alg);
      } catch {
        // this key type cannot serve alg
      }
    }
    if (algorithms.size > 0) keys.set(kid, { key, algorithms });
  }
  return keys;
}

/** True when a key of `before` no longer verifies what it did: its kid gone, another key under it, or fewer algorithms. */
function withdrawsAny(before: ReadonlyMap<string, RemoteKey>, after: ReadonlyMap<string, RemoteKey>): boolean {
  for (const [kid, old] of before) {
    const now = after.get(kid);
    if (now === undefined || !now.key.equals(old.key)) return true;
    for (const alg of old.algorithms) if (!now.algorithms.has(alg)) return true;
  }
  return false;
}

function unknownKey(): ApoJwtError {
  return new ApoJwtError('ERR_KEY_UNKNOWN', 'no verification key matches the token header');
}

function nonNegativeInteger(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 86_400_000) {
    throw new ApoJwtConfigError(`${name} must be a whole number of milliseconds from 0 to 86400000`);
  }
  return value;
}

/** A header jose could not send would fail every fetch (503 on every request): refuse it at construction. */
function checkHeaders(headers: object): void {
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== 'string') throw new ApoJwtConfigError(`jwksOptions.headers.${name} must be a string`);
  }
  try {
    new Headers(headers as Record<string, string>);
  } catch {
    throw new ApoJwtConfigError('jwksOptions.headers holds an invalid header name or value');
  }
}

/** Largest JWK Set read: a few dozen keys take a few KB; this bounds memory when the issuer (or a proxy) answers with something else. */
const MAX_JWKS_BYTES = 1024 * 1024;

/**
 * fetch, with the body read up to MAX_JWKS_BYTES and the request abandoned
 * past it (jose itself reads any size until its timeout). Failures become
 * ERR_STORE_UNAVAILABLE in `load`.
 */
async function cappedFetch(url: string, init: RequestInit): Promise<Response> {
  const response = await fetch(url, init);
  if (response.status !== 200 || response.body === null) return response;
  if (Number(response.headers.get('content-length') ?? 0) > MAX_JWKS_BYTES) {
    await response.body.cancel();
    throw new Error('the JWK Set is larger than the limit');
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_JWKS_BYTES) {
      await reader.cancel();
      throw new Error('the JWK Set is larger than the limit');
    }
    chunks.push(value);
  }
  return new Response(Buffer.concat(chunks), { status: 200, headers: response.headers });
}
