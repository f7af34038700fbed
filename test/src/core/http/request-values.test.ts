import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestValues } from '@apojwt/core';

type Values = { tokenSubject?: string; tokenPermissions?: readonly string[] };
type Request = Values & object;

/** A framework's request class: every request shares its prototype. `decorated` gives each one own properties of the names, as Fastify's decorateRequest does. */
function framework(decorated = false) {
  class FrameworkRequest {
    constructor() {
      if (decorated) Object.assign(this, { tokenSubject: null, tokenPermissions: null });
    }
  }
  return { proto: FrameworkRequest.prototype, make: () => new FrameworkRequest() as Request };
}

test('requestValues: read through accessors, no own property; a second attach adds; a wrapper reads the request below it', () => {
  const store = requestValues<Values>(`test.requestValues.${Math.random()}`, ['tokenSubject', 'tokenPermissions']);
  const { proto, make } = framework();
  const request = make();
  store.attach(request, proto, { tokenSubject: 'user-1' });
  store.attach(request, proto, { tokenPermissions: ['orders:read'] });
  assert.equal(request.tokenSubject, 'user-1');
  assert.deepEqual(request.tokenPermissions, ['orders:read']);
  assert.deepEqual(Object.keys(request), [], 'nothing was added to the request itself');
  assert.equal((Object.create(request) as Request).tokenSubject, 'user-1');
  assert.equal(make().tokenSubject, undefined, 'another request has no values');
});

test('requestValues: the guard’s values win over what the app set before, as own properties or through the accessors', () => {
  const store = requestValues<Values>(`test.requestValues.${Math.random()}`, ['tokenSubject', 'tokenPermissions']);
  const { proto, make } = framework();
  // The first request: the app wrote own properties before any accessor existed.
  const first = Object.assign(make(), { tokenSubject: 'forged', tokenPermissions: ['admin'] });
  store.attach(first, proto, { tokenSubject: 'user-1', tokenPermissions: ['orders:read'] });
  assert.deepEqual([first.tokenSubject, first.tokenPermissions], ['user-1', ['orders:read']]);
  // Later requests: the assignment goes through the accessors' setter, then the guard replaces it.
  const later = make();
  later.tokenSubject = 'forged';
  assert.equal(later.tokenSubject, 'forged', 'the app reads its own value back');
  store.attach(later, proto, { tokenSubject: 'user-2' });
  assert.equal(later.tokenSubject, 'user-2');
  assert.equal(Object.prototype.hasOwnProperty.call(later, 'tokenSubject'), false);
});

test('requestValues: a framework that gives every request own properties of the names (decorateRequest) is written directly, every request', () => {
  const store = requestValues<Values>(`test.requestValues.${Math.random()}`, ['tokenSubject', 'tokenPermissions']);
  const { proto, make } = framework(true);
  for (const sub of ['user-1', 'user-2', 'user-3']) {
    const request = make();
    store.attach(request, proto, { tokenSubject: sub, tokenPermissions: ['orders:read'] });
    assert.deepEqual([request.tokenSubject, request.tokenPermissions], [sub, ['orders:read']]);
  }
});

test('requestValues: without a prototype (a plain request object) the values are plain properties', () => {
  const store = requestValues<Values>(`test.requestValues.${Math.random()}`, ['tokenSubject']);
  const request: Request = {};
  store.attach(request, undefined, { tokenSubject: 'user-1' });
  assert.deepEqual(Object.entries(request), [['tokenSubject', 'user-1']]);
});

test('requestValues: two stores under one shared key (two copies of an adapter) read each other’s values', () => {
  const key = `test.requestValues.${Math.random()}`;
  const { proto, make } = framework();
  const request = make();
  requestValues<Values>(key, ['tokenSubject']).attach(request, proto, { tokenSubject: 'user-1' });
  const other = requestValues<Values>(key, ['tokenSubject']);
  other.attach(request, proto, {});
  assert.equal(request.tokenSubject, 'user-1');
});
