import { performance } from 'node:perf_hooks';
import { Cluster } from 'ioredis';
import { ApoJwtConfigError, ApoJwtError, type RevocationQuery, type RevocationStore } from '@apojwt/core';
import { RevocationMirror, type Entry, type EntryKind } from './mirror.js';
import { connect, keyPrefix, knownOptions, maxEntriesOption, taggedKey, type RedisClient, type RedisInput } from './connection.js';
import { confirmReplicated, replicationOption, REPLICATION_OPTIONS, type Replication, type ReplicationOptions } from './replication.js';
import { REVOKE, REVOKE_SHARDED, runScript } from './scripts.js';
import { openSubscription, subscriptionMoved, type Subscription } from './subscription.js';

export interface RedisRevocationStoreOptions extends ReplicationOptions {
  /**
   * An ioredis client (never closed by the store) or a redis:// URL. A
   * `Redis` (one server, or Sentinel's master) is duplicated for the
   * subscription; on a `Cluster` the store opens its own connection to the
   * master of the channel's slot.
   */
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
   * (a PING reply, a published revocation, the subscription's confirmation,
   * the full read) is older than `heartbeat`, `isRevoked` throws
   * ERR_STORE_UNAVAILABLE; a PING unanswered for a whole heartbeat makes the
   * connection be re-made. This bounds how long a service cut off from
   * Redis (a frozen server, a partition, a dead peer behind a NAT) may accept
   * a token revoked elsewhere. Default 2 000.
   */
  heartbeat?: number;
  /**
   * Most entries of each kind (tokens, subjects, families) the mirror holds,
   * as MemoryRevocationStore's `maxEntries`. Default 100 000. When a kind is
   * full of live entries, a revocation made here is refused (503) and one
   * made elsewhere makes this store unavailable (503) until it fits: a live
   * revocation is never forgotten.
   */
  maxEntries?: number;
}

