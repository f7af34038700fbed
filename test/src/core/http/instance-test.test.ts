import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { instanceTest } from '@apojwt/core';

// `instanceTest` remembers the last immediate prototype that passed; what it answers must stay `instanceof`'s answer.
test('instanceTest answers as instanceof, for the remembered prototype and every other', () => {
  const isRequest = instanceTest(IncomingMessage);
  const shared = Object.create(IncomingMessage.prototype) as object; // an app's request prototype, as Express makes one
  const first = Object.create(shared) as object;
  const second = Object.create(shared) as object;
  assert.equal(isRequest(first), true);
  assert.equal(isRequest(second), true, 'the remembered prototype');
  assert.equal(isRequest(new IncomingMessage(new Socket())), true, 'another prototype that is an instance');
  assert.equal(isRequest(Object.create(first) as object), true, 'a wrapper made with Object.create(req)');
  const others: [string, unknown][] = [
    ['a plain object', {}],
    ['an object without a prototype', Object.create(null)],
    ['an array', []],
    ['a function', () => undefined],
    ['undefined', undefined],
    ['null', null],
    ['a string', 'req'],
  ];
  for (const [what, other] of others) assert.equal(isRequest(other), false, what);
  // An object whose prototype is unrelated never passes, after any number of passes.
  assert.equal(isRequest(Object.create({ rawHeaders: [] }) as object), false);
  assert.equal(isRequest(second), true);
});
