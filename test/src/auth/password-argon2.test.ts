// argon2id, the default for new hashes: RFC 9106's test vector for the library, OWASP's
// parameters, bcrypt hashes still verified and flagged for rehash, parameters checked when
// options are written, and hashing off the event loop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import argon2 from 'argon2';
import { ApoJwt, ApoJwtConfigError } from '@apojwt/core';
import { DEFAULT_ARGON2, hashPassword, isPasswordHash, needsRehash, passwordLogin, verifyPassword, type LoginUser } from '@apojwt/auth';

const configError = (fragment: RegExp) => (error: unknown) => error instanceof ApoJwtConfigError && fragment.test(error.message);

test('RFC 9106 §5.3: the argon2id test vector, through the library hashPassword uses', async () => {
  const tag = await argon2.hash(Buffer.alloc(32, 0x01), {
    type: argon2.argon2id,
    version: 0x13,
    memoryCost: 32,
    timeCost: 3,
    parallelism: 4,
    hashLength: 32,
    salt: Buffer.alloc(16, 0x02),
    secret: Buffer.alloc(8, 0x03),
    associatedData: Buffer.alloc(12, 0x04),
    raw: true,
  });
  assert.equal(tag.toString('hex'), '0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659');
});

test("new hashes are argon2id with OWASP's parameters (19 MiB, 2 iterations, 1 lane)", async () => {
  assert.deepEqual({ ...DEFAULT_ARGON2 }, { memoryCost: 19_456, timeCost: 2, parallelism: 1 });
  const hash = await hashPassword('correct horse battery staple');
  assert.match(hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
  assert.equal(isPasswordHash(hash), true);
  assert.equal(await verifyPassword('correct horse battery staple', hash), true);
  assert.equal(await verifyPassword('correct horse battery stapl', hash), false);
  assert.equal(await verifyPassword('', hash), false);
  assert.equal(needsRehash(hash), false);
  // Composed and decomposed é are one password, as with bcrypt.
  const accented = await hashPassword('caf\u00e9 au lait');
  assert.equal(await verifyPassword('cafe\u0301 au lait', accented), true);
});

test('argon2id reads the whole password: no 72-byte limit', async () => {
  const long = 'a'.repeat(200);
  const hash = await hashPassword(long);
  assert.equal(await verifyPassword(long, hash), true);
  assert.equal(await verifyPassword(`${'a'.repeat(199)}b`, hash), false);
});

test('needsRehash: a bcrypt hash when new hashes are argon2id, and argon2id hashes of other parameters', async () => {
  const bcrypt = await hashPassword('pw', { algorithm: 'bcrypt', cost: 4 });
  assert.equal(await verifyPassword('pw', bcrypt), true, 'bcrypt hashes still verify');
  assert.equal(needsRehash(bcrypt), true);
  assert.equal(needsRehash(bcrypt, { cost: 4 }), false, 'a bcrypt cost alone keeps bcrypt');
  const argon = await hashPassword('pw', { argon2: { memoryCost: 8192, timeCost: 1 } });
  assert.match(argon, /^\$argon2id\$v=19\$m=8192,t=1,p=1\$/);
  assert.equal(needsRehash(argon, { argon2: { memoryCost: 8192, timeCost: 1 } }), false);
  assert.equal(needsRehash(argon), true, 'weaker than the default');
  assert.equal(needsRehash(argon, { argon2: { memoryCost: 8192, timeCost: 2 } }), true);
  assert.equal(needsRehash(argon, { algorithm: 'bcrypt' }), true);
  const argon2i = argon.replace('$argon2id$', '$argon2i$');
  assert.equal(needsRehash(argon2i, { argon2: { memoryCost: 8192, timeCost: 1 } }), true, 'argon2i is not argon2id');
  assert.equal(await verifyPassword('pw', argon2i), false);
  assert.equal(isPasswordHash(argon2i), false);
});

test('argon2 parameters are checked where the options are written', async () => {
  for (const [argon2, fragment] of [
    [{ memoryCost: 1023 }, /argon2.memoryCost must be an integer from 1024/],
    [{ memoryCost: 2 ** 23 }, /argon2.memoryCost/],
    [{ timeCost: 0 }, /argon2.timeCost must be an integer from 1 to 100/],
    [{ parallelism: 17 }, /argon2.parallelism must be an integer from 1 to 16/],
    [{ parallelism: 1.5 }, /argon2.parallelism/],
    [{ memory: 4096 }, /unknown argon2 option "memory"/],
  ] as const) {
    assert.throws(() => needsRehash('x', { argon2: argon2 as never }), configError(fragment), JSON.stringify(argon2));
    assert.throws(() => passwordLogin({ getUser: () => undefined, argon2: argon2 as never }), configError(fragment), JSON.stringify(argon2));
  }
  assert.throws(() => passwordLogin({ getUser: () => undefined, algorithm: 'scrypt' as never }), configError(/algorithm must be 'argon2id' or 'bcrypt'/));
  await assert.rejects(hashPassword('pw', { algorithm: 'md5' as never }), configError(/algorithm/));
});

test('login migrates a bcrypt hash to argon2id on the next successful login, once', async () => {
  const stored = new Map<string, LoginUser>([['alice', { sub: 'u-alice', passwordHash: await hashPassword('alice-pw', { algorithm: 'bcrypt', cost: 4 }) }]]);
  const rehashed: string[] = [];
  const apo = new ApoJwt({ secret: 's'.repeat(32), iss: 'auth', serverAudience: 'api' });
  apo.configLogin(
    passwordLogin({
      getUser: (name) => stored.get(name),
      limiter: false,
      onRehash: (user, newHash) => {
        rehashed.push(newHash);
        stored.set('alice', { ...user, passwordHash: newHash });
      },
    }),
  );
  await apo.login('alice', 'alice-pw');
  assert.equal(rehashed.length, 1);
  assert.match(rehashed[0] ?? '', /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  await apo.login('alice', 'alice-pw');
  assert.equal(rehashed.length, 1, 'an argon2id hash of the configured parameters is kept');
  await assert.rejects(apo.login('alice', 'wrong'), (error: unknown) => (error as { code?: string }).code === 'ERR_CREDENTIALS_INVALID');
});

test('hashing runs off the event loop: other callbacks run while hashes are computed', async () => {
  let turns = 0;
  let hashing = true;
  const spin = (): void => {
    if (!hashing) return;
    turns++;
    setImmediate(spin);
  };
  setImmediate(spin);
  await Promise.all(Array.from({ length: 4 }, (_, i) => hashPassword(`password ${i}`)));
  hashing = false;
  // A synchronous hash would hold the loop from start to end: no turn could run in between.
  assert.ok(turns > 4, `the event loop turned ${turns} times while hashing`);
});
