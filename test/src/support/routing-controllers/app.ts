import 'reflect-metadata';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express5 from 'express';
import Koa3 from 'koa';
import Koa2 from 'koa2';
import {
  createExpressServer,
  createKoaServer,
  Middleware,
  useExpressServer,
  useKoaServer,
  type ExpressErrorMiddlewareInterface,
  type KoaMiddlewareInterface,
  type RoutingControllersOptions,
} from 'routing-controllers';
import { useApoJwt, type CheckingInstance } from '@apojwt/routing-controllers';
import '@apojwt/express';
import '@apojwt/koa';
import type { ApoJwt, JsonObject } from '@apojwt/core';
import { CONTROLLERS, ran } from './controllers.js';

export interface Running {
  url: string;
  close(): Promise<void>;
}

/** One way of running routing-controllers: its two drivers, each with the app it makes and with one the app made. */
export interface Driver {
  name: string;
  /** The apojwt template for the driver's framework. */
  template: 'express' | 'koa';
  /** The app's own handling of every error apojwt does not answer, as an app with `defaultErrorHandler: false` has. */
  appErrorHandler: abstract new (...args: never[]) => unknown;
  start(options: RoutingControllersOptions): Server;
}

interface AppError {
  httpCode?: number;
}

/** The app's catch-all after apojwt's (lower priority): a fixed body, nothing of the error's. */
@Middleware({ type: 'after', priority: 0 })
class ExpressAppErrors implements ExpressErrorMiddlewareInterface {
  error(error: AppError, _request: unknown, response: express5.Response, _next: (err?: unknown) => unknown): void {
    response.status(error.httpCode ?? 500).json({ handledBy: 'app' });
  }
}

/** Koa's catch-all wraps everything downstream, further out than apojwt's scope. */
@Middleware({ type: 'before', priority: 100 })
class KoaAppErrors implements KoaMiddlewareInterface {
  async use(ctx: Koa3.Context, next: (err?: unknown) => Promise<unknown>): Promise<unknown> {
    try {
      return await next();
    } catch (caught) {
      ctx.status = (caught as AppError).httpCode ?? 500;
      ctx.body = { handledBy: 'app' };
      return undefined;
    }
  }
}

export const DRIVERS: readonly Driver[] = [
  // routing-controllers' own Express (4, its dependency).
  { name: 'createExpressServer', template: 'express', appErrorHandler: ExpressAppErrors, start: (options) => createExpressServer(options).listen(0, '127.0.0.1') },
  {
    name: 'useExpressServer (Express 5)',
    template: 'express',
    appErrorHandler: ExpressAppErrors,
    start: (options) => useExpressServer(express5(), options).listen(0, '127.0.0.1'),
  },
  { name: 'createKoaServer', template: 'koa', appErrorHandler: KoaAppErrors, start: (options) => createKoaServer(options).listen(0, '127.0.0.1') },
  { name: 'useKoaServer (Koa 3)', template: 'koa', appErrorHandler: KoaAppErrors, start: (options) => useKoaServer(new Koa3(), options).listen(0, '127.0.0.1') },
  { name: 'useKoaServer (Koa 2)', template: 'koa', appErrorHandler: KoaAppErrors, start: (options) => useKoaServer(new Koa2(), options).listen(0, '127.0.0.1') },
];

export async function listen(server: Server): Promise<Running> {
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

/**
 * The routing-controllers app of the conformance contract: every controller,
 * apojwt wired in by `useApoJwt`, the app's own error handler for the rest.
 * `apo` is the instance the checkers use; the standalone decorators use the
 * one `createApoJwt` made last.
 */
export function routingControllersApp(driver: Driver, apo: CheckingInstance | undefined, extra: Partial<RoutingControllersOptions> = {}): Promise<Running> {
  const options = useApoJwt({ controllers: CONTROLLERS, middlewares: [driver.appErrorHandler], development: false, ...extra }, apo);
  return listen(driver.start(options));
}

/**
 * One driver as the controller conformance kit's app under test
 * (`runControllerConformance` in @apojwt/conformance takes this shape):
 * the contract's routes, guarded by the suite's instance.
 */
export function routingControllersUnderTest(driver: Driver): {
  name: string;
  template: 'express' | 'koa';
  ran: string[];
  serve(setup: { apo: ApoJwt<string, JsonObject, JsonObject, true> }): Promise<Running>;
} {
  return { name: `routing-controllers ${driver.name}`, template: driver.template, ran, serve: ({ apo }) => routingControllersApp(driver, apo) };
}
