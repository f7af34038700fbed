import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApoJwt } from '@apojwt/core';
import { PostgresRevocationStore, PostgresRotationStore } from '@apojwt/postgres';
import { apoError, configError } from '../support/helpers.js';
import { engines } from './engines.js';

const now = Math.floor(Date.now() / 1000);

for (const engine of engines()) {
  describe(`PostgresRotationStore on ${engine.name}`, () => {
    test('refresh rotation through ApoJwt: a replayed refresh token is refused and its family revoked', async () => {
      const { db, close } = await engine.fresh();
      try {
        const apo = new ApoJwt({
          secret: 's'.repeat(32),
          iss: 'auth',
          serverAudience: 'api',
          revocationStore: new PostgresRevocationStore(db),
          rotationStore: new PostgresRotationStore(db),
          refresh: { refreshSecret: 'r'.repeat(32), reuseGracePeriod: 0 },
          cache: false,
        }) as unknown as ApoJwt<string, object, object, true>;
        const login = apo.createToken({ sub: 'alice' });
        const rotated = await apo.rotate(login.refreshToken);
        await assert.rejects(apo.rotate(login.refreshToken), apoError('ERR_REFRESH_REUSED', 401));
        // The replay ended the whole session: the token rotated from it is refused too.
        await assert.rejects(apo.rotate(rotated.refreshToken), apoError('ERR_TOKEN_REVOKED', 401));
      } finally {
        await close();
      }
    });

    test('concurrent consumes on many connections of one pool: exactly one wins, the rest get its instant', async () => {
      const { db, close } = await engine.fresh();
      try {
        const stores = [new PostgresRotationStore(db), new PostgresRotationStore(db)];
        const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => (stores[i % 2] as PostgresRotationStore).consume('shared', now + 600, now)));
        assert.equal(answers.filter((answer) => answer === undefined).length, 1);
        assert.ok(answers.every((answer) => answer === undefined || answer === now));
      } finally {
        await close();
      }
    });

    test('an expired mark counts as absent; purgeExpired deletes it; SQL metacharacters are only values', async () => {
      const { db, close } = await engine.fresh();
      try {
        const store = new PostgresRotationStore(db);
        const hostile = "x'); DELETE FROM apojwt_used_refresh_tokens; --";
        assert.equal(await store.consume(hostile, now + 10, now), undefined);
        assert.equal(await store.consume('other', now + 100, now), undefined);
        assert.equal(await store.consume(hostile, now + 10, now + 1), now);
        assert.equal(await store.purgeExpired(now + 10), 1);
        assert.equal(await store.consume('other', now + 100, now + 10), now, 'the live mark stayed');
        assert.equal(await store.consume(hostile, now + 30, now + 20), undefined, 'an expired mark is gone');
        assert.throws(() => new PostgresRotationStore(db, { maxEntries: -1 }), configError('maxEntries must be a positive integer'));
      } finally {
        await close();
      }
    });
  });
}
