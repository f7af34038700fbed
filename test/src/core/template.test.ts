import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApoJwt, ApoJwtConfigError } from '@apojwt/core';
import { BASE } from '@apojwt/conformance';

// Template resolution (packages/core/src/template.ts): a name is only what an imported adapter registered.
describe('template names', () => {
  test('a template name no imported adapter registered is refused', () => {
    const isConfigError = (error: unknown) => error instanceof ApoJwtConfigError;
    assert.throws(() => new ApoJwt({ ...BASE, template: 'fastify' }), isConfigError);
  });
});
