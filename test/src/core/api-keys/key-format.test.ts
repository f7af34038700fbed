import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32 } from 'node:zlib';
import { ApiKeys, MemoryApiKeyStore } from '@apojwt/core';
import { apoError, configError } from '../../support/helpers.js';

/** The key text (key-format.ts), seen through ApiKeys, which parses every presented key before any lookup. */
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
function checksum(text: string): string {
  let value = BigInt(crc32(text));
  let out = '';
  while (value > 0n) {
    out = ALPHABET[Number(value % 62n)] + out;
    value /= 62n;
  }
  return out.padStart(6, '0');
}

/** A store that fails the test if it is asked: a key refused by its form must never reach it. */
function untouchableStore(): MemoryApiKeyStore {
  const store = new MemoryApiKeyStore();
  store.get = () => assert.fail('the store was asked about a key refused by its form');
  return store;
}

test('a new key: prefix, 16-character id, "_", 43 base62 characters of secret and a 6-character checksum', async () => {
  const keys = new ApiKeys();
  const seen = new Set<string>();
  for (let i = 0; i < 50; i++) {
    const { key, id } = await keys.create({ subject: 's', permissions: [] });
    assert.match(key, /^apo_live_[0-9A-Za-z]{16}_[0-9A-Za-z]{49}$/);
    assert.equal(key.slice('apo_live_'.length, 'apo_live_'.length + 16), id);
    const signed = key.slice(0, -6);
    assert.equal(key.slice(-6), checksum(signed), 'the checksum is the CRC-32 of the rest, in base62');
    seen.add(key.slice(-49, -6));
  }
  assert.equal(seen.size, 50, 'secrets are random');
  const test = await new ApiKeys({ prefix: 'apo_test_' }).create({ subject: 's', permissions: [] });
  assert.match(test.key, /^apo_test_/);
});

test('a key refused by its form never reaches the store: prefix, length, alphabet, separator, checksum', async () => {
  const keys = new ApiKeys({ store: untouchableStore() });
  const good = (await new ApiKeys().create({ subject: 's', permissions: [] })).key;
  const body = good.slice('apo_live_'.length);
  const withChecksum = (text: string) => text + checksum(text);
  const forms = [
    '',
    'apo_live_',
    `apo_test_${body}`,
    `APO_LIVE_${body}`,
    good.slice(0, -1),
    `${good}a`,
    withChecksum(`apo_live_${body.slice(0, 16)}-${body.slice(17, -6)}`),
    withChecksum(`apo_live_${body.slice(0, 15)}é${body.slice(16, -6)}`),
    good.slice(0, -1) + (good.endsWith('0') ? '1' : '0'),
  ];
  for (const form of forms) await assert.rejects(keys.verify(form), apoError('ERR_API_KEY_INVALID', 401), JSON.stringify(form));
  await assert.rejects(keys.verify(42 as never), apoError('ERR_API_KEY_INVALID', 401));
});

test('a prefix is lower-case words ended by "_", at most 32 characters', () => {
  for (const prefix of ['apo_live', 'Apo_live_', 'apo-live_', '_', '', 'a'.repeat(32) + '_', 5]) {
    assert.throws(() => new ApiKeys({ prefix: prefix as never }), configError('apiKeys prefix'), String(prefix));
  }
  for (const prefix of ['apo_live_', 'apo_test_', 'sk_', 'acme2_prod_']) assert.equal(new ApiKeys({ prefix }).prefix, prefix);
});
