import type { RouteInfo } from '@apojwt/core';

interface Layer {
  readonly handle: unknown;
  readonly route?: { readonly path: string; readonly methods: Record<string, boolean>; readonly stack: readonly Layer[] };
  /** Express 5 (router 2): the mount path, and whether it is the root. */
  readonly rawPath?: string;
  readonly slash?: boolean;
  /** Express 4. */
  readonly regexp?: RegExp & { fast_slash?: boolean };
}

/**
 * Every route of an Express 4 or 5 app (mounted routers included), with the
 * handlers that run for it: the root-level middleware declared before it,
 * then its own. Hand it to `uncoveredRoutes` or `assertRoutesDecided`.
 * Middleware mounted on a path other than the root is not counted (the
 * check errs on the side of listing a route).
 */
export function expressRoutes(app: unknown): RouteInfo[] {
  const routes: RouteInfo[] = [];
  walk(routerOf(app)?.stack ?? [], '', [], routes);
  return routes;
}

type Stacked = { stack?: Layer[] } | undefined;

function routerOf(app: unknown): Stacked {
  // Express 4 keeps its router in `_router` (its `app.router` getter throws); Express 5 in `router`.
  const express4 = (app as { _router?: Stacked })._router;
  if (express4 !== undefined) return express4;
  try {
    return (app as { router?: Stacked }).router;
  } catch {
    return undefined; // an Express 4 app with no route yet
  }
}

function walk(stack: readonly Layer[], prefix: string, before: readonly unknown[], routes: RouteInfo[]): void {
  const inherited = [...before];
  for (const layer of stack) {
    if (layer.route !== undefined) {
      const handlers = [...inherited, ...layer.route.stack.map((inner) => inner.handle)];
      for (const method of Object.keys(layer.route.methods)) routes.push({ method, path: `${prefix}${layer.route.path}`, handlers });
      continue;
    }
    const nested = (layer.handle as { stack?: Layer[] }).stack;
    if (Array.isArray(nested)) walk(nested, `${prefix}${mountPath(layer)}`, inherited, routes);
    else if (isRoot(layer)) inherited.push(layer.handle);
  }
}

function isRoot(layer: Layer): boolean {
  return layer.slash === true || layer.regexp?.fast_slash === true;
}

function mountPath(layer: Layer): string {
  if (typeof layer.rawPath === 'string') return layer.rawPath === '/' ? '' : layer.rawPath;
  // Express 4 keeps only the compiled pattern: /^\/sub\/?(?=\/|$)/i → /sub
  const source = layer.regexp?.source ?? '';
  return source.replace(/^\^/, '').replace('\\/?(?=\\/|$)', '').replace(/\\\//g, '/');
}
