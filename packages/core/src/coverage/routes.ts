import { ApoJwtConfigError } from '../errors.js';
import { decisionOf, markDecision, markPublic } from '../decorators/marks.js';

/** One route of an app, as an adapter lists it: its handlers in order, app-wide middleware included. */
export interface RouteInfo {
  readonly method: string;
  readonly path: string;
  readonly handlers: readonly unknown[];
  /** Set by an adapter whose framework keeps decisions as metadata (Nest): the route's decision, or undefined for none. */
  readonly decided?: 'decision' | 'public' | undefined;
}

/**
 * The routes that have neither an apojwt decision (a guarded method,
 * `tokenRequired`/`permissionRequired`/`refresh` middleware) nor a
 * `publicRoute` mark: secure by default means each of them is a choice.
 * A handler that wraps a decorated method in a function apojwt cannot see
 * into (`(req, res) => orders.list(req, res)`) does not count: route
 * `handlerOf(orders, 'list')` instead.
 */
export function uncoveredRoutes(routes: Iterable<RouteInfo>): RouteInfo[] {
  const uncovered: RouteInfo[] = [];
  for (const route of routes) {
    if (route.decided === undefined && !route.handlers.some((handler) => decisionOf(handler) !== undefined)) uncovered.push(route);
  }
  return uncovered;
}

/** The one-line test: throws, listing them, when a route has neither a decision nor `publicRoute`. */
export function assertRoutesDecided(routes: Iterable<RouteInfo>): void {
  const uncovered = uncoveredRoutes(routes);
  if (uncovered.length === 0) return;
  const list = uncovered.map((route) => `  ${route.method.toUpperCase()} ${route.path}`).join('\n');
  throw new Error(`${uncovered.length} route(s) with neither an apojwt decision nor publicRoute():\n${list}`);
}

/** Lets an adapter's wrapper (a Fastify preHandler made from middleware) count as the middleware it wraps. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export function carryDecision<F extends Function>(from: unknown, to: F): F {
  const mark = decisionOf(from);
  if (mark === 'decision') markDecision(to);
  else if (mark === 'public') markPublic(to);
  return to;
}

/**
 * `app.get('/orders', handlerOf(orders, 'list'))`: the decorated method as a
 * route handler, called on its instance, that the coverage check sees as the
 * method it calls (an arrow function around the call would hide it).
 */
export function handlerOf<T extends object, K extends keyof T>(instance: T, key: K): T[K] {
  const method = instance[key] as unknown;
  if (typeof method !== 'function') throw new ApoJwtConfigError(`handlerOf: ${String(key)} is not a method`);
  const handler = function (this: unknown, ...args: unknown[]): unknown {
    return (method as (...a: unknown[]) => unknown).apply(instance, args);
  };
  Object.defineProperty(handler, 'name', { value: method.name });
  return carryDecision(method, handler) as T[K];
}
