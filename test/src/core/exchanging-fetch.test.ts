// exchangingFetch's own checks; its exchanges against the real token endpoint, caching and
// refreshing, are in test/src/e2e/token-exchange.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exchangingFetch } from '@apojwt/core';

test('options are checked when it is made', () => {
  const base = { tokenUrl: 'https://auth.test/auth/token', clientId: 'a', clientSecret: 'b', audience: 'c' };
  for (const bad of [
    { tokenUrl: 'nope' },
    { tokenUrl: 'ftp://x/y' },
    { clientId: '' },
    { audience: 7 },
    { scope: [] },
    { scope: ['a b'] },
    { refreshBeforeSeconds: -1 },
    { maxCached: 0 },
    { timeoutMs: 1.5 },
  ]) {
    assert.throws(() => exchangingFetch({ ...base, ...bad } as never), TypeError, JSON.stringify(bad));
  }
});

test('an unusable user token is ERR_TOKEN_MISSING before any request', async () => {
  const call = exchangingFetch({ tokenUrl: 'http://127.0.0.1:9/auth/token', clientId: 'a', clientSecret: 'b', audience: 'c' });
  await assert.rejects(call.token(''), (error: unknown) => (error as { code?: string }).code === 'ERR_TOKEN_MISSING');
  await assert.rejects(call(undefined as never, 'http://127.0.0.1:9/'), (error: unknown) => (error as { code?: string }).code === 'ERR_TOKEN_MISSING');
});
