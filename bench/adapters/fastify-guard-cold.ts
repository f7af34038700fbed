import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import type { AddressInfo } from 'node:net';
import * as apoFastify from '@apojwt/fastify';
import { AUDIENCE, ISSUER, PERMISSION, SECRET } from './shared.js';
import { coldMedians, printColdTable, sendRequests, type Contender } from './cold.js';
import { minimalCheck } from './minimal-check.js';

/**
 * Fastify's forms of the check with cold caches (as guard-cold.ts does for
 * Express): real Fastify requests are captured (real HTTP, one token), then
 * each contender is called on a request of its own after 16 MB were read.
 * Contenders: a preHandler that only calls `done()`, a minimal hand-written
 * cached check (minimal-check.ts, then the claims on a request property of its own declared with
 * `decorateRequest`, as `fastify-minimal-hook` does over HTTP), apojwt's preHandler
 * (`app.apojwt.permissionRequired`), and a class method with
 * `@permissionRequired` under `apojwtPlugin({ requestScope: false })`. To
 * compare two builds, run each checkout's copy of this script in turn (a
 * second build loaded into this process measured 10-20 % dearer than the
 * same code loaded first, in an A/A check).
 *   CALLS (per contender, default 2000)
 */
const calls = Number(process.env['CALLS'] ?? 2000);
const WARM_CALLS = 300;
const options = { secret: SECRET, iss: ISSUER, serverAudience: AUDIENCE };
const apo = apoFastify.createApoJwt({ ...options, template: 'fastify' });
const token = apo.createToken({ sub: 'bench-user', permissions: [PERMISSION] }) as string;
const check = minimalCheck();

class Orders {
  @apoFastify.permissionRequired(PERMISSION)
  async list(_request: FastifyRequest, _reply: FastifyReply): Promise<unknown> {
    return undefined;
  }
}
const orders = new Orders();

type Pair = [FastifyRequest, FastifyReply];
const captured: Pair[] = [];
const app = Fastify();
await app.register(apoFastify.apojwtPlugin, { apo, requestScope: false });
// Not apojwt's names: those are the plugin's accessors, whose setters would charge the plugin's work to this contender.
app.decorateRequest('claims', null);
app.get('/capture', (request, reply) => {
  captured.push([request, reply]);
  return reply.send('');
});
await app.listen({ port: 0, host: '127.0.0.1' });
const hook = app.apojwt.permissionRequired(PERMISSION);
const done = () => undefined;
const contenders: Contender<Pair>[] = [
  ['preHandler calling done()', () => done()],
  [
    'minimal hand-written cached check',
    ([request, reply]) => {
      const claims = check(request.headers.authorization, PERMISSION);
      if (typeof claims === 'number') return reply.code(claims).send();
      (request as FastifyRequest & { claims: unknown }).claims = claims;
      return done();
    },
  ],
  ['apojwt preHandler', ([request, reply]) => hook(request, reply, done)],
  ['@permissionRequired class method, requestScope: false', ([request, reply]) => orders.list(request, reply)],
];
await sendRequests(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}/capture`, (calls + WARM_CALLS) * contenders.length, token);
await app.close();

// Read before a hook, as Fastify does: the URL (routing) and the headers.
const medians = await coldMedians(contenders, captured, calls, WARM_CALLS, ([request]) => request.url.length + (request.headers.authorization?.length ?? 0));
printColdTable(`Fastify checks with cold caches: ${calls} calls per contender, each on its own real Fastify request`, contenders, medians, 'the preHandler calling done()');
