import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import pg from 'pg';
import { ApoJwt, ApoJwtError } from '@apojwt/core';
import { pgDatabase, PostgresRevocationStore } from '@apojwt/postgres';
import { apoError, configError } from '../support/helpers.js';
import { databaseUrl, engines, freezableProxy, type Engine } from './engines.js';

const now = Math.floor(Date.now() / 1000);
const HOSTILE = ["'; DROP TABLE apojwt_revoked_tokens; --", 'a\\b', '" OR 1=1 --', '$1', '%_', 'ünï©ødé 🔑'];

function service(store: PostgresRevocationStore): ApoJwt {
  return new ApoJwt({ secret: 's'.repeat(32), iss: 'auth', serverAudience: 'api', revocationStore: store, cache: false });
}

const all = engines();
for (const engine of all) {
  describe(`PostgresRevocationStore on ${engine.name}`, () => {
    test('a token revoked by one service is refused by another sharing the database', async () => {
      const { db, close } = await engine.fresh();
      try {
        const issuer = service(new PostgresRevocationStore(db));
        const verifier = service(new PostgresRevocationStore(db));
        const token = issuer.createToken({ sub: 'alice' });
        const other = issuer.createToken({ sub: 'alice' });
        assert.equal((await verifier.verify(token)).sub, 'alice');
        await issuer.revoke(token);
        await assert.rejects(verifier.verify(token), apoError('ERR_TOKEN_REVOKED', 401));
        assert.equal((await verifier.verify(other)).sub, 'alice', 'only that token');
        await issuer.revokeSubject('alice');
        await assert.rejects(verifier.verify(other), apoError('ERR_TOKEN_REVOKED', 401));
      } finally {
        await close();
      }
    });

    test('SQL metacharacters in jti, subject and family are only values', async () => {
      const { db, close } = await engine.fresh();
      try {
        const store = new PostgresRevocationStore(db);
        for (const value of HOSTILE) {
          await store.revokeToken(value, now + 60, now);
          await store.revokeSubject(value, now, now + 60, now);
          await store.revokeFamily(value, now + 60, now);
          assert.equal(await store.isRevoked({ jti: value, sub: 'nobody', iat: now }, now), true, value);
          assert.equal(await store.isRevoked({ jti: undefined, sub: value, iat: now }, now), true, value);
          assert.equal(await store.isRevoked({ jti: undefined, sub: 'nobody', iat: now, fam: value }, now), true, value);
        }
        // Nothing matched more than its own value, and every table is still there.
        assert.equal(await store.isRevoked({ jti: 'other', sub: 'other', iat: now, fam: 'other' }, now), false);
        const { rows } = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM apojwt_revoked_tokens');
        assert.equal(rows[0]?.n, String(HOSTILE.length));
      } finally {
        await close();
      }
    });

    test('purgeExpired deletes the rows whose tokens expired, and keeps the others', async () => {
      const { db, close } = await engine.fresh();
      try {
        const store = new PostgresRevocationStore(db);
        await store.revokeToken('short', now + 10, now);
        await store.revokeSubject('short', now, now + 10, now);
        await store.revokeFamily('short', now + 10, now);
        await store.revokeToken('long', now + 100, now);
        assert.equal(await store.purgeExpired(now + 10), 3);
        assert.equal(await store.isRevoked({ jti: 'long', sub: 'x', iat: now }, now + 10), true);
        assert.equal(await store.purgeExpired(now + 10), 0);
      } finally {
        await close();
      }
    });

    test('options are checked at construction', async () => {
      const { db, close } = await engine.fresh();
      try {
        assert.throws(() => new PostgresRevocationStore(db, { maxEntries: 0 }), configError('maxEntries must be a positive integer'));
        assert.throws(() => new PostgresRevocationStore(db, { maxEntries: 1.5 }), configError('maxEntries must be a positive integer'));
        assert.throws(() => new PostgresRevocationStore(db, { prefix: 'x' } as never), configError('prefix'));
        assert.throws(() => new PostgresRevocationStore({} as never), configError('needs a Database'));
      } finally {
        await close();
      }
    });
  });
}

const server = all.find((engine) => engine.name === 'PostgreSQL') as Engine;

describe('PostgresRevocationStore when the server cannot answer', () => {
  const unavailable = (error: unknown): boolean => {
    apoError('ERR_STORE_UNAVAILABLE', 503)(error);
    assert.ok(!(error as ApoJwtError).message.includes('127.0.0.1'), 'the message names no host');
    return true;
  };

  test('nothing listening: every call is ERR_STORE_UNAVAILABLE (503), and a verifier fails closed', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const pool = new pg.Pool({ connectionString: `postgres://apojwt@127.0.0.1:${port}/apojwt`, connectionTimeoutMillis: 2_000 });
    pool.on('error', () => undefined);
    try {
      const store = new PostgresRevocationStore(pgDatabase(pool));
      await assert.rejects(Promise.resolve(store.isRevoked({ jti: 'j', sub: 's', iat: now }, now)), unavailable);
      await assert.rejects(store.revokeToken('j', now + 60, now), unavailable);
      await assert.rejects(store.revokeSubject('s', now, now + 60, now), unavailable);
      await assert.rejects(store.revokeFamily('f', now + 60, now), unavailable);
      const apo = service(store);
      await assert.rejects(apo.verify(apo.createToken({ sub: 'alice' })), apoError('ERR_STORE_UNAVAILABLE', 503));
    } finally {
      await pool.end();
    }
  });

  test('a frozen server (a proxy that passes no byte): the pool’s query_timeout ends the check with a 503', async () => {
    const fresh = await server.fresh();
    const proxy = await freezableProxy(databaseUrl());
    const pool = new pg.Pool({ connectionString: proxy.url, options: `-c search_path=${fresh.schema}`, query_timeout: 2_000, max: 2 });
    pool.on('error', () => undefined);
    try {
      const store = new PostgresRevocationStore(pgDatabase(pool));
      assert.equal(await store.isRevoked({ jti: 'j', sub: 's', iat: now }, now), false, 'answers while the server does');
      proxy.freeze();
      const apo = service(store);
      await assert.rejects(apo.verify(apo.createToken({ sub: 'alice' })), apoError('ERR_STORE_UNAVAILABLE', 503));
    } finally {
      await proxy.close();
      await pool.end().catch(() => undefined);
      await fresh.close();
    }
  });
});
