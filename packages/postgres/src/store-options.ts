import { ApoJwtConfigError, knownKeys } from '@apojwt/core';
import { isDatabase, type Database } from './database.js';

export interface PostgresStoreOptions {
  /** Most live entries of each kind. Default: no bound (the rows are on PostgreSQL's disk, not in a process). */
  maxEntries?: number;
}

export function storeSettings(name: string, db: Database, options: PostgresStoreOptions): { maxEntries: number | null } {
  if (!isDatabase(db)) throw new ApoJwtConfigError(`${name} needs a Database (pgDatabase(pool) or pgliteDatabase(pglite))`);
  if (options === null || typeof options !== 'object') throw new ApoJwtConfigError(`${name} options must be an object`);
  knownKeys(name, options, ['maxEntries']);
  const { maxEntries } = options;
  if (maxEntries !== undefined && (typeof maxEntries !== 'number' || !Number.isInteger(maxEntries) || maxEntries < 1)) {
    throw new ApoJwtConfigError(`${name}: maxEntries must be a positive integer`);
  }
  return { maxEntries: maxEntries ?? null };
}
