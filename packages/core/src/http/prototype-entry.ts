/**
 * The entry of `target` in `map`, or of the object `target` was derived from
 * with `Object.create` (a wrapper some middleware hands on), walking up the
 * prototype chain until `stop` (the framework's shared request prototype,
 * whose accessors read this). An adapter that keeps a request's values in a
 * WeakMap rather than on the request reads them this way, so a wrapper reads
 * what a property on the request below it would have read.
 */
export function entryAlongPrototypes<V>(map: WeakMap<object, V>, target: object, stop: object): V | undefined {
  for (let at: object | null = target; at !== null && at !== stop; at = Object.getPrototypeOf(at) as object | null) {
    const entry = map.get(at);
    if (entry !== undefined) return entry;
  }
  return undefined;
}
