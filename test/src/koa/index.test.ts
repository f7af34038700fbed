import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as core from '@apojwt/core';
import * as koaAdapter from '@apojwt/koa';
import { BASE } from '@apojwt/conformance';

// The package entry (packages/koa/src/index.ts): the core API re-exported, the template registered on import.
describe('@apojwt/koa entry', () => {
  test('re-exports the core API and decorators, and registers its template on import', () => {
    const adapter = koaAdapter as Record<string, unknown>;
    for (const name of ['createApoJwt', 'permissionRequired', 'tokenRequired', 'refresh', 'TokenData', 'ApoJwtError', 'toHttpErrorResponse']) {
      assert.equal(adapter[name], (core as Record<string, unknown>)[name], name);
    }
    assert.equal(koaAdapter.createApoJwt({ ...BASE, template: 'koa' }).template?.name, 'koa');
  });
});
