import { ApoJwtConfigError, type RotationStore } from '@apojwt/core';
import { connect, keyPrefix, knownOptions, taggedKey, type RedisClient, type RedisInput } from './connection.js';
import { confirmReplicated, replicationOption, REPLICATION_OPTIONS, type Replication, type ReplicationOptions } from './replication.js';
import { CONSUME, EPOCH, runScript } from './scripts.js';

export interface RedisRotationStoreOptions extends ReplicationOptions {
  /** An ioredis client (`Redis`, Sentinel included, or `Cluster`; never closed by the store) or a redis:// URL. */
  redis: RedisInput;
  /** Prefix of every key. Default "apojwt:". */
  prefix?: string;
  /** Clock (ms since epoch) for the store's epoch when it connects; give it the same `now` as ApoJwt. Default `Date.now`. */
  now?: () => number;
}

/** What core tells the store about the token (`iat`); absent from callers written before it existed. */
type ConsumedToken = Parameters<RotationStore['consume']>[3];

// A refresh token is still accepted up to clockTolerance (at most 300 s) after
// its exp: its "used" mark must outlive that, or a replay would look fresh.
const TOLERANCE_MARGIN = 300;

/**
 * Which refresh tokens were already rotated, on Redis. `consume` is one Lua
 * script (GET, then SET only when absent): Redis runs it atomically, so of
 * any number of concurrent rotations of one token across every service,
 * exactly one sees it fresh. Reuse detection and family revocation stay in
 * core (`ApoJwt.consumeRefresh`); this store only answers.
 *
 * A Redis that loses its data (a restart without persistence, FLUSHALL, an
 * eviction) loses the used marks with it, and a spent token would rotate
 * again. So the store keeps an epoch key: written when absent, checked by
 * every `consume` in the same script. When it is missing or changed under a
 * store that saw it before, Redis lost data: the new epoch is the next
 * second, and every refresh token issued before it (`iat` below the epoch) is
 * answered as already used (core: ERR_REFRESH_REUSED, family revoked). Its
 * holder logs in again. Without `iat` (an older core), every token is refused
 * after a loss: it cannot be told apart.
 */
export class RedisRotationStore implements RotationStore {
  readonly prefix: string;
  private readonly client: RedisClient;
  private readonly replication: Replication;
  private readonly ownsClient: boolean;
  private readonly clock: () => number;
  private readonly epochKey: string;
  /** The epoch this store last saw in Redis; "" before the first answer. */
  private seenEpoch = '';
  private readonly onReady = (): void => void this.establishEpoch();

  constructor(options: RedisRotationStoreOptions) {
    if (options === null || typeof options !== 'object') throw new ApoJwtConfigError('RedisRotationStore needs an options object');
    knownOptions('RedisRotationStore', options, ['redis', 'prefix', 'now', ...REPLICATION_OPTIONS]);
    this.replication = replicationOption('RedisRotationStore', options);
    this.prefix = keyPrefix(options.prefix);
    if (options.now !== undefined && typeof options.now !== 'function') throw new ApoJwtConfigError('now must be a function');
    this.clock = options.now ?? Date.now;
    // One hash tag for the epoch and every used mark: the script reads both, so on a cluster they share a slot.
    this.epochKey = taggedKey(this.prefix, 'rotation:epoch');
    const { client, owned } = connect(options.redis, 'RedisRotationStore');
    this.client = client;
    this.ownsClient = owned;
    // On every (re)connection, before the first rotation: a Redis that came back empty gets its new epoch at once.
    this.client.on('ready', this.onReady);
    if (this.client.status === 'ready') this.onReady();
  }

  async consume(jti: string, expiresAt: number, nowSeconds: number, token?: ConsumedToken): Promise<number | undefined> {
    const ttlMs = Math.max(1, expiresAt - nowSeconds + TOLERANCE_MARGIN) * 1000;
    const iat = token !== undefined && Number.isFinite(token.iat) ? String(Math.floor(token.iat)) : '';
    const [verdict, first, epoch] = (await runScript(this.client, CONSUME, [taggedKey(this.prefix, `rot:${jti}`), this.epochKey], [nowSeconds, Math.ceil(ttlMs), iat, this.seenEpoch])) as [
      string,
      string,
      string,
    ];
    this.seenEpoch = epoch;
    if (verdict === 'fresh') {
      // A used mark lost in a failover would let the token rotate again: the rotation is answered once replicas hold it.
      await confirmReplicated(this.client, this.epochKey, this.replication);
      return undefined;
    }
    return Number(first);
  }

  async close(): Promise<void> {
    this.client.off('ready', this.onReady);
    if (this.ownsClient) this.client.disconnect();
  }

  private async establishEpoch(): Promise<void> {
    try {
      this.seenEpoch = (await runScript(this.client, EPOCH, [this.epochKey], [Math.floor(this.clock() / 1000), this.seenEpoch])) as string;
    } catch {
      // Redis went away again; the next consume checks the epoch in its own script.
    }
  }
}
