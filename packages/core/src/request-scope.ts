import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The request a piece of code runs for, found without being handed it.
 *
 * Nest and routing-controllers call a controller method with the values its
 * parameter decorators ask for, not with the framework's request; a
 * service-layer method gets whatever its caller passes. An adapter enters a
 * scope for each request (a middleware or hook), and a decorated method that
 * does not receive the request finds it here. AsyncLocalStorage keeps
 * concurrent requests apart across every `await`.
 */
export interface RequestScope {
  /** The framework's own handler arguments for this request (Express: req, res; Koa: ctx; Fastify: request, reply). */
  readonly args: readonly unknown[];
  /**
   * 'throw' (for frameworks that call controllers themselves and answer
   * errors: Nest, routing-controllers): decorated methods throw refusals even
   * when they receive the request. 'answer' (default): a method that receives
   * the framework's arguments answers a refusal itself, as outside any scope.
   */
  readonly refusals: 'answer' | 'throw';
}

const storage = new AsyncLocalStorage<RequestScope>();

/**
 * Set when a decorator guards a method (the only code that reads the scope
 * to find its request). Entering an AsyncLocalStorage scope turns on Node's
 * promise hooks for the whole process, so every promise afterwards costs
 * more: adapters that enter the scope on their own initiative (the Fastify
 * plugin, the Nest module) skip it while nothing could read it.
 */
let wanted = false;

/** Called by the decorators when they guard a method. */
export function wantRequestScope(): void {
  wanted = true;
}

/** True once any decorated method exists in this process: a request scope may then be read. */
export function requestScopeWanted(): boolean {
  return wanted;
}

/** Runs `fn` (the rest of the request: `next()`) inside the scope of one request. */
export function runInRequestScope<T>(args: readonly unknown[], fn: () => T, refusals: RequestScope['refusals'] = 'answer'): T {
  return storage.run({ args, refusals }, fn);
}

/** The scope of the request being handled, or undefined outside any. */
export function currentRequestScope(): RequestScope | undefined {
  return storage.getStore();
}
