import { createHash } from 'node:crypto';
import type { RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import { ApoJwtConfigError, ApoJwtError } from '@apojwt/core';
import { knownKeys, positiveInteger } from '@apojwt/core';
import { clientIpKey } from './client-ip.js';

/**
 * Brute-force protection for logins, on `rate-limiter-flexible`: failed
 * attempts are counted per account and per client IP; reaching the limit
 * locks the key out. Each further lockout of the same key doubles, up to
 * `maxLockoutSeconds` (backoff). A successful login clears the account's
 * count and backoff, never the IP's (one valid account must not unlock an
 * attacker's IP). Memory by default; Redis (an ioredis client) when several
 * processes must share the counts. OWASP Authentication Cheat Sheet,
 * "Protect Against Automated Attacks".
 */

export interface LimitRule {
  /** Failed attempts allowed within the window; the last one starts a lockout. */
  attempts: number;
  /** Seconds after the first failure during which failures are counted. */
  windowSeconds: number;
  /** Seconds of the first lockout. */
  lockoutSeconds: number;
  /** Upper bound when lockouts double; equal to `lockoutSeconds` (the default) turns backoff off. */
  maxLockoutSeconds?: number;
}

export interface LoginLimiterOptions {
  /** Per account (the username). Default 5 failures / 15 min, lockout 1 min doubling up to 1 h. `false` turns it off. */
  perAccount?: LimitRule | false;
  /** Per client IP. Default 100 failures / 1 h, lockout 1 h. `false` turns it off. */
  perIp?: LimitRule | false;
  /**
   * An ioredis client: counts live in Redis and are shared by every process
   * using it. While Redis is unreachable, commands follow the client's own
   * settings (offline queue, `maxRetriesPerRequest`); each one that fails is
   * ERR_STORE_UNAVAILABLE.
   */
  redis?: unknown;
  /**
   * Most milliseconds one limiter call may take (default 2 000). A frozen
   * Redis keeps the connection open and never answers: without this bound a
   * login would wait as long as the freeze. When it runs out the login is
   * ERR_STORE_UNAVAILABLE (503).
   */
  timeoutMs?: number;
  /** Prefix of every key, as in @apojwt/redis. Default "apojwt:"; keys are `<prefix>login:…`. */
  prefix?: string;
  /**
   * Maps a username to its counter key. Default: NFC + lower case, so "Alice"
   * and "alice" share one count whatever the user lookup does with case.
   */
  accountKey?: (username: string) => string;
  /**
   * Maps a client IP to its counter key. Default `clientIpKey`: IPv6 by /64
   * prefix (one host usually holds a whole /64), IPv4-mapped IPv6 as IPv4.
   */
  ipKey?: (ip: string) => string;
}

export const DEFAULT_ACCOUNT_RULE: Readonly<Required<LimitRule>> = Object.freeze({ attempts: 5, windowSeconds: 900, lockoutSeconds: 60, maxLockoutSeconds: 3600 });
export const DEFAULT_IP_RULE: Readonly<Required<LimitRule>> = Object.freeze({ attempts: 100, windowSeconds: 3600, lockoutSeconds: 3600, maxLockoutSeconds: 3600 });

interface Counter {
  readonly name: 'account' | 'ip';
  readonly rule: Required<LimitRule>;
  /** Failures within the window. */
  readonly failures: RateLimiterAbstract;
  /** Lockouts so far, kept long enough to drive the backoff. */
  readonly lockouts: RateLimiterAbstract;
}

type RateLimiterModule = typeof import('rate-limiter-flexible');
let limiterModule: Promise<RateLimiterModule> | undefined;

function loadLimiterModule(): Promise<RateLimiterModule> {
  limiterModule ??= import('rate-limiter-flexible').then((m) => ((m as { default?: RateLimiterModule }).default ?? m) as RateLimiterModule);
  return limiterModule;
}

/** One login attempt in progress: report how it ended. */
export interface LoginAttempt {
  /** Wrong credentials: the attempt stays counted; reaching a limit starts a lockout. */
  failed(): Promise<void>;
  /** Success: the account's count and backoff are cleared; the IP's earlier failures stay. */
  succeeded(): Promise<void>;
  /** No verdict (the user lookup failed): the attempt is given back. */
  abandoned(): Promise<void>;
}

export class LoginLimiter {
  private readonly accountRule: Required<LimitRule> | undefined;
  private readonly ipRule: Required<LimitRule> | undefined;
  private readonly redis: unknown;
  private readonly prefix: string;
  private readonly accountKey: (username: string) => string;
  private readonly ipKey: (ip: string) => string;
  private readonly timeoutMs: number;
  private counters: Promise<{ account?: Counter; ip?: Counter }> | undefined;

  constructor(options: LoginLimiterOptions = {}) {
    if (options === null || typeof options !== 'object') throw new ApoJwtConfigError('LoginLimiter needs an options object');
    knownKeys('LoginLimiter', options, ['perAccount', 'perIp', 'redis', 'prefix', 'accountKey', 'ipKey', 'timeoutMs']);
    this.timeoutMs = positiveInteger('LoginLimiter timeoutMs', options.timeoutMs, 2_000, 60_000);
    this.accountRule = rule('perAccount', options.perAccount, DEFAULT_ACCOUNT_RULE);
    this.ipRule = rule('perIp', options.perIp, DEFAULT_IP_RULE);
    if (options.redis !== undefined && (options.redis === null || typeof (options.redis as { eval?: unknown }).eval !== 'function')) {
      throw new ApoJwtConfigError('redis must be an ioredis client');
    }
    this.redis = options.redis;
    this.prefix = options.prefix ?? 'apojwt:';
    if (typeof this.prefix !== 'string' || this.prefix.length === 0) throw new ApoJwtConfigError('prefix must be a non-empty string');
    if (options.accountKey !== undefined && typeof options.accountKey !== 'function') throw new ApoJwtConfigError('accountKey must be a function');
    this.accountKey = options.accountKey ?? ((username) => username.normalize('NFC').toLowerCase());
    if (options.ipKey !== undefined && typeof options.ipKey !== 'function') throw new ApoJwtConfigError('ipKey must be a function');
    this.ipKey = options.ipKey ?? clientIpKey;
  }

  /**
   * Starts a login attempt. Every limit is charged one attempt *before* the
   * password is checked, so parallel guesses cannot all slip through one
   * check-then-count gap: once the limit is used up (by finished or in-flight
   * attempts) the next one is refused at once with ERR_RATE_LIMITED (429,
   * `details.retryAfterSeconds`). Report the outcome on the returned attempt.
   */
  async begin(username: string, ip?: string): Promise<LoginAttempt> {
    const counters = await this.load();
    const keys = [...this.keys(counters, username, ip)];
    const charged: Array<[Counter, string, number]> = [];
    let waitMs = 0;
    for (const [counter, key] of keys) {
      try {
        const state = await this.bounded(counter.failures.consume(key, 1));
        charged.push([counter, key, state.consumedPoints]);
      } catch (error) {
        if (error instanceof Error) {
          await this.refund(charged);
          throw storeUnavailable(error);
        }
        waitMs = Math.max(waitMs, (error as RateLimiterRes).msBeforeNext);
      }
    }
    if (waitMs > 0) {
      await this.refund(charged);
      throw rateLimited(waitMs);
    }
    return {
      failed: async () => {
        for (const [counter, key, consumed] of charged) if (consumed === counter.rule.attempts) await this.lockOut(counter, key);
      },
      abandoned: () => this.refund(charged),
      succeeded: async () => {
        for (const [counter, key] of charged) {
          if (counter.name === 'account') {
            // The account's failures and backoff are forgotten.
            await this.guard(counter.failures.delete(key));
            await this.guard(counter.lockouts.delete(key));
          } else {
            // The IP only gets this attempt back: its earlier failures still count.
            await this.guard(counter.failures.reward(key, 1));
          }
        }
      },
    };
  }

  /**
   * Starts an attempt that is counted only if it fails, for credentials of
   * high entropy (client secrets, 256 random bits): refused at once with
   * ERR_RATE_LIMITED while a limit is used up or locked out; otherwise
   * nothing is charged, so a client may have any number of requests in
   * flight and its successes never reach a limit. A failure is counted when
   * it is reported, and the one that uses up a limit starts the lockout
   * (doubling as with `begin`).
   *
   * The trade-off against `begin`: the check and the count are apart, so
   * guesses already past the check when the limit is reached are still
   * verified (a burst of parallel guesses gets one round, then every
   * attempt is refused before its secret is checked). Against a 256-bit
   * secret a round of guesses changes nothing; against a password it would,
   * so logins use `begin`. A success clears nothing: a busy client's
   * successes would otherwise wipe out a guesser's failures between two
   * guesses. Failures expire with the window.
   */
  async admit(key: string, ip?: string): Promise<LoginAttempt> {
    const counters = await this.load();
    const keys = [...this.keys(counters, key, ip)];
    const states = await Promise.all(keys.map(([counter, k]) => this.guard(counter.failures.get(k))));
    let waitMs = 0;
    for (const [index, [counter]] of keys.entries()) {
      const state = states[index];
      if (state !== null && state !== undefined && state.consumedPoints >= counter.rule.attempts) waitMs = Math.max(waitMs, state.msBeforeNext, 1);
    }
    if (waitMs > 0) throw rateLimited(waitMs);
    const nothing = async (): Promise<void> => undefined;
    return {
      failed: async () => {
        for (const [counter, k] of keys) {
          let consumed: number;
          try {
            consumed = (await this.bounded(counter.failures.consume(k, 1))).consumedPoints;
          } catch (error) {
            // Points run out: a failure reported at the same time used up the limit and starts the lockout.
            if (error instanceof Error) throw storeUnavailable(error);
            continue;
          }
          if (consumed === counter.rule.attempts) await this.lockOut(counter, k);
        }
      },
      succeeded: nothing,
      abandoned: nothing,
    };
  }

  /** The failure that used up a limit starts the lockout, doubled per earlier lockout (backoff). */
  private async lockOut(counter: Counter, key: string): Promise<void> {
    const { rule } = counter;
    const lockouts = (await this.guard(counter.lockouts.consume(key, 1))).consumedPoints;
    const seconds = Math.min(rule.maxLockoutSeconds, rule.lockoutSeconds * 2 ** Math.min(lockouts - 1, 30));
    await this.guard(counter.failures.block(key, seconds));
  }

  /** Gives back the attempt charged to limits that accepted it when another limit refused it. */
  private async refund(charged: Array<[Counter, string, number]>): Promise<void> {
    for (const [counter, key] of charged) await this.guard(counter.failures.reward(key, 1));
  }

  /**
   * Every store call gets at most `timeoutMs`: a frozen Redis (or a client
   * with an offline queue) would otherwise hold the login open for as long
   * as the outage. A late answer is ignored; the attempt may stay charged,
   * which errs on the closed side.
   */
  private bounded<T>(call: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`the limit store did not answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    // A call that settles after the timeout must not become an unhandled rejection.
    call.catch(() => undefined);
    return Promise.race([call, expired]).finally(() => clearTimeout(timer));
  }

  private guard<T>(call: Promise<T>): Promise<T> {
    return guard(this.bounded(call));
  }

  private *keys(counters: { account?: Counter; ip?: Counter }, username: string, ip: string | undefined): Generator<[Counter, string]> {
    if (counters.account !== undefined) yield [counters.account, this.hashKey(this.accountKey(username))];
    if (counters.ip !== undefined && typeof ip === 'string' && ip.length > 0) yield [counters.ip, this.hashKey(this.ipKey(ip))];
  }

  /** Usernames are personal data and of any length: the store only sees a digest. */
  private hashKey(value: string): string {
    return createHash('sha256').update(value, 'utf8').digest('base64url');
  }

  private load(): Promise<{ account?: Counter; ip?: Counter }> {
    this.counters ??= loadLimiterModule().then((lib) => {
      const make = (name: 'account' | 'ip', r: Required<LimitRule>): Counter => {
        const build = (suffix: string, points: number, duration: number): RateLimiterAbstract => {
          const keyPrefix = `${this.prefix}login:${name}:${suffix}`;
          return this.redis === undefined ? new lib.RateLimiterMemory({ points, duration, keyPrefix }) : new lib.RateLimiterRedis({ storeClient: this.redis, points, duration, keyPrefix });
        };
        // Lockout history outlives the longest lockout, so the next one can double.
        const memory = Math.max(r.windowSeconds, r.maxLockoutSeconds * 2);
        return { name, rule: r, failures: build('fail', r.attempts, r.windowSeconds), lockouts: build('lockouts', Number.MAX_SAFE_INTEGER, memory) };
      };
      return {
        ...(this.accountRule && { account: make('account', this.accountRule) }),
        ...(this.ipRule && { ip: make('ip', this.ipRule) }),
      };
    });
    return this.counters;
  }
}

function rule(name: string, value: LimitRule | false | undefined, fallback: Readonly<Required<LimitRule>>): Required<LimitRule> | undefined {
  if (value === false) return undefined;
  if (value === undefined) return { ...fallback };
  if (value === null || typeof value !== 'object') throw new ApoJwtConfigError(`${name} must be an object or false`);
  knownKeys(name, value, ['attempts', 'windowSeconds', 'lockoutSeconds', 'maxLockoutSeconds']);
  const positive = (field: string, v: unknown): number => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 10 * 366 * 86_400) throw new ApoJwtConfigError(`${name}.${field} must be a positive integer`);
    return v;
  };
  const attempts = positive('attempts', value.attempts);
  const windowSeconds = positive('windowSeconds', value.windowSeconds);
  const lockoutSeconds = positive('lockoutSeconds', value.lockoutSeconds);
  const maxLockoutSeconds = value.maxLockoutSeconds === undefined ? lockoutSeconds : positive('maxLockoutSeconds', value.maxLockoutSeconds);
  if (maxLockoutSeconds < lockoutSeconds) throw new ApoJwtConfigError(`${name}.maxLockoutSeconds must be at least lockoutSeconds`);
  return { attempts, windowSeconds, lockoutSeconds, maxLockoutSeconds };
}

function rateLimited(waitMs: number): ApoJwtError {
  return new ApoJwtError('ERR_RATE_LIMITED', 'too many login attempts; try again later', { retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) });
}

function storeUnavailable(error: unknown): ApoJwtError {
  return new ApoJwtError('ERR_STORE_UNAVAILABLE', 'the login limit store is unavailable', {}, { cause: error });
}

/**
 * rate-limiter-flexible rejects with an Error when the store fails (fail
 * closed: 503), and with a RateLimiterRes when points run out, which only a
 * racing attempt can cause here: report it as the lockout it is.
 */
async function guard<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof Error) throw storeUnavailable(error);
    throw rateLimited((error as RateLimiterRes).msBeforeNext ?? 1000);
  }
}
