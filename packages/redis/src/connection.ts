import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { ApoJwtConfigError } from '@apojwt/core';

/**
 * An ioredis client (shared with the application, which keeps owning it) or a
 * redis:// URL (the store owns the client). A `Redis` may be a single server or
 * a Sentinel-managed one (`new Redis({ sentinels, name })`); a `Cluster` is a
 * Redis Cluster.
 */
export type RedisInput = Redis | Cluster | string;

/** The command client of a store: one server (or the master Sentinel names), or a whole cluster. */
export type RedisClient = Redis | Cluster;

/**
 * Defaults for clients the stores create: a command waits for at most one
 * reconnection attempt and two seconds, so a request never hangs on a dead
 * Redis; it fails and the verifier answers 503.
 */
export const FAIL_FAST: RedisOptions = { maxRetriesPerRequest: 1, commandTimeout: 2_000 };

export interface OwnedClient {
  readonly client: RedisClient;
  readonly owned: boolean;
}

export function connect(input: RedisInput, label: string): OwnedClient {
  if (typeof input === 'string') {
    if (!/^rediss?:\/\//.test(input)) throw new ApoJwtConfigError(`${label}: the Redis URL must start with redis:// or rediss://`);
    const client = new Redis(input, FAIL_FAST);
    // Errors surface on the commands that fail; the event must still be handled or ioredis logs each one.
    client.on('error', () => undefined);
    return { client, owned: true };
  }
  if (input instanceof Redis || input instanceof Cluster) return { client: input, owned: false };
  throw new ApoJwtConfigError(`${label}: redis must be an ioredis client (Redis or Cluster) or a redis:// URL`);
}

/**
 * The prefix is the hash tag of every key (`{apojwt:}rev:jti`): a Redis
 * Cluster runs a script only when all its keys share one slot, and the tag
 * puts every key of one prefix (and the revocation channel) in the same slot.
 * Braces inside the prefix would end the tag early, so they are refused.
 */
export function keyPrefix(prefix: unknown): string {
  if (prefix === undefined) return 'apojwt:';
  if (typeof prefix !== 'string' || prefix.length === 0) throw new ApoJwtConfigError('prefix must be a non-empty string');
  if (/[{}]/.test(prefix)) throw new ApoJwtConfigError('prefix must not contain "{" or "}": it becomes the hash tag of every key');
  return prefix;
}

/** The name of one key of a store: the prefix as hash tag, then the rest. */
export function taggedKey(prefix: string, rest: string): string {
  return `{${prefix}}${rest}`;
}

/** A misspelt option (`prefx`) would silently leave the default prefix: services would not share revocations. */
export function knownOptions(label: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new ApoJwtConfigError(`${label}: unknown option "${key}"`);
  }
}

/** As the memory stores' `maxEntries`: 'abc' would disable the bound (no size is >= NaN), 0 would refuse every write. */
export function maxEntriesOption(label: string, value: unknown): number {
  if (value === undefined) return 100_000;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 100_000_000) {
    throw new ApoJwtConfigError(`${label} maxEntries must be a whole number from 1 to 100000000`);
  }
  return value;
}
