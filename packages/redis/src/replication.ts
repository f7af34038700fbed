import { Cluster, type Redis } from 'ioredis';
import { ApoJwtConfigError, ApoJwtError } from '@apojwt/core';
import type { RedisClient } from './connection.js';

/**
 * How many replicas must hold a write before the store acknowledges it.
 * Redis replicates asynchronously: a failover (Sentinel, or a cluster
 * replica taking over) may promote a replica that never received the last
 * writes, and an acknowledged revocation or used mark would be gone. With
 * `replicas: n` each such write is followed by `WAIT n timeout` on the same
 * master; fewer copies in time and the write is not acknowledged
 * (ERR_STORE_UNAVAILABLE, 503). Sentinel promotes the most up-to-date
 * replica, so a write that one replica confirmed survives a failover.
 */
export interface ReplicationOptions {
  /** Replicas that must confirm each revocation and each rotation before it is acknowledged. Default 0 (no wait). */
  replicas?: number;
  /** Longest wait (ms) for those confirmations. Default 1 000. */
  replicaTimeout?: number;
}

export interface Replication {
  readonly replicas: number;
  readonly timeoutMs: number;
}

export const REPLICATION_OPTIONS = ['replicas', 'replicaTimeout'] as const;

export function replicationOption(label: string, options: ReplicationOptions): Replication {
  const replicas = options.replicas ?? 0;
  if (!Number.isInteger(replicas) || replicas < 0 || replicas > 100) throw new ApoJwtConfigError(`${label} replicas must be a whole number from 0 to 100`);
  const timeoutMs = options.replicaTimeout ?? 1_000;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 60_000) throw new ApoJwtConfigError(`${label} replicaTimeout must be a whole number of ms from 1 to 60000`);
  return { replicas, timeoutMs };
}

/**
 * Waits until the master that holds `key` has passed its writes to enough
 * replicas. WAIT counts the writes of the connection it is sent on: on a
 * cluster that is the connection to the master of the key's slot, the one
 * the script just ran on.
 */
export async function confirmReplicated(client: RedisClient, key: string, replication: Replication): Promise<void> {
  if (replication.replicas === 0) return;
  const connection = client instanceof Cluster ? await masterOf(client, key) : client;
  const confirmed = await connection.wait(replication.replicas, replication.timeoutMs);
  if (confirmed < replication.replicas) {
    throw new ApoJwtError('ERR_STORE_UNAVAILABLE', `the write reached ${confirmed} of ${replication.replicas} Redis replicas in time`);
  }
}

/** The connection ioredis keeps to the master serving `key`'s slot. */
export async function masterOf(cluster: Cluster, key: string): Promise<Redis> {
  const owner = await slotOwner(cluster, key);
  const node = cluster.nodes('master').find((n) => `${n.options.host}:${n.options.port}` === owner);
  if (node === undefined) throw new ApoJwtError('ERR_STORE_UNAVAILABLE', 'no Redis Cluster master serves the key');
  return node;
}

/** "host:port" of the master serving the key's slot, as the cluster client last learnt it. */
export async function slotOwner(cluster: Cluster, key: string): Promise<string> {
  const slot = (await cluster.cluster('KEYSLOT', key)) as number;
  const owner = cluster.slots[slot]?.[0];
  if (owner === undefined) throw new ApoJwtError('ERR_STORE_UNAVAILABLE', 'no Redis Cluster master serves the key');
  return owner;
}
