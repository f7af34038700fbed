// publint over the built @apojwt/core (exports map, types, files).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { publint } from 'publint';

test('publint finds nothing to fix in @apojwt/core', async () => {
  const pkgDir = dirname(createRequire(import.meta.url).resolve('@apojwt/core/package.json'));
  const { messages } = await publint({ pkgDir, level: 'suggestion', pack: false });
  assert.deepEqual(messages, []);
});
