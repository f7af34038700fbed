// service-clients.ts: the client registry, checked when it is made; secrets only as hashes
// (hashing them: client-secret.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApoJwtConfigError } from '@apojwt/core';
import { hashClientSecret, memoryClientRegistry } from '@apojwt/auth';

const configError = (pattern: RegExp) => (error: unknown) => error instanceof ApoJwtConfigError && pattern.test(error.message);

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
