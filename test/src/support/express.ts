import express5 from 'express';
import express4 from 'express4';
import { expressTemplate } from '@apojwt/express';
import { listen, tc39Controllers, type FrameworkUnderTest, type Handler } from '@apojwt/conformance';
import * as legacyControllers from '@apojwt/conformance/legacy';

/** What the app's own error handler reads from an error. */
interface AppError {
  status?: number;
  headers?: Record<string, string>;
  code?: string;
  message?: string;
}

/** Express (either major version) as the template conformance suite drives it. */
function expressFramework(name: string, create: typeof express5): FrameworkUnderTest {
  return {
    name,
    template: 'express',
    jsonParser: () => create.json(),
    makeTemplate: ({ frameworkErrors, ...rest }) => expressTemplate({ ...rest, errors: frameworkErrors ? 'next' : 'respond' }),
    rawHeadersOf: (first) => (first as express5.Request).rawHeaders,
    features: { cookie: true, refreshCookie: true, frameworkErrors: true },
    controllers: { tc39: tc39Controllers, legacy: legacyControllers },
    async serve(routes) {
      const app = create();
      for (const route of routes) {
        const endpoint = route.chain[route.chain.length - 1] as Handler;
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
        res
          .status(error.status ?? 500)
          .set(error.headers ?? {})
          .json({ handledBy: 'app', error: error.code, message: error.message });
      });
      return listen(app.listen(0, '127.0.0.1'));
    },
  };
}

export const EXPRESS_5 = expressFramework('Express 5', express5);
export const EXPRESS_4 = expressFramework('Express 4', express4);
