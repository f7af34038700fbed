/**
 * What the coverage check (coverage/routes.ts) reads off a route's handlers:
 * a function that makes an apojwt decision (a guarded method, apojwt
 * middleware) or one marked as needing no token (`publicRoute`). Marks are
 * kept beside the functions, never on them, so nothing can forge one.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type Fn = Function;

const decisions = new WeakSet<Fn>();
const publics = new WeakSet<Fn>();

export function markDecision<F extends Fn>(fn: F): F {
  decisions.add(fn);
  return fn;
}

export function markPublic<F extends Fn>(fn: F): F {
  publics.add(fn);
  return fn;
}

export function isPublic(fn: unknown): boolean {
  return typeof fn === 'function' && publics.has(fn);
}

/** 'decision', 'public', or undefined for a function apojwt knows nothing about. */
export function decisionOf(fn: unknown): 'decision' | 'public' | undefined {
  if (typeof fn !== 'function') return undefined;
  if (decisions.has(fn)) return 'decision';
  return publics.has(fn) ? 'public' : undefined;
}
