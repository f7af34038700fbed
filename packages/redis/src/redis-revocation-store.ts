import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import { ApoJwtConfigError, ApoJwtError, type RevocationQuery, type RevocationStore } from '@apojwt/core';
import { RevocationMirror, type Entry, type EntryKind } from './mirror.js';
import { connect, keyPrefix, knownOptions, type RedisInput } from './connection.js';
import { REVOKE, runScript } from './scripts.js';

export interface RedisRevocationStoreOptions {
  /** An ioredis client (the store duplicates it for its subscription and never closes it) or a redis:// URL. */
  redis: RedisInput;
  /** Prefix of every key and of the channel. Default "apojwt:". Services that share revocations share the prefix. */
  prefix?: string;
  /** Clock (ms since epoch) used to forget expired entries; give it the same `now` as ApoJwt. Default `Date.now`. */
  now?: () => number;
  /** Milliseconds between two attempts to resynchronise while Redis answers the subscription but not the read. Default 500. */
  retryDelay?: number;
  /**
   * Longest time (ms) the mirror is trusted without an answer from Redis on
   * the subscription. A PING goes every half heartbeat; once the last answer
   * (a PING reply, a published revocation, the subscription's confirmation)
   * is older than `heartbeat`, `isRevoked` throws ERR_STORE_UNAVAILABLE and
   * the connection is re-made. This bounds how long a service cut off from
   * Redis (a frozen server, a partition, a dead peer behind a NAT) may accept
   * a token revoked elsewhere. Default 2 000.
   */
  heartbeat?: number;
}

const KINDS: readonly EntryKind[] = ['jti', 'sub', 'fam'];

/**
 * Revocations shared by every service through Redis, checked with no round
 * trip: each process holds a mirror of all live revocations, filled by one
 * full read and kept fresh by pub/sub. The mirror is trusted only while the
 * subscription is up, the full read that followed it succeeded, and the last
 * answer on the subscription is younger than `heartbeat`; at any
 * other moment (before the first sync, while Redis is down, until the resync
 * after a reconnection) `isRevoked` throws ERR_STORE_UNAVAILABLE, so the
 * verifier fails closed (503). Reconnection and resync are automatic.
 *
 * A resync also writes back live revocations this process knows and Redis
 * lost (a restart without persistence), so a revoked token stays revoked.
 */
export class RedisRevocationStore implements RevocationStore {
  readonly prefix: string;
  private readonly client: Redis;
  private readonly ownsClient: boolean;
  private readonly subscriber: Redis;
  private readonly channel: string;
  private readonly clock: () => number;
  private readonly retryDelay: number;
  private readonly mirror = new RevocationMirror();
  private inSync = false;
  private closed = false;
  private generation = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly heartbeatTimer: NodeJS.Timeout;
  private readonly heartbeat: number;
  /** When (performance.now(), monotonic: the injectable `now` may be frozen) Redis last answered on the subscription. */
  private lastAnswer = Number.NEGATIVE_INFINITY;
  private waiters: { done(): void; fail(error: ApoJwtError): void }[] = [];

