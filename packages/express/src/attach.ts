import { IncomingMessage } from 'node:http';
import { entryAlongPrototypes, type InjectedValues } from '@apojwt/core';

/**
 * Where verified values live for `req.tokenData` and friends. Adding the
 * values as own properties to every `req` changes its shape four times each
 * request and slows Express's own work on it afterwards. Even one
 * symbol-keyed property costs a shape transition on Node's large request
 * object: measured with cold caches, as a server between bursts runs, that
 * store took 4-7 µs against under 1 µs for a WeakMap entry
 * (bench/adapters/guard-cold.ts). In a warm loop the order reverses (about
 * 13 ns against 150 ns); a server between bursts meets the cold case, and
 * paired over HTTP the WeakMap came out ahead (bench/adapters.md). So the values live in a WeakMap keyed by
 * the request and are read through accessors defined once on Express's
 * shared request prototype (`express.request`, Express's documented
 * extension point, which every app and mounted sub-app inherits from). The
 * map hangs off `globalThis` under a `Symbol.for` key: two copies of this
 * package in one app read each other's values.
 */
const KEYS = ['tokenData', 'tokenSubject', 'tokenPermissions', 'tokenClaims', 'refreshData', 'refreshClaims'] as const;
const SHARED = Symbol.for('apojwt.express.requestValues');
const holder = globalThis as { [SHARED]?: WeakMap<object, InjectedValues> };
const valuesOf: WeakMap<object, InjectedValues> = (holder[SHARED] ??= new WeakMap());
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
        return entryAlongPrototypes(valuesOf, this, proto)?.[key];
      },
      // Code that assigns `req.tokenData = ...` itself reads its value back, until a guard fills in the verified one.
      set(this: object, value: unknown) {
        valuesOf.set(this, { ...valuesOf.get(this), [key]: value });
      },
    });
  }
  prepared.add(proto);
}

// Every request of an app has the same immediate prototype (the app's `request`): the walk above runs once per app.
let lastImmediate: object | undefined;
let lastShared: object | undefined;

/**
 * The request's shared prototype, with the accessors on it; undefined when
 * the values must be plain properties: not an Express request (a bare
 * node:http one), or a request that got own properties of these names
 * before the accessors existed (the first requests of an app). Once they
 * exist, an assignment goes through their setter into the WeakMap, where the
 * guard's verified values replace it: a value set before the guard ran never
 * hides the verified one. (A property the app defines on a request itself
 * with `Object.defineProperty` after that is the app's own, and stays.)
 */
function preparedPrototype(req: object): object | undefined {
  const immediate = Object.getPrototypeOf(req) as object | null;
  if (immediate !== null && immediate === lastImmediate) return lastShared;
  const proto = sharedPrototype(req);
  if (proto === undefined) return undefined;
  if (!prepared.has(proto)) defineAccessors(proto);
  lastImmediate = immediate ?? undefined;
  lastShared = proto;
  return KEYS.some((key) => Object.prototype.hasOwnProperty.call(req, key)) ? undefined : proto;
}

export function attachToRequest(req: Record<string, unknown>, values: InjectedValues): void {
  if (preparedPrototype(req) === undefined) {
    // Plain properties (own ones are replaced; any other name goes through the accessors, if there are any).
    for (const key in values) req[key] = values[key as keyof InjectedValues];
    return;
  }
  // A second guard on the same request (middleware, then a decorated handler) adds to the first.
  const earlier = valuesOf.get(req);
  valuesOf.set(req, earlier === undefined ? values : { ...earlier, ...values });
}
