import { ApoJwtConfigError, type RouteInfo } from '@apojwt/core';
import type { FastifyInstance, RouteOptions } from 'fastify';

export interface RouteRecorder {
  /** Every route declared since the recorder was made, with its hooks and handler. */
  routes(): RouteInfo[];
}

const HOOKS = ['onRequest', 'preParsing', 'preValidation', 'preHandler'] as const;

/**
 * Records the routes of a Fastify app as they are declared (an `onRoute`
 * hook): make it before declaring routes, then hand `recorder.routes()` to
 * `uncoveredRoutes` or `assertRoutesDecided`. A route counts the hooks of its
 * own options (`preHandler: fastify.apojwt.permissionRequired(...)`) and its
 * handler; hooks added with `addHook` are not counted.
 */
export function routeRecorder(app: FastifyInstance): RouteRecorder {
  if (app === null || typeof app !== 'object' || typeof app.addHook !== 'function') throw new ApoJwtConfigError('routeRecorder needs a Fastify instance');
  const routes: RouteInfo[] = [];
  app.addHook('onRoute', (route: RouteOptions) => {
    const handlers: unknown[] = [];
    for (const hook of HOOKS) {
      const value = route[hook] as unknown;
      if (Array.isArray(value)) handlers.push(...(value as unknown[]));
      else if (value !== undefined) handlers.push(value);
    }
    handlers.push(route.handler);
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    // Fastify adds HEAD beside GET: listing GET is enough.
    for (const method of methods) if (method !== 'HEAD') routes.push({ method, path: route.url, handlers });
  });
  return { routes: () => [...routes] };
}