const KINDS: readonly EntryKind[] = ['jti', 'sub', 'fam'];
/** Entries asked for per ZSCAN/HSCAN call of a resync. */
const SCAN_COUNT = 10_000;

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
  private readonly client: RedisClient;
  private readonly ownsClient: boolean;
  private subscription: Subscription | undefined;
  private readonly channel: string;
  private readonly replication: Replication;
  private readonly clock: () => number;
  private readonly retryDelay: number;
  private readonly mirror: RevocationMirror;
  private inSync = false;
  private closed = false;
  private generation = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly heartbeatTimer: NodeJS.Timeout;
  private readonly heartbeat: number;
  /** When (performance.now(), monotonic: the injectable `now` may be frozen) Redis last answered on the subscription. */
  private lastAnswer = Number.NEGATIVE_INFINITY;
  /** The PING still unanswered, and how many beats found it so. */
  private pendingPing: { beats: number } | undefined;
  private waiters: { done(): void; fail(error: ApoJwtError): void }[] = [];

  constructor(options: RedisRevocationStoreOptions) {
    if (options === null || typeof options !== 'object') throw new ApoJwtConfigError('RedisRevocationStore needs an options object');
    knownOptions('RedisRevocationStore', options, ['redis', 'prefix', 'now', 'retryDelay', 'heartbeat', 'maxEntries', ...REPLICATION_OPTIONS]);
    this.replication = replicationOption('RedisRevocationStore', options);
    this.prefix = keyPrefix(options.prefix);
    this.mirror = new RevocationMirror(maxEntriesOption('RedisRevocationStore', options.maxEntries));
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
    this.channel = taggedKey(this.prefix, 'rev:events');
    void this.subscribe();
    this.heartbeatTimer = setInterval(() => this.beat(), Math.max(5, Math.floor(heartbeat / 2)));
    this.heartbeatTimer.unref();
  }

  /** True while verifications are answered from an up-to-date mirror. */
  get synced(): boolean {
    return this.inSync && this.fresh();
  }

  /** Resolves once the mirror is in sync (call before serving); rejects with ERR_STORE_UNAVAILABLE after `timeoutMs`. */
  ready(timeoutMs = 10_000): Promise<void> {
    if (this.synced) return Promise.resolve();
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
    this.subscription?.connection.disconnect();
    if (this.ownsClient) this.client.disconnect();
  }

  /**
   * Opens the subscription and wires it: each 'ready' subscribes, then reads
   * everything. On a cluster, a subscription whose slot moved to another
   * master (a failover, a resharding) is replaced by one to the new master.
   */
  private async subscribe(): Promise<void> {
    let subscription: Subscription;
    try {
      subscription = await openSubscription(this.client, this.channel);
    } catch {
      // The cluster does not know the slot's master yet (starting, failing over): try again.
      this.later(() => void this.subscribe());
      return;
    }
    if (this.closed) return subscription.connection.disconnect();
    this.subscription = subscription;
    const { connection } = subscription;
    const current = (): boolean => this.subscription === subscription;
    connection.on('error', () => undefined);
    connection.on('ready', () => {
      if (current()) void this.startSync(subscription);
    });
    connection.on('close', () => {
      if (!current()) return;
      this.markDown();
      if (this.client instanceof Cluster) this.later(() => void this.replaceIfMoved(subscription));
    });
    connection.on(subscription.messageEvent, (channel: string, message: string) => {
      if (!current()) return;
      this.answered();
      this.onMessage(channel, message);
    });
  }

  private async replaceIfMoved(subscription: Subscription): Promise<void> {
    if (this.closed || this.subscription !== subscription || subscription.connection.status === 'ready') return;
    let moved: boolean;
    try {
      moved = await subscriptionMoved(this.client, this.channel, subscription);
    } catch {
      moved = false;
    }
    if (this.closed || this.subscription !== subscription) return;
    if (!moved) return this.later(() => void this.replaceIfMoved(subscription));
    this.subscription = undefined;
    subscription.connection.disconnect();
    await this.subscribe();
  }

  private later(action: () => void): void {
    if (this.closed) return;
    setTimeout(action, this.retryDelay).unref();
  }

  /**
   * This process sees its own revocation at once (mirror first), then every
   * other one through Redis. A failed write rejects (the caller answers 503);
   * the local entry stays and is written back at the next resync.
   */
  private async record(kind: EntryKind, id: string, entry: Entry, now: number): Promise<void> {
    // Refused before Redis sees it, like the memory store: recorded nowhere, the caller may retry.
    if (this.mirror.apply(kind, id, entry, now) === 'full') throw unavailable('the revocation mirror is full');
    await this.write(kind, id, entry, now);
  }

  /**
   * A fact from Redis that does not fit: the mirror can no longer answer for
   * every live revocation, so stop trusting it and read everything again
   * (retried every `retryDelay`) until it fits.
   */
  private overflow(): void {
    if (this.closed) return;
    this.markDown();
    const generation = this.generation;
    this.retryTimer = setTimeout(() => void this.sync(generation), this.retryDelay);
    this.retryTimer.unref();
  }

  private async write(kind: EntryKind, id: string, entry: Entry, now: number): Promise<void> {
    const message = JSON.stringify({ k: kind, id, exp: entry.exp, at: entry.at });
    const revoke = this.client instanceof Cluster ? REVOKE_SHARDED : REVOKE;
    await runScript(this.client, revoke, [this.key(kind), this.key('sub:at')], [kind, id, entry.exp, now, entry.at ?? 0, this.channel, message]);
    await confirmReplicated(this.client, this.key(kind), this.replication);
  }

  private key(name: string): string {
    return taggedKey(this.prefix, `rev:${name}`);
  }

  private markDown(): void {
    this.generation += 1;
    this.inSync = false;
    this.pendingPing = undefined;
    clearTimeout(this.retryTimer);
  }

  /** Redis answered on the subscription: whatever was published before this answer has been delivered. */
  private answered(at = performance.now()): void {
    this.lastAnswer = Math.max(this.lastAnswer, at);
    if (this.inSync) for (const waiter of this.waiters.splice(0)) waiter.done();
  }

  /**
   * Pub/sub delivers in order on one connection, so an answer proves that
   * nothing published before Redis sent it was missed. Past `heartbeat` without
   * one, a revocation made elsewhere may be in flight: fail closed.
   */
  private fresh(): boolean {
    return performance.now() - this.lastAnswer <= this.heartbeat;
  }

  /**
   * Every half heartbeat, a PING keeps the last answer fresh. A PING still
   * unanswered at the second beat after it (a whole heartbeat) means the
   * connection is dead though open (a frozen server, a partition): make a
   * new one. Beats are counted, not timed: after the event loop was blocked
   * (a large resync) the first beat runs before the waiting reply is read,
   * and must not tear a healthy connection down.
   */
  private beat(): void {
    if (this.subscription?.connection.status !== 'ready') return;
    const pending = this.pendingPing;
    if (pending !== undefined) {
      pending.beats += 1;
      if (pending.beats >= 2 && this.inSync) {
        this.markDown();
        this.subscription.connection.disconnect(true);
      }
      return;
    }
    this.ping();
  }

  private ping(): void {
    const subscription = this.subscription;
    if (subscription === undefined) return;
    const generation = this.generation;
    const sent = { beats: 0 };
    this.pendingPing = sent;
    subscription.connection
      .ping()
      .then(
        () => {
          if (generation !== this.generation) return;
          // An answer counts only while subscribed: a node that dropped the subscription still answers PINGs.
          if (subscription.active()) return this.answered();
          // Before the first sync the subscription may still be on its way; once trusted, a lost one means resubscribe.
          if (!this.inSync) return;
          this.markDown();
          subscription.connection.disconnect(true);
        },
        () => undefined,
      )
      .finally(() => {
        if (this.pendingPing === sent) this.pendingPing = undefined;
      });
  }

  private async startSync(subscription: Subscription): Promise<void> {
    if (this.closed) return;
    const generation = ++this.generation;
    try {
      // A cluster may have moved the slot while this connection was away: it would subscribe to a master no longer written to.
      if (await subscriptionMoved(this.client, this.channel, subscription)) {
        subscription.connection.disconnect();
        return;
      }
      await subscription.subscribe();
    } catch {
      // The connection dropped again (its next 'ready' starts over), or the node refused (a cluster slot in transit): try again.
      this.later(() => {
        if (generation === this.generation && this.subscription === subscription && subscription.connection.status === 'ready') void this.startSync(subscription);
      });
      return;
    }
    if (generation !== this.generation) return;
    this.answered();
    await this.sync(generation);
  }

  /** Full read after the subscription is confirmed: nothing published in between is missed. */
  private async sync(generation: number): Promise<void> {
    try {
      await this.readAndHeal(generation);
    } catch {
      if (generation === this.generation && !this.closed) {
        this.retryTimer = setTimeout(() => void this.sync(generation), this.retryDelay);
        this.retryTimer.unref();
      }
      return;
    }
    if (generation !== this.generation || this.closed || this.subscription?.connection.status !== 'ready') return;
    this.inSync = true;
    // A long read (a million entries) can leave the last answer too old: one PING makes it fresh, then ready() resolves.
    if (this.fresh()) for (const waiter of this.waiters.splice(0)) waiter.done();
    else if (this.pendingPing === undefined) this.ping();
  }

  /**
   * Reads every entry with ZSCAN/HSCAN in chunks of SCAN_COUNT: each command
   * stays short (a single ZRANGE of a million entries outlasted the 2 s
   * command timeout, and the resync retried forever), and the event loop
   * breathes between chunks. SCAN returns every element present for the whole
   * scan; Redis only ever removes expired entries, and anything added after
   * the scan began is published on the channel this store subscribed to
   * before it. So once it ends the mirror holds everything revoked before the
   * scan began: that instant counts as an answer.
   */
  private async readAndHeal(generation: number): Promise<void> {
    const startedAt = performance.now();
    const now = Math.floor(this.clock() / 1000);
    // Subject instants first: a subject whose instant was not read yet is skipped, and its message follows.
    const instants = new Map<string, number>();
    await this.scan('hscan', this.key('sub:at'), (id, value) => void instants.set(id, Number(value)));
    const seen: Record<EntryKind, Set<string>> = { jti: new Set(), sub: new Set(), fam: new Set() };
    const writes: Promise<void>[] = [];
    let failure: unknown;
    try {
      for (const kind of KINDS) {
        await this.scan('zscan', this.key(kind), (id, score) => {
          const remote: Entry = kind === 'sub' ? { exp: Number(score), at: instants.get(id) ?? Number.NaN } : { exp: Number(score) };
          if (kind === 'sub' && !Number.isFinite(remote.at)) return;
          seen[kind].add(id);
          if (this.mirror.apply(kind, id, remote, now) === 'full') throw unavailable('the revocation mirror is full');
          const local = this.mirror.get(kind, id);
          if (local !== undefined && (local.exp > remote.exp || (local.at ?? 0) > (remote.at ?? 0))) writes.push(this.write(kind, id, local, now));
        });
      }
      if (generation === this.generation) this.answered(startedAt);
      // What this process knows and Redis lost (a restart without persistence) is written back.
      for (const [kind, id, entry] of this.mirror.entries(now)) if (!seen[kind].has(id)) writes.push(this.write(kind, id, entry, now));
    } catch (error) {
      failure = error;
    }
    // Every write is awaited, even after a failure: none may become an unhandled rejection.
    const settled = await Promise.allSettled(writes);
    if (failure !== undefined) throw failure;
    for (const result of settled) if (result.status === 'rejected') throw result.reason;
  }

  private async scan(command: 'zscan' | 'hscan', key: string, each: (id: string, value: string) => void): Promise<void> {
    let cursor = '0';
    do {
      const [next, flat] = await this.client[command](key, cursor, 'COUNT', SCAN_COUNT);
      for (let i = 0; i + 1 < flat.length; i += 2) each(flat[i] as string, flat[i + 1] as string);
      cursor = next;
    } while (cursor !== '0');
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
    if (this.mirror.apply(k, id, k === 'sub' ? { exp, at: at as number } : { exp }, Math.floor(this.clock() / 1000)) === 'full') this.overflow();
  }
}

function unavailable(message: string): ApoJwtError {
  return new ApoJwtError('ERR_STORE_UNAVAILABLE', message);
}
