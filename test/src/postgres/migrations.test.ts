import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MIGRATIONS, migrate } from '@apojwt/postgres';
import { configError } from '../support/helpers.js';
import { engines } from './engines.js';

const TABLES = [
  'apojwt_users',
  'apojwt_revoked_tokens',
  'apojwt_revoked_subjects',
  'apojwt_revoked_families',
  'apojwt_used_refresh_tokens',
  'apojwt_sessions',
  'apojwt_account_tokens',
  'apojwt_migrations',
];
const all = MIGRATIONS.map((step) => `${step.id} ${step.name}`);

for (const engine of engines()) {
  describe(`migrate on ${engine.name}`, () => {
    test('applies every step on an empty database, then nothing on the next call', async () => {
      const { db, close } = await engine.fresh({ migrated: false });
      try {
        assert.deepEqual((await migrate(db)).applied, all);
        assert.deepEqual((await migrate(db)).applied, []);
        for (const table of TABLES) {
          const { rows } = await db.query<{ found: string | null }>('SELECT to_regclass($1)::text AS found', [table]);
          assert.equal(rows[0]?.found, table, table);
        }
        const { rows } = await db.query<{ id: number }>('SELECT id FROM apojwt_migrations ORDER BY id');
        assert.deepEqual(
          rows.map((row) => Number(row.id)),
          MIGRATIONS.map((step) => step.id),
        );
      } finally {
        await close();
      }
    });

    if (engine.name === 'PostgreSQL') {
      test('services starting at once on one database: each step applied exactly once, none fails', async () => {
        const { db, close } = await engine.fresh({ migrated: false });
        try {
          // Several calls on one pool run on several connections: they meet on the advisory lock.
          const results = await Promise.all(Array.from({ length: 5 }, () => migrate(db)));
          assert.deepEqual(
            results.flatMap((result) => result.applied),
            all,
          );
        } finally {
          await close();
        }
      });
    }

    test('steps are numbered 1, 2, … without gaps, so every database applies them in one order', () => {
      assert.deepEqual(
        MIGRATIONS.map((step) => step.id),
        MIGRATIONS.map((_, index) => index + 1),
      );
    });
  });
}

test('migrate without a Database is an API misuse', async () => {
  await assert.rejects(migrate({} as never), configError('migrate needs a Database'));
});
