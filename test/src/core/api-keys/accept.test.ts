import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileAccept, selectCredential } from '@apojwt/core';
import { apoError, configError } from '../../support/helpers.js';

test('accept: Bearer only (absent, or ["bearer"]) compiles to nothing, so such routes keep the Bearer path', () => {
  assert.equal(compileAccept(undefined), undefined);
  assert.equal(compileAccept(['bearer']), undefined);
  assert.deepEqual(compileAccept(['bearer', 'apiKey']), { bearer: true, apiKey: true });
  assert.deepEqual(compileAccept(['apiKey']), { bearer: false, apiKey: true });
  for (const bad of [[], ['apikey'], ['bearer', 'bearer'], 'apiKey', [1]]) assert.throws(() => compileAccept(bad), configError('accept'), JSON.stringify(bad));
});

test('exactly one credential: the key or the token; both is 400; none is 401 challenged with every accepted scheme', () => {
  const both = { bearer: true, apiKey: true };
  assert.deepEqual(selectCredential(both, 't', undefined, 'ApiKey'), { kind: 'bearer', value: 't' });
  assert.deepEqual(selectCredential(both, undefined, 'k', 'ApiKey'), { kind: 'apiKey', value: 'k' });
  assert.throws(() => selectCredential(both, 't', 'k', 'ApiKey'), apoError('ERR_REQUEST_MALFORMED', 400));
  assert.throws(
    () => selectCredential(both, undefined, undefined, 'ApiKey'),
    (error: unknown) => apoError('ERR_TOKEN_MISSING', 401)(error) && JSON.stringify((error as { details: unknown }).details) === '{"schemes":["Bearer","ApiKey"]}',
  );
  assert.throws(
    () => selectCredential({ bearer: false, apiKey: true }, undefined, undefined, 'Key'),
    (error: unknown) => JSON.stringify((error as { details: unknown }).details) === '{"schemes":["Key"]}',
  );
});
