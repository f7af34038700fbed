// @koa/router 13 ships JavaScript only (its types are @types/koa__router, not
// installed here): the part of its API the tests use, over Koa's own types.
declare module '@koa/router' {
  import type { Middleware, ParameterizedContext } from 'koa';

  type RouterContext = ParameterizedContext & { params: Record<string, string>; _matchedRoute?: string };
  type RouterMiddleware = (ctx: RouterContext, next: () => Promise<unknown>) => unknown;

  interface Layer {
    path: string;
    methods: string[];
    stack: RouterMiddleware[];
  }

  export default class Router {
    constructor(options?: { prefix?: string });
    stack: Layer[];
    get(path: string, ...middleware: RouterMiddleware[]): this;
    post(path: string, ...middleware: RouterMiddleware[]): this;
    put(path: string, ...middleware: RouterMiddleware[]): this;
    delete(path: string, ...middleware: RouterMiddleware[]): this;
    routes(): Middleware;
    allowedMethods(): Middleware;
  }
}
