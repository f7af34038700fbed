import type { RouteInfo } from '@apojwt/core';

interface RouterLike {
  readonly stack: readonly { readonly path: string; readonly methods: readonly string[]; readonly stack: readonly unknown[] }[];
}

/**
 * Every route of a @koa/router router, with the handlers that run for it:
 * the app's middleware declared before `router.routes()` (when `app` is
 * given), then the route's own. Hand it to `uncoveredRoutes` or
 * `assertRoutesDecided`.
 */
export function koaRouterRoutes(router: RouterLike, app?: { readonly middleware: readonly unknown[] }): RouteInfo[] {
  const appWide = app === undefined ? [] : beforeRouter(app.middleware, router);
  const routes: RouteInfo[] = [];
  for (const layer of router.stack) {
    // @koa/router adds HEAD beside GET; listing GET is enough.
    const methods = layer.methods.filter((method) => method !== 'HEAD');
    for (const method of methods.length > 0 ? methods : ['ALL']) routes.push({ method, path: layer.path, handlers: [...appWide, ...layer.stack] });
  }
  return routes;
}

function beforeRouter(middleware: readonly unknown[], router: RouterLike): unknown[] {
  const at = middleware.findIndex((fn) => (fn as { router?: unknown }).router === router);
  return [...(at === -1 ? middleware : middleware.slice(0, at))];
}
