import { availableParallelism } from 'node:os';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApoJwtConfigError, ApoJwtError } from '@apojwt/core';
import { BCRYPT_MAX_BYTES, hashPassword, isPasswordHash, needsRehash, verifyPassword } from '@apojwt/auth';

// Cost 4 keeps the suite fast; the default (12) is asserted separately once.
const cost = 4;

const isCode = (code: string, status: number) => (error: unknown) => error instanceof ApoJwtError && error.code === code && error.status === status;

test('a hashed password verifies; another password does not', async () => {
  const hash = await hashPassword('correct horse battery staple', { cost });
  assert.match(hash, /^\$2b\$04\$/);
  assert.equal(await verifyPassword('correct horse battery staple', hash), true);
  assert.equal(await verifyPassword('correct horse battery stapl', hash), false);
});

test('the default bcrypt cost is 12', async () => {
  const hash = await hashPassword('pw', { algorithm: 'bcrypt' });
  assert.match(hash, /^\$2b\$12\$/);
  assert.equal(needsRehash(hash, { algorithm: 'bcrypt' }), false);
});

test('passwords longer than 72 bytes are not truncated', async () => {
  const long = 'a'.repeat(BCRYPT_MAX_BYTES) + 'tail-1';
  const hash = await hashPassword(long, { cost });
  assert.match(hash, /^\$apojwt-bcrypt-sha256\$v=1\$2b\$04\$/);
  assert.equal(await verifyPassword(long, hash), true);
  // Same first 72 bytes, different end: bcrypt alone would accept these.
  assert.equal(await verifyPassword('a'.repeat(BCRYPT_MAX_BYTES) + 'tail-2', hash), false);
  assert.equal(await verifyPassword('a'.repeat(BCRYPT_MAX_BYTES), hash), false);
});

test('exactly 72 bytes is a plain bcrypt hash; 73 is pre-hashed', async () => {
  assert.match(await hashPassword('b'.repeat(72), { cost }), /^\$2b\$/);
  assert.match(await hashPassword('b'.repeat(73), { cost }), /^\$apojwt-bcrypt-sha256\$/);
});

test('a long password never matches a plain hash of its first 72 bytes', async () => {
  const plainHash = await hashPassword('c'.repeat(72), { cost });
  assert.equal(await verifyPassword('c'.repeat(72) + 'more', plainHash), false);
});

test('the byte limit counts UTF-8 bytes, not characters', async () => {
  // 36 two-byte characters = 72 bytes: plain; 37 = 74 bytes: pre-hashed.
  const at = 'é'.repeat(36);
  const over = 'é'.repeat(37);
  assert.match(await hashPassword(at, { cost }), /^\$2b\$/);
  const hash = await hashPassword(over, { cost });
  assert.match(hash, /^\$apojwt-bcrypt-sha256\$/);
  assert.equal(await verifyPassword(over, hash), true);
  assert.equal(await verifyPassword('é'.repeat(36) + 'x', hash), false);
});

test('unicode passwords round-trip and are NFC-normalised', async () => {
  const composed = 'p\u00e4ssw\u00f6rd-\u{1F511}-\u6f22\u5b57';
  const decomposed = composed.normalize('NFD');
  assert.notEqual(composed, decomposed);
  const hash = await hashPassword(decomposed, { cost });
  assert.equal(await verifyPassword(composed, hash), true);
  assert.equal(await verifyPassword(decomposed, hash), true);
  assert.equal(await verifyPassword('passwort', hash), false);
});

test('a NUL byte inside the password is significant', async () => {
  const hash = await hashPassword('ab\u0000cd', { cost });
  assert.equal(await verifyPassword('ab\u0000cd', hash), true);
  assert.equal(await verifyPassword('ab', hash), false);
  assert.equal(await verifyPassword('ab\u0000ce', hash), false);
  const longHash = await hashPassword('\u0000'.repeat(80), { cost });
  assert.equal(await verifyPassword('\u0000'.repeat(80), longHash), true);
  assert.equal(await verifyPassword('\u0000'.repeat(81), longHash), false);
});

test('an empty password cannot be hashed (ERR_PASSWORD_INVALID, 400) and never verifies', async () => {
  await assert.rejects(hashPassword('', { cost }), isCode('ERR_PASSWORD_INVALID', 400));
  const hash = await hashPassword('x', { cost });
  assert.equal(await verifyPassword('', hash), false);
});

