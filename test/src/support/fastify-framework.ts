import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { fastifyTemplate, toPreHandler } from '@apojwt/fastify';
import { tc39Controllers, type FrameworkUnderTest, type Handler, type Route, type Running } from '@apojwt/conformance';
import * as legacyControllers from '@apojwt/conformance/legacy';

type Fn = Handler;

interface AppError {
  statusCode?: number;
  status?: number;
  headers?: Record<string, string>;
  code?: string;
  message?: string;
}

/** Marks the harness's JSON parser in a route's chain (Fastify's own parser does the work). */
const jsonParsers = new WeakSet<Fn>();

/** Where the endpoint's answer goes when it returned a value and did not answer itself. */
async function runEndpoint(endpoint: Fn, request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  // The suite's endpoints see a trailing `next`, as on Express and Koa; a failure handed to it reaches the error handler.
  const next = (error?: unknown) => {
    if (error !== undefined) throw error;
  };
  const out = await endpoint(request, reply, next);
  if (reply.sent) return reply;
  return out === undefined ? reply : out;
}

function mount(app: FastifyInstance, route: Route): void {
  const middleware = route.chain.slice(0, -1).filter((fn) => !jsonParsers.has(fn));
  const endpoint = route.chain[route.chain.length - 1] as Fn;
  app.route({
    method: route.method,
    url: route.path,
    // Core's middleware through the adapter's hook: the way a Fastify app uses `apo.permissionRequired(...)`.
    preHandler: middleware.map((fn) => toPreHandler(fn)),
    handler: (request, reply) => runEndpoint(endpoint, request, reply),
  });
}

/**
 * Fastify 5 for the template conformance suite. A route whose chain holds
 * `jsonParser()` gets Fastify's own JSON parser (a body parser ran); the
 * others are mounted in a context whose content-type parser leaves the body
 * unread, as Express without `express.json()` or Koa without a body parser.
 */
export function fastifyFramework(name = 'Fastify 5'): FrameworkUnderTest {
  return {
    name,
    template: 'fastify',
    jsonParser: () => {
      const parser: Fn = (_request: unknown, _reply: unknown, next: () => void) => next();
      jsonParsers.add(parser);
      return parser;
    },
    makeTemplate: ({ frameworkErrors, ...rest }) => fastifyTemplate({ ...rest, errors: frameworkErrors ? 'throw' : 'respond' }),
    rawHeadersOf: (first) => (first as FastifyRequest).raw.rawHeaders,
    features: { cookie: true, refreshCookie: true, frameworkErrors: true },
    controllers: { tc39: tc39Controllers, legacy: legacyControllers },
    async serve(routes) {
      const app = Fastify({ logger: false });
      // The application's own error handler, used by the `errors: 'throw'` option and thrown handler errors.
      app.setErrorHandler((error: AppError, _request, reply) => {
        reply
          .code(error.statusCode ?? error.status ?? 500)
          .headers(error.headers ?? {})
          .send({ handledBy: 'app', error: error.code, message: error.message });
      });
      const parsed = routes.filter((route) => route.chain.some((fn) => jsonParsers.has(fn)));
      for (const route of parsed) mount(app, route);
      await app.register(async (unparsed) => {
        unparsed.removeAllContentTypeParsers();
        unparsed.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
        for (const route of routes) if (!parsed.includes(route)) mount(unparsed, route);
      });
      await app.listen({ port: 0, host: '127.0.0.1' });
      const address = app.server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      return {
        url: `http://127.0.0.1:${port}`,
        close: async () => {
          app.server.closeAllConnections();
          await app.close();
        },
      } satisfies Running;
    },
  };
}
