import { Cluster, Redis } from 'ioredis';
import type { RedisClient } from './connection.js';
import { slotOwner } from './replication.js';

/**
 * The connection a revocation store listens on, and how.
 *
 * One server or Sentinel: classic SUBSCRIBE on a duplicate of the command
 * client (Sentinel's options included, so it follows the master).
 *
 * Redis Cluster: sharded pub/sub (SSUBSCRIBE / SPUBLISH, Redis 7) on a
 * connection of its own to the master of the channel's slot, the very node
 * whose script writes each revocation and publishes it. Classic PUBLISH would
 * also reach every node, but through the cluster bus: a subscriber on another
 * node could lag behind, or miss messages while its own node still answered
 * PINGs, and the heartbeat (an answer on this connection proves that nothing
 * published before it was missed) would prove nothing. On the slot's own
 * master, publication and PING replies share one ordered stream.
 */
export interface Subscription {
  readonly connection: Redis;
  /** "host:port" of the slot's master (cluster), or undefined (the client's own server). */
  readonly node: string | undefined;
  /** The event that carries messages: 'message' or 'smessage'. */
  readonly messageEvent: 'message' | 'smessage';
  subscribe(): Promise<unknown>;
  /**
   * Whether the connection is still subscribed. A cluster node that loses the
   * slot (a resharding, a failover that demotes it) unsubscribes its clients
   * with a SUNSUBSCRIBE of its own and keeps the connection open: PINGs still
   * answer, yet no revocation will arrive.
   */
  active(): boolean;
}

export async function openSubscription(client: RedisClient, channel: string): Promise<Subscription> {
  if (!(client instanceof Cluster)) {
    // The subscription is re-made by hand after each reconnection, then followed by a full read.
    const connection = client.duplicate({ autoResubscribe: false });
    return { connection, node: undefined, messageEvent: 'message', subscribe: () => connection.subscribe(channel), active: () => subscribedTo(connection, 'subscribe', channel) };
  }
  const node = await slotOwner(client, channel);
  const [host, port] = splitNode(node);
  const connection = new Redis({ ...client.options.redisOptions, host, port, autoResubscribe: false, lazyConnect: false });
  return { connection, node, messageEvent: 'smessage', subscribe: () => connection.ssubscribe(channel), active: () => subscribedTo(connection, 'ssubscribe', channel) };
}

function subscribedTo(connection: Redis, mode: 'subscribe' | 'ssubscribe', channel: string): boolean {
  const subscriptions = connection.condition?.subscriber;
  return subscriptions !== undefined && subscriptions !== false && subscriptions.channels(mode).includes(channel);
}

/** True when the cluster now serves the channel from another master than the subscription's. */
export async function subscriptionMoved(client: RedisClient, channel: string, subscription: Subscription): Promise<boolean> {
  if (!(client instanceof Cluster) || subscription.node === undefined) return false;
  return (await slotOwner(client, channel)) !== subscription.node;
}

function splitNode(node: string): [string, number] {
  const colon = node.lastIndexOf(':');
  return [node.slice(0, colon), Number(node.slice(colon + 1))];
}
