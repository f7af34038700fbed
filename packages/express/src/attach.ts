import { IncomingMessage } from 'node:http';
import type { InjectedValues } from '@apojwt/core';

/**
 * Where verified values live for `req.tokenData` and friends. Adding own
 * properties to every `req` changes its shape each request and measurably
 * slows Express's own work on it afterwards; instead, the values are kept in
 * a WeakMap and read through accessors defined once on Express's shared
 * request prototype (`express.request`, Express's documented extension
 * point, which every app and mounted sub-app inherits from).
 */
const KEYS = ['tokenData', 'tokenSubject', 'tokenPermissions', 'tokenClaims', 'refreshData', 'refreshClaims'] as const;
const valuesByRequest = new WeakMap<object, InjectedValues>();
const prepared = new WeakSet<object>();

/** The object in `req`'s prototype chain that directly extends IncomingMessage (Express's `request`). */
function sharedPrototype(req: object): object | undefined {
  for (let proto = Object.getPrototypeOf(req); proto !== null; proto = Object.getPrototypeOf(proto)) {
    if (Object.getPrototypeOf(proto) === IncomingMessage.prototype) return proto;
    if (proto === IncomingMessage.prototype) return undefined;
  }
  return undefined;
}

function defineAccessors(proto: object): void {
  for (const key of KEYS) {
    if (Object.prototype.hasOwnProperty.call(proto, key)) continue;
    Object.defineProperty(proto, key, {
      configurable: true,
      enumerable: false,
      get(this: object) {
        return valuesByRequest.get(this)?.[key];
      },
      // Code that assigns `req.tokenData = ...` itself gets an ordinary property.
      set(this: object, value: unknown) {
        Object.defineProperty(this, key, { value, writable: true, enumerable: true, configurable: true });
      },
    });
  }
  prepared.add(proto);
}

export function attachToRequest(req: Record<string, unknown>, values: InjectedValues): void {
  const proto = sharedPrototype(req);
  if (proto === undefined) {
    // Not an Express request (a bare node:http one): plain properties.
    for (const key in values) req[key] = values[key as keyof InjectedValues];
    return;
  }
  if (!prepared.has(proto)) defineAccessors(proto);
  // A second guard on the same request (middleware, then a decorated handler) adds to the first.
  const earlier = valuesByRequest.get(req);
  valuesByRequest.set(req, earlier === undefined ? values : { ...earlier, ...values });
}
