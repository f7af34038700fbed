import { test } from 'node:test';
import assert from 'node:assert/strict';
import { entryAlongPrototypes } from '@apojwt/core';

test('entryAlongPrototypes: the object’s own entry, else the one of the object it was derived from, never past the shared prototype', () => {
  const shared = {};
  const request = Object.create(shared) as object;
  const wrapper = Object.create(request) as object;
  const rewrapped = Object.create(wrapper) as object;
  const map = new WeakMap<object, string>([
    [request, 'request'],
    [shared, 'the shared prototype'],
  ]);
  assert.equal(entryAlongPrototypes(map, request, shared), 'request');
  assert.equal(entryAlongPrototypes(map, rewrapped, shared), 'request', 'two wrappers deep');
  map.set(wrapper, 'wrapper');
  assert.equal(entryAlongPrototypes(map, rewrapped, shared), 'wrapper', 'the nearest entry');
  assert.equal(entryAlongPrototypes(map, Object.create(shared) as object, shared), undefined, 'the shared prototype’s entry is never read');
  assert.equal(entryAlongPrototypes(map, Object.create(null) as object, shared), undefined);
});
