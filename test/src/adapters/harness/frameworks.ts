import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express5 from 'express';
import express4 from 'express4';
import Koa3 from 'koa';
import Koa2 from 'koa2';
import { expressTemplate } from '@apojwt/express';
import { koaTemplate } from '@apojwt/koa';
import type { Template } from '@apojwt/core';
import { fastifyFramework } from '../../fastify/framework.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Fn = (...args: any[]) => any;

/**
 * A route: middleware, then an endpoint that returns the JSON to send
 * (`undefined` when it already answered). Written once; each framework below
 * mounts it its own way, so the conformance suite never mentions a framework.
 */
export interface Route {
  method: 'GET' | 'POST';
  path: string;
  chain: Fn[];
}

export interface Running {
  url: string;
  close(): Promise<void>;
}

export interface Framework {
  name: string;
  /** The registered template name. */
  template: 'express' | 'koa' | 'fastify';
  makeTemplate(options: { name?: string; cookie?: string; refreshCookie?: string; frameworkErrors?: boolean }): Template;
  serve(routes: readonly Route[]): Promise<Running>;
  /** The framework's JSON body parser as route middleware (Express: `express.json()`; Koa has none built in: a minimal one; Fastify: its own parser, for that route). */
  jsonParser(): Fn;
}

async function listen(server: Server): Promise<Running> {
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

interface AppError {
  status?: number;
  headers?: Record<string, string>;
  code?: string;
  message?: string;
}

function expressFramework(name: string, create: typeof express5): Framework {
  return {
    name,
    template: 'express',
    jsonParser: () => create.json(),
    makeTemplate: ({ frameworkErrors, ...rest }) => expressTemplate({ ...rest, errors: frameworkErrors ? 'next' : 'respond' }),
    async serve(routes) {
      const app = create();
      for (const route of routes) {
        const endpoint = route.chain[route.chain.length - 1] as Fn;
        const handler = async (req: express5.Request, res: express5.Response, next: express5.NextFunction) => {
          try {
            const out = await endpoint(req, res, next);
            if (out !== undefined && !res.headersSent) res.json(out);
          } catch (error) {
            next(error);
          }
        };
        const method = route.method === 'GET' ? 'get' : 'post';
        app[method](route.path, ...route.chain.slice(0, -1), handler);
      }
      // The application's own error handler, used by the `errors: 'next'` option and thrown handler errors.
      app.use((error: AppError, _req: express5.Request, res: express5.Response, _next: express5.NextFunction) => {
        res.status(error.status ?? 500).set(error.headers ?? {}).json({ handledBy: 'app', error: error.code, message: error.message });
      });
      return listen(app.listen(0, '127.0.0.1'));
    },
  };
}

function koaFramework(name: string, Koa: typeof Koa3): Framework {
  return {
    name,
    template: 'koa',
    // What @koa/bodyparser does for JSON: parse the body into ctx.request.body; malformed JSON never reaches the route.
    jsonParser: () => async (ctx: { req: AsyncIterable<Buffer>; request: { body?: unknown }; status: number; body: unknown }, next: () => Promise<unknown>) => {
      let text = '';
      for await (const chunk of ctx.req) text += chunk.toString('utf8');
      try {
        ctx.request.body = JSON.parse(text);
      } catch {
        ctx.status = 400;
        ctx.body = { handledBy: 'parser' };
        return undefined;
      }
      return next();
    },
    makeTemplate: ({ frameworkErrors, ...rest }) => koaTemplate({ ...rest, errors: frameworkErrors ? 'throw' : 'respond' }),
    async serve(routes) {
      const app = new Koa();
      app.silent = true;
      app.use(async (ctx, next) => {
        try {
          await next();
        } catch (caught) {
          const error = caught as AppError;
          ctx.status = error.status ?? 500;
          ctx.set(error.headers ?? {});
          ctx.body = { handledBy: 'app', error: error.code, message: error.message };
        }
      });
      app.use(async (ctx) => {
        const route = routes.find((r) => r.method === ctx.method && r.path === ctx.path);
        if (route === undefined) {
          ctx.status = 404;
          return;
        }
        const dispatch = async (i: number): Promise<unknown> => {
          const fn = route.chain[i] as Fn;
          if (i < route.chain.length - 1) return fn(ctx, () => dispatch(i + 1));
          const out = await fn(ctx, async () => undefined);
          if (out !== undefined && ctx.body === undefined) ctx.body = out;
          return undefined;
        };
        await dispatch(0);
      });
      return listen(app.listen(0, '127.0.0.1'));
    },
  };
}

export const FRAMEWORKS: readonly Framework[] = [
  expressFramework('Express 5', express5),
  expressFramework('Express 4', express4),
  koaFramework('Koa 3', Koa3),
  koaFramework('Koa 2', Koa2),
  fastifyFramework('Fastify 5'),
];