  constructor(options: RedisRevocationStoreOptions) {
    if (options === null || typeof options !== 'object') throw new ApoJwtConfigError('RedisRevocationStore needs an options object');
    knownOptions('RedisRevocationStore', options, ['redis', 'prefix', 'now', 'retryDelay', 'heartbeat']);
    this.prefix = keyPrefix(options.prefix);
    if (options.now !== undefined && typeof options.now !== 'function') throw new ApoJwtConfigError('now must be a function');
    this.clock = options.now ?? Date.now;
    const retryDelay = options.retryDelay ?? 500;
    if (!Number.isInteger(retryDelay) || retryDelay < 10 || retryDelay > 60_000) throw new ApoJwtConfigError('retryDelay must be a whole number of ms from 10 to 60000');
    this.retryDelay = retryDelay;
    const heartbeat = options.heartbeat ?? 2_000;
    if (!Number.isInteger(heartbeat) || heartbeat < 10 || heartbeat > 60_000) throw new ApoJwtConfigError('heartbeat must be a whole number of ms from 10 to 60000');
    this.heartbeat = heartbeat;
    const { client, owned } = connect(options.redis, 'RedisRevocationStore');
    this.client = client;
    this.ownsClient = owned;
    this.channel = `${this.prefix}rev:events`;
    // The subscription is re-made by hand after each reconnection, then followed by a full read.
    this.subscriber = client.duplicate({ autoResubscribe: false });
    this.subscriber.on('error', () => undefined);
    this.subscriber.on('ready', () => this.startSync());
    this.subscriber.on('close', () => this.markDown());
    this.subscriber.on('message', (channel: string, message: string) => {
      this.answered();
      this.onMessage(channel, message);
    });
    this.heartbeatTimer = setInterval(() => this.beat(), Math.max(5, Math.floor(heartbeat / 2)));
    this.heartbeatTimer.unref();
  }

  /** True while verifications are answered from an up-to-date mirror. */
  get synced(): boolean {
    return this.inSync && this.fresh();
  }

  /** Resolves once the mirror is in sync (call before serving); rejects with ERR_STORE_UNAVAILABLE after `timeoutMs`. */
  ready(timeoutMs = 10_000): Promise<void> {
    if (this.inSync) return Promise.resolve();
    if (this.closed) return Promise.reject(unavailable('the revocation store is closed'));
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        done: (): void => {
          clearTimeout(timer);
          resolve();
        },
        fail: (error: ApoJwtError): void => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        waiter.fail(unavailable('the revocation store did not sync with Redis in time'));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  isRevoked(query: RevocationQuery, nowSeconds: number): boolean {
    if (!this.inSync) throw unavailable('the revocation store is not in sync with Redis');
    if (!this.fresh()) throw unavailable('Redis has not answered the revocation store within the heartbeat');
    return this.mirror.isRevoked(query, nowSeconds);
  }

  revokeToken(jti: string, expiresAt: number, nowSeconds: number): Promise<void> {
    return this.record('jti', jti, { exp: expiresAt }, nowSeconds);
  }

  revokeSubject(sub: string, revokedAt: number, expiresAt: number, nowSeconds: number): Promise<void> {
    return this.record('sub', sub, { exp: expiresAt, at: revokedAt }, nowSeconds);
  }

  revokeFamily(fam: string, expiresAt: number, nowSeconds: number): Promise<void> {
    return this.record('fam', fam, { exp: expiresAt }, nowSeconds);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.heartbeatTimer);
    for (const waiter of this.waiters.splice(0)) waiter.fail(unavailable('the revocation store is closed'));
    this.markDown();
    this.subscriber.disconnect();
    if (this.ownsClient) this.client.disconnect();
  }

  /**
   * This process sees its own revocation at once (mirror first), then every
   * other one through Redis. A failed write rejects (the caller answers 503);
   * the local entry stays and is written back at the next resync.
   */
  private async record(kind: EntryKind, id: string, entry: Entry, now: number): Promise<void> {
    this.mirror.apply(kind, id, entry, now);
    await this.write(kind, id, entry, now);
  }

  private async write(kind: EntryKind, id: string, entry: Entry, now: number): Promise<void> {
    const message = JSON.stringify({ k: kind, id, exp: entry.exp, at: entry.at });
    await runScript(this.client, REVOKE, [this.key(kind), this.key('sub:at')], [kind, id, entry.exp, now, entry.at ?? 0, this.channel, message]);
  }

  private key(name: string): string {
    return `${this.prefix}rev:${name}`;
  }

  private markDown(): void {
    this.generation += 1;
    this.inSync = false;
    clearTimeout(this.retryTimer);
  }

  /** Redis answered on the subscription: whatever was published before this answer has been delivered. */
  private answered(): void {
    this.lastAnswer = performance.now();
  }

