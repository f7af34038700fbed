import { IncomingMessage } from 'node:http';
import { requestValues, type InjectedValues } from '@apojwt/core';

/**
 * Where verified values live for `req.tokenData` and friends: core's
 * `requestValues` (a WeakMap keyed by the request, read through accessors,
 * the guard's values always winning), on Express's shared request prototype
 * (`express.request`, Express's documented extension point, which every app
 * and mounted sub-app inherits from). In a warm loop a symbol-keyed property
 * would be cheaper (about 13 ns against 150 ns); a server between bursts
 * meets the cold case, where the order reverses, and paired over HTTP the
 * WeakMap came out ahead (bench/adapters.md).
 */
const values = requestValues<InjectedValues>('apojwt.express.requestValues', ['tokenData', 'tokenSubject', 'tokenPermissions', 'tokenClaims', 'refreshData', 'refreshClaims']);

/** The object in `req`'s prototype chain that directly extends IncomingMessage (Express's `request`). */
function sharedPrototype(req: object): object | undefined {
  for (let proto = Object.getPrototypeOf(req); proto !== null; proto = Object.getPrototypeOf(proto)) {
    if (Object.getPrototypeOf(proto) === IncomingMessage.prototype) return proto;
    if (proto === IncomingMessage.prototype) return undefined;
  }
  return undefined;
}

// Every request of an app has the same immediate prototype (the app's `request`): the walk above runs once per app.
let lastImmediate: object | undefined;
let lastShared: object | undefined;

/** Express's shared prototype of `req`; undefined for a request that is not an Express one (a bare node:http one). */
function expressPrototype(req: object): object | undefined {
  const immediate = Object.getPrototypeOf(req) as object | null;
  if (immediate !== null && immediate === lastImmediate) return lastShared;
  const proto = sharedPrototype(req);
  if (proto === undefined) return undefined;
  lastImmediate = immediate ?? undefined;
  lastShared = proto;
  return proto;
}

/** A second guard on the same request (middleware, then a decorated handler) adds to the first. */
export function attachToRequest(req: object, injected: InjectedValues): void {
  values.attach(req, expressPrototype(req), injected);
}
