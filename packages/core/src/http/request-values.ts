import { entryAlongPrototypes } from './prototype-entry.js';

/**
 * Verified values an adapter hands a framework's request (`req.tokenSubject`
 * and friends) without adding properties to the request itself. Four own
 * properties on every request change its shape on each request, and even
 * one new property on Node's large request object cost 4-7 µs with cold
 * caches against under 1 µs for a WeakMap entry (bench/adapters/guard-cold.ts).
 * So the values live in a WeakMap keyed by the request and are read through
 * accessors defined once on a prototype the adapter names (the one every
 * request of the app shares).
 *
 * The guard's values always win: an assignment the app makes under one of
 * these names goes through the accessors' setter into the same WeakMap,
 * where the next guard replaces it. Own properties of these names hide the
 * accessors, so a request that has one is written with plain properties
 * (the own ones replaced). Own properties come from before the accessors
 * existed (the first requests of a prototype), or from a framework that
 * gives every request its decorated names (Fastify's `decorateRequest`):
 * the first request of each prototype is looked at, and once one had such a
 * property, every request of that prototype is.
 *
 * The map hangs off `globalThis` under `Symbol.for(sharedKey)`: two copies of
 * an adapter in one app read each other's values.
 */
export interface RequestValues<V extends object> {
  /**
   * Adds `values` to the request's (a second guard adds to the first's), to
   * be read as `request[key]` through accessors on `prototype`; without a
   * prototype (a plain object), as plain properties.
   */
  attach(request: object, prototype: object | undefined, values: V): void;
}

export function requestValues<V extends object>(sharedKey: string, keys: readonly (keyof V & string)[]): RequestValues<V> {
  const slot = Symbol.for(sharedKey);
  const holder = globalThis as { [key: symbol]: WeakMap<object, V> | undefined };
  const valuesOf: WeakMap<object, V> = (holder[slot] ??= new WeakMap());
  const prepared = new WeakSet<object>();
  const withOwnValues = new WeakSet<object>();
  const hasOwnValue = (request: object) => keys.some((key) => Object.prototype.hasOwnProperty.call(request, key));
  // Every request of an app has the same prototype: the sets are asked when it changes, not per request.
  let lastPrototype: object | undefined;
  let lastHadOwnValues = false;

  function defineAccessors(proto: object): void {
    const parent = Object.getPrototypeOf(proto) as object | null;
    for (const key of keys) {
      if (Object.prototype.hasOwnProperty.call(proto, key)) continue;
      Object.defineProperty(proto, key, {
        configurable: true,
        enumerable: false,
        get(this: object): unknown {
          const values = entryAlongPrototypes(valuesOf, this, proto);
          // Whatever further up the chain answers (another adapter's accessors) still does for a request the guard did not fill.
          return values !== undefined && key in values ? values[key] : parent === null ? undefined : Reflect.get(parent, key, this);
        },
        set(this: object, value: unknown) {
          valuesOf.set(this, { ...valuesOf.get(this), [key]: value } as V);
        },
      });
    }
    prepared.add(proto);
  }

  function ownValuesPossible(request: object, proto: object): boolean {
    if (proto === lastPrototype) return lastHadOwnValues;
    if (!prepared.has(proto)) defineAccessors(proto);
    if (!withOwnValues.has(proto) && hasOwnValue(request)) withOwnValues.add(proto);
    lastPrototype = proto;
    lastHadOwnValues = withOwnValues.has(proto);
    return lastHadOwnValues;
  }

  return {
    attach(request: object, prototype: object | undefined, values: V): void {
      if (prototype === undefined || (ownValuesPossible(request, prototype) && hasOwnValue(request))) {
        // Own properties replaced; any other name goes through the accessors, if there are any.
        Object.assign(request, values);
        return;
      }
      const earlier = valuesOf.get(request);
      valuesOf.set(request, earlier === undefined ? values : { ...earlier, ...values });
    },
  };
}