  /**
   * Pub/sub delivers in order on one connection, so an answer received at T
   * proves nothing published before T was missed. Past `heartbeat` without
   * one, a revocation made elsewhere may be in flight: fail closed.
   */
  private fresh(): boolean {
    return performance.now() - this.lastAnswer <= this.heartbeat;
  }

  /**
   * Every half heartbeat: a PING keeps the last answer fresh; when the last
   * answer is already too old, stop trusting the mirror and reconnect.
   */
  private beat(): void {
    if (!this.inSync) return;
    if (!this.fresh()) {
      this.markDown();
      this.subscriber.disconnect(true);
      return;
    }
    const generation = this.generation;
    this.subscriber.ping().then(() => {
      if (generation === this.generation) this.answered();
    }, () => undefined);
  }

  private startSync(): void {
    if (this.closed) return;
    const generation = ++this.generation;
    this.subscriber.subscribe(this.channel).then(
      () => {
        this.answered();
        return this.sync(generation);
      },
      () => undefined, // the connection dropped again; its next 'ready' starts over
    );
  }

  /** Full read after the subscription is confirmed: nothing published in between is missed. */
  private async sync(generation: number): Promise<void> {
    try {
      await this.readAndHeal();
    } catch {
      if (generation === this.generation && !this.closed) {
        this.retryTimer = setTimeout(() => void this.sync(generation), this.retryDelay);
        this.retryTimer.unref();
      }
      return;
    }
    if (generation !== this.generation || this.closed || this.subscriber.status !== 'ready') return;
    this.inSync = true;
    for (const waiter of this.waiters.splice(0)) waiter.done();
  }

  private async readAndHeal(): Promise<void> {
    const now = Math.floor(this.clock() / 1000);
    const pipeline = this.client.pipeline();
    for (const kind of KINDS) pipeline.zrange(this.key(kind), 0, -1, 'WITHSCORES');
    pipeline.hgetall(this.key('sub:at'));
    const replies = (await pipeline.exec()) ?? [];
    for (const [error] of replies) if (error) throw error;
    const instants = (replies[3]?.[1] ?? {}) as Record<string, string>;
    const inRedis = new Map<string, Entry>();
    KINDS.forEach((kind, i) => {
      const flat = (replies[i]?.[1] ?? []) as string[];
      for (let j = 0; j + 1 < flat.length; j += 2) {
        const id = flat[j] as string;
        const entry: Entry = kind === 'sub' ? { exp: Number(flat[j + 1]), at: Number(instants[id] ?? Number.NaN) } : { exp: Number(flat[j + 1]) };
        if (kind === 'sub' && !Number.isFinite(entry.at)) continue;
        inRedis.set(`${kind}:${id}`, entry);
        this.mirror.apply(kind, id, entry, now);
      }
    });
    const missing: Promise<void>[] = [];
    for (const [kind, id, entry] of this.mirror.entries(now)) {
      const remote = inRedis.get(`${kind}:${id}`);
      if (remote === undefined || remote.exp < entry.exp || (remote.at ?? 0) < (entry.at ?? 0)) missing.push(this.write(kind, id, entry, now));
    }
    await Promise.all(missing);
  }

  private onMessage(channel: string, message: string): void {
    if (channel !== this.channel) return;
    let fact: { k?: unknown; id?: unknown; exp?: unknown; at?: unknown };
    try {
      fact = JSON.parse(message) as typeof fact;
    } catch {
      return;
    }
    // Anyone who can PUBLISH on the channel can send anything: `null` or a number must not throw in the event handler.
    if (fact === null || typeof fact !== 'object') return;
    const { k, id, exp, at } = fact;
    if ((k !== 'jti' && k !== 'sub' && k !== 'fam') || typeof id !== 'string' || typeof exp !== 'number') return;
    if (k === 'sub' && typeof at !== 'number') return;
    this.mirror.apply(k, id, k === 'sub' ? { exp, at: at as number } : { exp }, Math.floor(this.clock() / 1000));
  }
}

function unavailable(message: string): ApoJwtError {
  return new ApoJwtError('ERR_STORE_UNAVAILABLE', message);
}
