// client-secret.ts: client secrets, generated with 256 random bits and stored as a fast salted hash;
// a secret a person chose, with the password hash; password hashes of earlier versions still verify.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApoJwtConfigError } from '@apojwt/core';
import {
  CLIENT_SECRET_HASH_MARKER,
  MIN_CLIENT_SECRET_LENGTH,
  generateClientSecret,
  hashClientSecret,
  hashPassword,
  isClientSecretHash,
  memoryClientRegistry,
  verifyClientSecret,
  verifyPassword,
} from '@apojwt/auth';

const configError = (pattern: RegExp) => (error: unknown) => error instanceof ApoJwtConfigError && pattern.test(error.message);

test('generateClientSecret: 256 random bits, base64url', () => {
  const secret = generateClientSecret();
  assert.match(secret, /^[\w-]{43}$/);
  assert.notEqual(generateClientSecret(), secret);
});

test('hashClientSecret: a generated secret is stored in the marked fast format, salted', async () => {
  const secret = generateClientSecret();
  const hash = await hashClientSecret(secret);
  assert.match(hash, /^\$apojwt-sha256\$v=1\$[\w-]{22}\$[\w-]{43}$/);
  assert.ok(hash.startsWith(CLIENT_SECRET_HASH_MARKER));
  assert.equal(hash.includes(secret), false);
  assert.notEqual(await hashClientSecret(secret), hash, 'a salt per hash');
  assert.equal(isClientSecretHash(hash), true);
  assert.equal((await memoryClientRegistry([{ id: 'svc:a', secretHash: hash, permissions: [] }]).get('svc:a'))?.secretHash, hash);
});

test('verifyClientSecret: the fast format matches its secret only', async () => {
  const secret = generateClientSecret();
  const hash = await hashClientSecret(secret);
  assert.equal(await verifyClientSecret(secret, hash), true);
  for (const other of [`${secret}x`, secret.slice(0, -1), secret.toUpperCase(), generateClientSecret(), '']) assert.equal(await verifyClientSecret(other, hash), false);
  // One secret, one spelling: NFC, as passwords.
  const composed = `é${'k'.repeat(40)}`;
  assert.equal(await verifyClientSecret(`e\u0301${'k'.repeat(40)}`, await hashClientSecret(composed)), true);
});

test('verifyClientSecret: a malformed or tampered stored hash is false, never an error', async () => {
  const secret = generateClientSecret();
  const hash = await hashClientSecret(secret);
  const [, , , salt, tag] = hash.split('$') as [string, string, string, string, string];
  const flipped = `${tag.slice(0, -2)}${tag.at(-2) === 'A' ? 'B' : 'A'}${tag.at(-1)}`;
  for (const stored of [
    `${CLIENT_SECRET_HASH_MARKER}${salt}$${flipped}`,
    `$apojwt-sha256$v=2$${salt}$${tag}`,
    `${CLIENT_SECRET_HASH_MARKER}${salt}$${tag}=`,
    `${CLIENT_SECRET_HASH_MARKER}${salt.slice(1)}$${tag}`,
    `${CLIENT_SECRET_HASH_MARKER}${salt}`,
    secret,
    '',
  ]) {
    assert.equal(await verifyClientSecret(secret, stored), false, stored);
    if (stored !== `${CLIENT_SECRET_HASH_MARKER}${salt}$${flipped}`) assert.equal(isClientSecretHash(stored), false, stored);
  }
});

test('hashClientSecret: a secret too short to be random is refused with a clear message, never quoted', async () => {
  const short = 'a'.repeat(MIN_CLIENT_SECRET_LENGTH - 1);
  await assert.rejects(hashClientSecret(short), configError(/fewer than 32 characters.*generateClientSecret\(\).*password hash/));
  await assert.rejects(hashClientSecret(short), (error: unknown) => !(error as Error).message.includes(short));
  await assert.rejects(hashClientSecret(''), configError(/fewer than 32 characters/));
  assert.ok(isClientSecretHash(await hashClientSecret('b'.repeat(MIN_CLIENT_SECRET_LENGTH))));
  await assert.rejects(hashClientSecret(7 as never), configError(/must be a string/));
  await assert.rejects(hashClientSecret(generateClientSecret(), { salt: 'x' } as never), configError(/salt/));
  await assert.rejects(hashClientSecret(generateClientSecret(), 'fast' as never), configError(/must be an object/));
});

test('hashClientSecret with password-hash options: the password hash, for a secret a person chose, of any length', async () => {
  const chosen = 'our-team-secret';
  const bcrypt = await hashClientSecret(chosen, { cost: 4 });
  assert.match(bcrypt, /^\$2b\$04\$/);
  const argon2 = await hashClientSecret(chosen, { algorithm: 'argon2id', argon2: { memoryCost: 1024, timeCost: 1 } });
  assert.match(argon2, /^\$argon2id\$/);
  for (const hash of [bcrypt, argon2]) {
    assert.equal(hash.includes(chosen), false);
    assert.equal(await verifyPassword(chosen, hash), true);
    assert.equal(await verifyClientSecret(chosen, hash), true);
    assert.equal(await verifyClientSecret(`${chosen}x`, hash), false);
    assert.equal(isClientSecretHash(hash), true);
  }
  // Generated secrets too, when asked for (the moved assertions of the bcrypt case).
  const secret = generateClientSecret();
  const hash = await hashClientSecret(secret, { cost: 4 });
  assert.equal(hash.includes(secret), false);
  assert.equal(await verifyPassword(secret, hash), true);
  assert.equal(await verifyPassword(`${secret}x`, hash), false);
});

test('back-compat: argon2id and bcrypt secretHash values stored by earlier versions still verify', async () => {
  const secret = generateClientSecret();
  // What hashClientSecret(secret) produced before the fast format: hashPassword's default (argon2id), or bcrypt.
  for (const stored of [await hashPassword(secret, { argon2: { memoryCost: 1024, timeCost: 1 } }), await hashPassword(secret, { cost: 4 })]) {
    assert.equal(await verifyClientSecret(secret, stored), true);
    assert.equal(await verifyClientSecret(generateClientSecret(), stored), false);
    assert.equal(isClientSecretHash(stored), true);
  }
});
