import 'reflect-metadata';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApoJwt, ApoJwtConfigError, permissionRequired, tokenRequired, type ApoDecorator } from '@apojwt/core';

/**
 * What other decorators record on a method survives apojwt's wrapper, in any
 * order. Legacy decorators are applied here the way TypeScript's
 * experimentalDecorators emit them: (prototype, key, descriptor), bottom-up.
 */

type LegacyMethodDecorator = (target: object, key: string, descriptor: PropertyDescriptor) => PropertyDescriptor | void;

/** A stand-in for Nest's @Get(path): metadata on descriptor.value, as Nest writes it. */
const route =
  (path: string): LegacyMethodDecorator =>
  (_target, _key, descriptor) => {
    Reflect.defineMetadata('path', path, descriptor.value as object);
    return descriptor;
  };
/** A stand-in for a library that tags the function itself. */
const tagged: LegacyMethodDecorator = (_target, _key, descriptor) => {
  (descriptor.value as { tag?: string }).tag = 'kept';
  return descriptor;
};

function applyLegacy(decorators: LegacyMethodDecorator[], prototype: object, key: string): (...args: never[]) => unknown {
  let descriptor = Object.getOwnPropertyDescriptor(prototype, key) as PropertyDescriptor;
  for (const decorate of [...decorators].reverse()) descriptor = decorate(prototype, key, descriptor) ?? descriptor;
  Object.defineProperty(prototype, key, descriptor);
  return descriptor.value as (...args: never[]) => unknown;
}

// No template, no finder: a guarded call refuses to run, which tells the wrapper from the original.
const apo = new ApoJwt({ secret: 'carry-over-secret-0123456789-abcdefghijkl', iss: 'i', serverAudience: 'a' });
const asLegacy = (decorator: ApoDecorator): LegacyMethodDecorator => decorator as unknown as LegacyMethodDecorator;

describe('carry-over: metadata of other decorators survives apojwt', () => {
  for (const order of ['apojwt above', 'apojwt below', 'apojwt on both sides'] as const) {
    test(`reflect-metadata, own properties, name and length: ${order}`, async () => {
      class Controller {
        list(_a: unknown, _b: unknown) {
          return 'listed';
        }
      }
      const guard = asLegacy(permissionRequired('orders:read', { apo }));
      const others = [route('/orders'), tagged];
      const stack = order === 'apojwt above' ? [guard, ...others] : order === 'apojwt below' ? [...others, guard] : [asLegacy(tokenRequired({ apo })), route('/orders'), guard, tagged];
      const method = applyLegacy(stack, Controller.prototype, 'list');
      assert.equal(Reflect.getOwnMetadata('path', method), '/orders');
      assert.equal((method as { tag?: string }).tag, 'kept');
      assert.equal(method.name, 'list');
      assert.equal(method.length, 2);
      assert.equal(Controller.prototype.list, method);
      await assert.rejects(() => (method as (a: unknown, b: unknown) => Promise<unknown>).call(new Controller(), {}, {}), ApoJwtConfigError, 'the guard runs');
    });
  }

  test('design:* metadata on the prototype is untouched (it is keyed by class and name, not by function)', () => {
    class Controller {
      read(_id: string) {
        return 1;
      }
    }
    Reflect.defineMetadata('design:paramtypes', [String], Controller.prototype, 'read');
    applyLegacy([asLegacy(permissionRequired('orders:read', { apo }))], Controller.prototype, 'read');
    assert.deepEqual(Reflect.getMetadata('design:paramtypes', Controller.prototype, 'read'), [String]);
  });

  test('TC39 decorators: a decorator above apojwt sees the metadata a decorator below wrote', () => {
    const seen: unknown[] = [];
    function tag(value: (...args: never[]) => unknown, _context: ClassMethodDecoratorContext) {
      Reflect.defineMetadata('role', 'reader', value);
    }
    function read(value: (...args: never[]) => unknown, _context: ClassMethodDecoratorContext) {
      seen.push(Reflect.getOwnMetadata('role', value));
    }
    class Controller {
      @read
      @permissionRequired('orders:read', { apo })
      @tag
      list() {
        return 'listed';
      }
    }
    assert.deepEqual(seen, ['reader']);
    assert.equal(Reflect.getOwnMetadata('role', Controller.prototype.list), 'reader');
  });
});
