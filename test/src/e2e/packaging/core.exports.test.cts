// @apojwt/core is ESM-only; Node >= 20.19 loads it from CommonJS with
// require(esm). This file compiles to .cjs and checks that path.
import test = require('node:test');
import assert = require('node:assert/strict');

test('require("@apojwt/core") works from CommonJS and gives the same exports as import', async () => {
  const required = require('@apojwt/core') as Record<string, unknown>;
  const imported = (await import('@apojwt/core')) as Record<string, unknown>;
  const names = (m: Record<string, unknown>) =>
    Object.keys(m)
      .filter((k) => k !== 'default' && k !== '__esModule' && k !== 'module.exports')
      .sort();
  assert.deepEqual(names(required), names(imported));
  assert.equal(required['ApoJwt'], imported['ApoJwt'], 'one module instance, not a second copy');
  assert.equal(typeof required['ApoJwt'], 'function');
  assert.equal(typeof required['ApoJwtError'], 'function');
  assert.ok(names(required).length > 20);
});
