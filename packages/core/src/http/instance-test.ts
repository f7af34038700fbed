/**
 * `value instanceof type`, remembering the last immediate prototype that
 * passed. Templates ask this on every guarded call (is this the framework's
 * request?), and every request of an app has the same immediate prototype
 * (Express sets each one's to the app's `request`): one prototype load and
 * one comparison instead of a walk up the chain. Measured with cold caches
 * (bench/adapters/guard-cold.ts), the walk over a request and a response
 * cost about a microsecond per call. A prototype whose own chain is changed
 * after it passed is not looked at again: no framework does that.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function instanceTest(type: abstract new (...args: any[]) => unknown): (value: unknown) => boolean {
  let passed: object | undefined;
  return (value: unknown): boolean => {
    if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
    const proto = Object.getPrototypeOf(value) as object | null;
    if (proto !== null && proto === passed) return true;
    if (!(value instanceof type)) return false;
    passed = proto ?? undefined;
    return true;
  };
}
