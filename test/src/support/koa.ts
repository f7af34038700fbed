import Koa3 from 'koa';
import Koa2 from 'koa2';
import { koaTemplate } from '@apojwt/koa';
import { listen, tc39Controllers, type FrameworkUnderTest, type Handler } from '@apojwt/conformance';
import * as legacyControllers from '@apojwt/conformance/legacy';

/** What the app's own error handler reads from an error. */
interface AppError {
  status?: number;
  headers?: Record<string, string>;
  code?: string;
  message?: string;
}

/** Koa (either major version) as the template conformance suite drives it. */
function koaFramework(name: string, Koa: typeof Koa3): FrameworkUnderTest {
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
    rawHeadersOf: (first) => (first as Koa3.Context).req.rawHeaders,
    features: { cookie: true, refreshCookie: true, frameworkErrors: true },
    controllers: { tc39: tc39Controllers, legacy: legacyControllers },
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
          const fn = route.chain[i] as Handler;
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

export const KOA_3 = koaFramework('Koa 3', Koa3);
export const KOA_2 = koaFramework('Koa 2', Koa2);
