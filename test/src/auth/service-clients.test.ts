// service-clients.ts: the client registry, checked when it is made; secrets only as hashes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApoJwtConfigError } from '@apojwt/core';
import { generateClientSecret, hashClientSecret, memoryClientRegistry, verifyPassword } from '@apojwt/auth';

const configError = (pattern: RegExp) => (error: unknown) => error instanceof ApoJwtConfigError && pattern.test(error.message);

test('generateClientSecret / hashClientSecret: 256 random bits; the hash verifies with the password hashing of @apojwt/auth', async () => {
  const secret = generateClientSecret();
  assert.match(secret, /^[\w-]{43}$/);
  assert.notEqual(generateClientSecret(), secret);
  const hash = await hashClientSecret(secret, { cost: 4 });
  assert.equal(hash.includes(secret), false);
  assert.equal(await verifyPassword(secret, hash), true);
  assert.equal(await verifyPassword(`${secret}x`, hash), false);
});

test('memoryClientRegistry: finds clients by id; unknown ids are undefined', async () => {
  const secretHash = await hashClientSecret('s', { cost: 4 });
  const registry = memoryClientRegistry([{ id: 'svc:a', secretHash, permissions: ['orders:read'] }]);
  assert.deepEqual(registry.get('svc:a'), { id: 'svc:a', secretHash, permissions: ['orders:read'] });
  assert.equal(registry.get('svc:b'), undefined);
  assert.equal(registry.get('__proto__'), undefined);
});

test('memoryClientRegistry: a plaintext secret, no credential, a duplicate id or bad permission lists are refused at construction', async () => {
  const secretHash = await hashClientSecret('s', { cost: 4 });
  assert.throws(() => memoryClientRegistry([{ id: 'a', secretHash: 'plain-secret', permissions: [] }]), configError(/never the secret itself/));
  assert.throws(() => memoryClientRegistry([{ id: 'a', permissions: [] }]), configError(/needs a secretHash or a publicKey/));
  assert.throws(() => memoryClientRegistry([{ id: '', secretHash, permissions: [] }]), configError(/id must be a non-empty string/));
  assert.throws(
    () =>
      memoryClientRegistry([
        { id: 'a', secretHash, permissions: [] },
        { id: 'a', secretHash, permissions: [] },
      ]),
    configError(/registered twice/),
  );
  assert.throws(() => memoryClientRegistry([{ id: 'a', secretHash, permissions: ['a b'] }]), configError(/permissions must be an array/));
  assert.throws(() => memoryClientRegistry([{ id: 'a', secretHash, permissions: ['x'], delegate: 'x' as never }]), configError(/delegate must be an array/));
  assert.throws(() => memoryClientRegistry('x' as never), configError(/takes an array/));
});