test('a non-string password is API misuse (ApoJwtConfigError)', async () => {
  await assert.rejects(hashPassword(42 as unknown as string, { cost }), (e: unknown) => e instanceof ApoJwtConfigError);
  await assert.rejects(verifyPassword(undefined as unknown as string, 'x'), (e: unknown) => e instanceof ApoJwtConfigError);
});

test('the cost is validated (4 to 31, integer)', async () => {
  for (const bad of [3, 32, 10.5, '12', Number.NaN]) {
    await assert.rejects(hashPassword('pw', { cost: bad as number }), (e: unknown) => e instanceof ApoJwtConfigError && /cost/.test(e.message));
    assert.throws(
      () => needsRehash('x', { cost: bad as number }),
      (e: unknown) => e instanceof ApoJwtConfigError,
    );
  }
});

test('a malformed stored hash gives false, never a crash', async () => {
  const good = await hashPassword('pw', { cost });
  const malformed: unknown[] = [
    '',
    'plain-text-password',
    '$2b$04$short',
    good.slice(0, -1),
    good + 'x',
    good.replace('$04$', '$99$'),
    good.replace('$04$', '$03$'),
    '$apojwt-bcrypt-sha256$v=1',
    '$apojwt-bcrypt-sha256$v=1$2b$04$!!',
    '$argon2id$v=19$m=65536,t=3,p=4$abc$def',
    undefined,
    null,
    12,
    {},
    [],
  ];
  for (const stored of malformed) {
    assert.equal(await verifyPassword('pw', stored as string), false, String(stored));
    assert.equal(isPasswordHash(stored), false);
    assert.equal(needsRehash(stored as string, { cost }), true);
  }
});

test('hashes from other bcrypt variants ($2a$, $2y$) verify and ask for a rehash', async () => {
  const hash = await hashPassword('legacy', { cost });
  for (const variant of ['$2a$', '$2y$']) {
    const other = variant + hash.slice(4);
    assert.equal(await verifyPassword('legacy', other), true);
    assert.equal(needsRehash(other, { cost }), true);
  }
});

test('needsRehash follows the configured cost', async () => {
  const hash = await hashPassword('pw', { cost: 5 });
  assert.equal(needsRehash(hash, { cost: 5 }), false);
  assert.equal(needsRehash(hash, { cost: 6 }), true);
  assert.equal(needsRehash(hash, { cost: 4 }), true);
  const long = await hashPassword('z'.repeat(100), { cost: 5 });
  assert.equal(needsRehash(long, { cost: 5 }), false);
  assert.equal(needsRehash(long, { cost: 6 }), true);
});

test('two hashes of the same password differ (random salt)', async () => {
  const [a, b] = await Promise.all([hashPassword('same', { cost }), hashPassword('same', { cost })]);
  assert.notEqual(a, b);
  const [c, d] = await Promise.all([hashPassword('s'.repeat(90), { cost }), hashPassword('s'.repeat(90), { cost })]);
  assert.notEqual(c, d);
});

test('many hashes and checks at once all complete with the right answers (bounded bcrypt concurrency)', async () => {
  const hashes = await Promise.all(Array.from({ length: 24 }, (_, i) => hashPassword(i % 3 === 0 ? `long-${'x'.repeat(80)}-${i}` : `pw-${i}`, { cost })));
  const checks = await Promise.all(
    hashes.flatMap((hash, i) => {
      const pw = i % 3 === 0 ? `long-${'x'.repeat(80)}-${i}` : `pw-${i}`;
      return [verifyPassword(pw, hash), verifyPassword(`${pw}!`, hash).then((ok) => !ok)];
    }),
  );
  assert.equal(checks.length, 48);
  assert.ok(checks.every(Boolean));
});

test('hashes at once: one pool thread and one core stay free (the event loop keeps a CPU), never fewer than one', () => {
  const cores = availableParallelism();
  for (const [pool, expected] of [
    ['8', Math.max(1, Math.min(7, cores - 1))],
    ['2', 1],
    ['1', 1],
  ] as const) {
    // A fresh process: the bound is read from UV_THREADPOOL_SIZE and the cores when the package loads.
    const entry = import.meta.resolve('@apojwt/auth');
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', `import(${JSON.stringify(entry)}).then((m) => console.log(m.MAX_CONCURRENT_HASHES))`], {
      env: { ...process.env, UV_THREADPOOL_SIZE: pool },
      encoding: 'utf8',
    });
    assert.equal(Number(out.trim()), expected, `UV_THREADPOOL_SIZE=${pool} on ${cores} cores`);
  }
});
