import type { Redis } from 'ioredis';
import { ApoJwtConfigError, type RotationStore } from '@apojwt/core';
import { connect, keyPrefix, knownOptions, type RedisInput } from './connection.js';
import { CONSUME, runScript } from './scripts.js';

export interface RedisRotationStoreOptions {
  /** An ioredis client (never closed by the store) or a redis:// URL. */
  redis: RedisInput;
  /** Prefix of every key. Default "apojwt:". */
  prefix?: string;
}

// A refresh token is still accepted up to clockTolerance (at most 300 s) after
// its exp: its "used" mark must outlive that, or a replay would look fresh.
const TOLERANCE_MARGIN = 300;

/**
 * Which refresh tokens were already rotated, on Redis. `consume` is one Lua
 * script (GET, then SET only when absent): Redis runs it atomically, so of
 * any number of concurrent rotations of one token across every service,
 * exactly one sees it fresh. Reuse detection and family revocation stay in
 * core (`ApoJwt.consumeRefresh`); this store only answers.
 */
export class RedisRotationStore implements RotationStore {
  readonly prefix: string;
  private readonly client: Redis;
  private readonly ownsClient: boolean;

  constructor(options: RedisRotationStoreOptions) {
    if (options === null || typeof options !== 'object') throw new ApoJwtConfigError('RedisRotationStore needs an options object');
    knownOptions('RedisRotationStore', options, ['redis', 'prefix']);
    this.prefix = keyPrefix(options.prefix);
    const { client, owned } = connect(options.redis, 'RedisRotationStore');
    this.client = client;
    this.ownsClient = owned;
  }

  async consume(jti: string, expiresAt: number, nowSeconds: number): Promise<number | undefined> {
    const ttlMs = Math.max(1, expiresAt - nowSeconds + TOLERANCE_MARGIN) * 1000;
    const first = await runScript(this.client, CONSUME, [`${this.prefix}rot:${jti}`], [nowSeconds, Math.ceil(ttlMs)]);
    return first === null ? undefined : Number(first);
  }

  async close(): Promise<void> {
    if (this.ownsClient) this.client.disconnect();
  }
}
