import { ApoJwtConfigError, type ApiKeyStore, type StoredApiKey } from '@apojwt/core';
import { connect, keyPrefix, knownOptions, taggedKey, type RedisClient, type RedisInput } from './connection.js';
import { runScript } from './scripts.js';
import { confirmReplicated, replicationOption, REPLICATION_OPTIONS, type Replication, type ReplicationOptions } from './replication.js';
import { EXPIRE_KEY, INSERT_KEY, REVOKE_KEY, TOUCH_KEY } from './api-key-scripts.js';

export interface RedisApiKeyStoreOptions extends ReplicationOptions {
  /** An ioredis client (`Redis`, Sentinel included, or `Cluster`; never closed by the store) or a redis:// URL. */
  redis: RedisInput;
  /** Prefix of every key. Default "apojwt:". */
  prefix?: string;
}

/**
 * API keys on Redis, shared by every service: one hash per key
 * (`{apojwt:}apikey:<id>`: the key's hash, never the key, and its
 * attributes) and one sorted set per subject listing its keys by creation
 * time. Writes are Lua scripts (atomic; on a cluster every key of the
 * prefix is in one slot). A command that fails (Redis down, the command
 * timeout of a store-made client) rejects, and core answers 503
 * ERR_STORE_UNAVAILABLE: a key that cannot be looked up is never accepted.
 */
export class RedisApiKeyStore implements ApiKeyStore {
  readonly prefix: string;
  private readonly client: RedisClient;
  private readonly ownsClient: boolean;
  private readonly replication: Replication;

  constructor(options: RedisApiKeyStoreOptions) {
    if (options === null || typeof options !== 'object') throw new ApoJwtConfigError('RedisApiKeyStore needs an options object');
    knownOptions('RedisApiKeyStore', options, ['redis', 'prefix', ...REPLICATION_OPTIONS]);
    this.replication = replicationOption('RedisApiKeyStore', options);
    this.prefix = keyPrefix(options.prefix);
    const { client, owned } = connect(options.redis, 'RedisApiKeyStore');
    this.client = client;
    this.ownsClient = owned;
  }

  async insert(record: StoredApiKey): Promise<void> {
    const fields: (string | number)[] = [
      'hash',
      record.hash,
      'subject',
      record.subject,
      'permissions',
      JSON.stringify(record.permissions),
      'createdAt',
      record.createdAt,
      'revoked',
      record.revoked ? '1' : '0',
    ];
    if (record.name !== undefined) fields.push('name', record.name);
    if (record.expiresAt !== undefined) fields.push('expiresAt', record.expiresAt);
    if (record.lastUsedAt !== undefined) fields.push('lastUsedAt', record.lastUsedAt);
    if (record.replacedBy !== undefined) fields.push('replacedBy', record.replacedBy);
    const added = await runScript(this.client, INSERT_KEY, [this.recordKey(record.id), this.subjectKey(record.subject)], [record.id, record.createdAt, ...fields]);
    if (added !== 1) throw new Error('an API key with this id exists already');
    await confirmReplicated(this.client, this.recordKey(record.id), this.replication);
  }

  async get(id: string): Promise<StoredApiKey | undefined> {
    return recordOf(id, await this.client.hgetall(this.recordKey(id)));
  }

  async listBySubject(subject: string): Promise<readonly StoredApiKey[]> {
    const ids = await this.client.zrange(this.subjectKey(subject), 0, -1);
    if (ids.length === 0) return [];
    // One slot (the prefix's tag): one pipeline, one round trip, on a cluster too.
    const pipeline = this.client.pipeline();
    for (const id of ids) pipeline.hgetall(this.recordKey(id));
    const answers = (await pipeline.exec()) ?? [];
    const records: StoredApiKey[] = [];
    answers.forEach(([error, fields], i) => {
      if (error) throw error;
      const record = recordOf(ids[i] as string, fields as Record<string, string>);
      if (record !== undefined) records.push(record);
    });
    return records;
  }

  /** A revocation lost in a failover would bring the key back: with `replicas`, it is acknowledged once replicas hold it. */
  async revoke(id: string): Promise<boolean> {
    const revoked = (await runScript(this.client, REVOKE_KEY, [this.recordKey(id)], [])) === 1;
    await confirmReplicated(this.client, this.recordKey(id), this.replication);
    return revoked;
  }

  async expire(id: string, at: number, replacedBy: string | undefined): Promise<boolean> {
    const expired = (await runScript(this.client, EXPIRE_KEY, [this.recordKey(id)], [at, replacedBy ?? ''])) === 1;
    await confirmReplicated(this.client, this.recordKey(id), this.replication);
    return expired;
  }

  async touch(id: string, at: number, minInterval: number): Promise<boolean> {
    return (await runScript(this.client, TOUCH_KEY, [this.recordKey(id)], [at, minInterval])) === 1;
  }

  async close(): Promise<void> {
    if (this.ownsClient) this.client.disconnect();
  }

  private recordKey(id: string): string {
    return taggedKey(this.prefix, `apikey:${id}`);
  }

  private subjectKey(subject: string): string {
    return taggedKey(this.prefix, `apikeys:sub:${subject}`);
  }
}

/** A stored hash back to a record; undefined for none (HGETALL of a missing key is `{}`). */
function recordOf(id: string, fields: Record<string, string>): StoredApiKey | undefined {
  if (fields['hash'] === undefined || fields['subject'] === undefined) return undefined;
  const number = (name: string): number | undefined => (fields[name] === undefined ? undefined : Number(fields[name]));
  return {
    id,
    hash: fields['hash'],
    subject: fields['subject'],
    permissions: JSON.parse(fields['permissions'] ?? '[]') as string[],
    name: fields['name'],
    createdAt: Number(fields['createdAt']),
    expiresAt: number('expiresAt'),
    lastUsedAt: number('lastUsedAt'),
    revoked: fields['revoked'] === '1',
    replacedBy: fields['replacedBy'],
  };
}
