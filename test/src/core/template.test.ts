import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApoJwt, ApoJwtConfigError, resolveTemplate } from '@apojwt/core';
import { BASE } from '@apojwt/conformance';

/**
 * resolveTemplate by name: an unknown name lists the names that are
 * registered (and says how one gets registered), never a package name made
 * up from the user's text (`import '@apojwt/Express'` does not exist).
 */

function unknownTemplate(name: string): string {
  try {
    resolveTemplate(name);
  } catch (error) {
    assert.ok(error instanceof ApoJwtConfigError, String(error));
    return error.message;
  }
  assert.fail(`"${name}" resolved`);
}

test('before any adapter is imported: says none is registered and how to register one', () => {
  const message = unknownTemplate('express');
  assert.match(message, /^unknown template "express": no template is registered/);
  assert.match(message, /template object/);
  assert.doesNotMatch(message, /'@apojwt\/express'/, 'no import suggested from the name given');
});

test('an unknown name lists the registered names, and never suggests a package made from the name', async () => {
  await import('@apojwt/express');
  await import('@apojwt/koa');
  for (const name of ['Express', 'fastify', 'no-such-framework']) {
    const message = unknownTemplate(name);
    assert.match(message, new RegExp(`^unknown template "${name}"`));
    assert.match(message, /registered templates: "express", "koa"/, message);
    assert.doesNotMatch(message, /@apojwt\/(Express|fastify|no-such)/, message);
  }
  assert.match(unknownTemplate('Express'), /did you mean "express"\?/);
  assert.equal(resolveTemplate('express').name, 'express');
});

test('a hostile name is quoted with its control characters escaped and cut short', () => {
  const message = unknownTemplate(`x\n${'y'.repeat(500)}`);
  assert.ok(!message.includes('\n'));
  assert.ok(message.length < 400, message);
});

test('a template name no imported adapter registered is refused at construction', () => {
  assert.throws(
    () => new ApoJwt({ ...BASE, template: 'fastify' }),
    (error: unknown) => error instanceof ApoJwtConfigError,
  );
});

test('a template object: its optional slots, when given, must be functions (refused at construction, by name)', async () => {
  const { expressTemplate } = await import('@apojwt/express');
  const base = expressTemplate({ name: 'slots' });
  for (const slot of ['respond', 'request', 'isRequest', 'handlerError', 'middleware', 'requestHeaders']) {
    assert.throws(
      () => new ApoJwt({ ...BASE, template: { ...base, name: `bad-${slot}`, [slot]: 'not a function' } as never }),
      (error: unknown) => error instanceof ApoJwtConfigError && error.message === `template.${slot} must be a function when given`,
      slot,
    );
  }
  assert.doesNotThrow(() => new ApoJwt({ ...BASE, template: { ...base, name: 'good-slots' } }));
});

test('a custom template without requestHeaders serves Bearer-only routes; a route that accepts keys says what is missing', async () => {
  const { expressTemplate } = await import('@apojwt/express');
  // isRequest dropped too: the test calls the middleware with plain objects, not Node's request.
  const { requestHeaders: _dropped, isRequest: _isRequest, ...base } = expressTemplate({ name: 'no-headers' });
  const apo = new ApoJwt({ ...BASE, template: { ...base, name: 'no-headers' }, apiKeys: {} });
  const token = apo.createToken({ sub: 'u', permissions: ['orders:read'] }) as string;
  const req = { rawHeaders: ['Authorization', `Bearer ${token}`] };
  const bearerOnly: unknown[] = [];
  const accepting: unknown[] = [];
  // Bearer only: the template's finder, as before.
  await apo.permissionRequired('orders:read')(req, {}, (error?: unknown) => bearerOnly.push(error));
  assert.deepEqual(bearerOnly, [undefined]);
  await apo.permissionRequired('orders:read', { accept: ['bearer', 'apiKey'] })(req, {}, (error?: unknown) => accepting.push(error));
  const [error] = accepting;
  assert.ok(error instanceof ApoJwtConfigError && /requestHeaders/.test(error.message));
});
