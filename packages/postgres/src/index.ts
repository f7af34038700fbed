export { pgDatabase, pgliteDatabase, type Database, type Queryable, type QueryResult, type PgPoolLike, type PgClientLike, type PGliteLike } from './database.js';
export { migrate, MIGRATIONS, type Migration, type MigrateResult } from './migrations.js';
export { normaliseIdentifier, normaliseEmail, normaliseUsername, MAX_EMAIL_BYTES, MIN_USERNAME_LENGTH, MAX_USERNAME_LENGTH } from './identity.js';
export { PostgresUserStore, type Account, type RegisterInput, type UserStoreOptions, type SubjectRevoker } from './user-store.js';
export { PostgresRevocationStore } from './revocation-store.js';
export { PostgresRotationStore } from './rotation-store.js';
export { type PostgresStoreOptions } from './store-options.js';
