// The types of the API-key surface: checked at compile time (a wrong `accept` does not
// compile), confirmed at run time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApoJwt, permissionRequired, type ApiKeyClaims, type ApiKeyInfo, type CreatedApiKey, type CredentialKind } from '@apojwt/core';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const typeCheck = <T extends true>(): boolean => true;

test('accept takes the credential kinds only; the key calls return their own types', async () => {
  const apo = new ApoJwt({ iss: 'a', serverAudience: 'b', secret: 's'.repeat(32), apiKeys: {} });
  assert.ok(typeCheck<Equal<CredentialKind, 'bearer' | 'apiKey'>>());
  // @ts-expect-error: a misspelt kind does not compile
  assert.throws(() => apo.permissionRequired('orders:read', { accept: ['apikey'] }));
  // @ts-expect-error: nor does a string in place of the list
  assert.throws(() => permissionRequired('orders:read', { accept: 'apiKey' }));
  const created = await apo.apiKeys!.create({ subject: 's', permissions: ['orders:read'] });
  assert.ok(typeCheck<Equal<typeof created, CreatedApiKey>>());
  const listed = await apo.apiKeys!.list('s');
  assert.ok(typeCheck<Equal<typeof listed, readonly ApiKeyInfo[]>>());
  // @ts-expect-error: a listed key has no key text
  assert.equal(listed[0]?.key, undefined);
  const claims = await apo.authorizeApiKey(created.key, 'orders:read');
  assert.ok(typeCheck<Equal<typeof claims.kind, 'apiKey'>>());
  assert.equal(claims.kind, 'apiKey');
});
