import { runStoreConformance } from '@apojwt/conformance';
import { PostgresRevocationStore, PostgresRotationStore } from '@apojwt/postgres';
import { engines } from './engines.js';

// The same kit Redis and memory pass, on the real server and on PGlite; each test gets a fresh database.
for (const engine of engines()) {
  runStoreConformance(`PostgresRevocationStore + PostgresRotationStore on ${engine.name}`, async ({ maxEntries }) => {
    const { db, close } = await engine.fresh();
    const options = maxEntries === undefined ? {} : { maxEntries };
    return { revocationStore: new PostgresRevocationStore(db, options), rotationStore: new PostgresRotationStore(db, options), close };
  });
}
