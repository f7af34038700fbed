import { Redis, type RedisOptions } from 'ioredis';
import { ApoJwtConfigError } from '@apojwt/core';

/** An ioredis client (shared with the application, which keeps owning it) or a redis:// URL (the store owns the client). */
export type RedisInput = Redis | string;

/**
 * Defaults for clients the stores create: a command waits for at most one
 * reconnection attempt and two seconds, so a request never hangs on a dead
 * Redis; it fails and the verifier answers 503.
 */
export const FAIL_FAST: RedisOptions = { maxRetriesPerRequest: 1, commandTimeout: 2_000 };

export interface OwnedClient {
  readonly client: Redis;
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
  if (input instanceof Redis) return { client: input, owned: false };
  throw new ApoJwtConfigError(`${label}: redis must be an ioredis client or a redis:// URL`);
}

export function keyPrefix(prefix: unknown): string {
  if (prefix === undefined) return 'apojwt:';
  if (typeof prefix !== 'string' || prefix.length === 0) throw new ApoJwtConfigError('prefix must be a non-empty string');
  return prefix;
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
