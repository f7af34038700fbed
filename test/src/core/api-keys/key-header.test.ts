import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiKeys } from '@apojwt/core';
import { apoError, configError } from '../../support/helpers.js';

/** Where a request carries its key (key-header.ts), through ApiKeys.find over Node's raw header list. */
const raw = (...pairs: [string, string][]) => pairs.flat();

test('X-API-Key (any case) or Authorization: ApiKey (scheme case-insensitive); absent or empty is none', () => {
  const keys = new ApiKeys();
  assert.equal(keys.find(raw(['X-API-Key', 'k1'])), 'k1');
  assert.equal(keys.find(raw(['x-api-key', '  k1  '])), 'k1');
  assert.equal(keys.find(raw(['Authorization', 'ApiKey k2'])), 'k2');
  assert.equal(keys.find(raw(['authorization', 'APIKEY   k2 '])), 'k2');
  assert.equal(keys.find(raw(['Authorization', 'Bearer abc'])), undefined, 'a Bearer credential is not a key');
  assert.equal(keys.find(raw(['Authorization', 'ApiKeys k2'])), undefined, 'another scheme');
  assert.equal(keys.find(raw(['X-API-Key', ''])), undefined);
  assert.equal(keys.find([]), undefined);
});

test('two key headers, a key in both places, two Authorization headers, or the scheme without exactly one key: 400', () => {
  const keys = new ApiKeys();
  for (const headers of [
    raw(['X-API-Key', 'a'], ['x-api-key', 'b']),
    raw(['X-API-Key', 'a'], ['Authorization', 'ApiKey a']),
    raw(['Authorization', 'ApiKey a'], ['Authorization', 'ApiKey b']),
    raw(['Authorization', 'ApiKey']),
    raw(['Authorization', 'ApiKey a b']),
    raw(['Authorization', 'ApiKey a,b']),
  ]) {
    assert.throws(() => keys.find(headers), apoError('ERR_REQUEST_MALFORMED', 400), JSON.stringify(headers));
  }
});

test('header and scheme are configurable, or turned off one at a time', () => {
  const custom = new ApiKeys({ header: 'X-Service-Key', scheme: 'Key' });
  assert.equal(custom.find(raw(['x-service-key', 'k'])), 'k');
  assert.equal(custom.find(raw(['Authorization', 'Key k'])), 'k');
  assert.equal(custom.find(raw(['X-API-Key', 'k'])), undefined);
  assert.equal(custom.challengeScheme, 'Key');
  assert.equal(new ApiKeys({ header: false }).find(raw(['X-API-Key', 'k'])), undefined);
  assert.equal(new ApiKeys({ scheme: false }).find(raw(['Authorization', 'ApiKey k'])), undefined);
  assert.throws(() => new ApiKeys({ header: false, scheme: false }), configError('needs a header or a scheme'));
  assert.throws(() => new ApiKeys({ header: 'Authorization' }), configError('must not be "authorization"'));
  assert.throws(() => new ApiKeys({ header: 'x api key' }), configError('HTTP token'));
  assert.throws(() => new ApiKeys({ scheme: 'Bearer' }), configError('must not be "Bearer"'));
});
