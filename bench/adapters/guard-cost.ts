import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import * as apoExpress from '@apojwt/express';
import { koaTemplate } from '@apojwt/koa';
import { IncomingMessage } from 'node:http';
import { AUDIENCE, ISSUER, PERMISSION, SECRET } from './shared.js';
import { median, span } from './stats.js';

/**
 * What `@permissionRequired` adds to one call, in process, without HTTP:
 * the same handler called with and without the decorator on a fresh request
 * object each time (Express: an object inheriting from `express.request`;
 * Koa: `{ req, state }`), with the same `Authorization` header. Calls are
 * started in batches of 64 and the batch awaited, as concurrent requests are.
 * The difference is the guard's cost on a verified-cache hit: Bearer parsing,
 * cache lookup, revocation check, permission check, attach, promise.
 *
 * The Express router rows dispatch `GET /orders` through a real Express
 * router, as a server does, to the plain handler, to the plain handler
 * behind one no-op middleware layer, and to the decorated handler (the
 * decorator form: no layer of its own). Decorated minus no-op layer is what
 * the decorator form costs above the cheapest middleware form there is.
 *   ROUNDS (default 9), ROUND_MS (default 300)
 */
const rounds = Number(process.env['ROUNDS'] ?? 9);
const roundMs = Number(process.env['ROUND_MS'] ?? 300);
const BATCH = 64;

const options = { secret: SECRET, iss: ISSUER, serverAudience: AUDIENCE };
const expressApo = new apoExpress.ApoJwt({ ...options, template: 'express' });
const koaApo = new apoExpress.ApoJwt({ ...options, template: koaTemplate() });
const token = expressApo.createToken({ sub: 'bench-user', permissions: [PERMISSION] });
// The header value is a fresh string per request, as Node's HTTP parser makes it.
const header = Buffer.from(`Bearer ${token}`, 'latin1');
const freshHeaders = () => ['Host', '127.0.0.1', 'Authorization', header.toString('latin1')];

let sink = 0;
class Plain {
  handle(_arg: unknown, _res?: unknown): void {
    sink++;
  }
}
class ExpressGuarded {
  @expressApo.decorators.permissionRequired(PERMISSION)
  handle(_req: unknown, _res: unknown): void {
    sink++;
  }
}
class KoaGuarded {
  @koaApo.decorators.permissionRequired(PERMISSION)
  handle(_ctx: unknown): void {
    sink++;
  }
}

// The templates tell a framework call by its objects (an IncomingMessage, a ServerResponse), so these inherit from them.
const expressRequest = (express as unknown as { request: object }).request;
const expressResponse = (express as unknown as { response: object }).response;
const makeExpressReq = () => Object.assign(Object.create(expressRequest) as object, { rawHeaders: freshHeaders() });
const makeExpressRes = () => Object.create(expressResponse) as object;

// Through Express's router: the handler ends the call by resolving the promise the contender returns.
interface Finish {
  finish(): void;
}
class RoutedPlain {
  handle(_req: Request, res: Response): void {
    sink++;
    (res as unknown as Finish).finish();
  }
}
class RoutedGuarded {
  @expressApo.decorators.permissionRequired(PERMISSION)
  handle(_req: Request, res: Response): void {
    sink++;
    (res as unknown as Finish).finish();
  }
}
const routedPlain = new RoutedPlain();
const routedGuarded = new RoutedGuarded();
const noop = (_req: Request, _res: Response, next: NextFunction) => next();
const routerWith = (...handlers: RequestHandler[]) => {
  const router = express.Router();
  router.get('/orders', ...handlers);
  return router;
};
const plainRouter = routerWith((req, res) => routedPlain.handle(req, res));
const noopRouter = routerWith(noop, (req, res) => routedPlain.handle(req, res));
const guardedRouter = routerWith((req, res) => void routedGuarded.handle(req, res));
const dispatch = (router: RequestHandler) =>
  new Promise<void>((resolve, reject) => {
    const req = Object.assign(Object.create(expressRequest) as Request, { method: 'GET', url: '/orders', rawHeaders: freshHeaders() });
    const res = Object.assign(makeExpressRes(), { finish: resolve }) as unknown as Response;
    router(req, res, (error?: unknown) => reject(error instanceof Error ? error : new Error('no route answered')));
  });
const makeKoaCtx = () => ({ req: Object.assign(Object.create(IncomingMessage.prototype) as object, { rawHeaders: freshHeaders() }), state: {} as Record<string, unknown> });

interface Contender {
  name: string;
  call(): unknown;
  /** The contender this one is compared with (default: the one before it, for every second row). */
  base?: string;
}
const plain = new Plain();
const expressGuarded = new ExpressGuarded();
const koaGuarded = new KoaGuarded();
const contenders: Contender[] = [
  { name: 'express: plain handler', call: () => plain.handle(makeExpressReq(), makeExpressRes()) },
  { name: 'express: @permissionRequired', call: () => expressGuarded.handle(makeExpressReq(), makeExpressRes()) },
  { name: 'koa: plain handler', call: () => plain.handle(makeKoaCtx()) },
  { name: 'koa: @permissionRequired', call: () => koaGuarded.handle(makeKoaCtx()) },
  { name: 'express router: plain handler', call: () => dispatch(plainRouter) },
  { name: 'express router: no-op layer + plain handler', call: () => dispatch(noopRouter), base: 'express router: plain handler' },
  { name: 'express router: @permissionRequired handler', call: () => dispatch(guardedRouter), base: 'express router: no-op layer + plain handler' },
];

async function runFor(contender: Contender, ms: number): Promise<number> {
  const batch: unknown[] = new Array(BATCH);
  let ops = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(ms) * 1_000_000n;
  let now = start;
  while (now < end) {
    for (let i = 0; i < BATCH; i++) batch[i] = contender.call();
    await Promise.all(batch);
    ops += BATCH;
    now = process.hrtime.bigint();
  }
  return Number(now - start) / ops;
}

for (const c of contenders) await runFor(c, 200); // warm-up
const results = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
for (let r = 0; r < rounds; r++) for (const c of contenders) results.get(c.name)?.push(await runFor(c, roundMs));
console.log(`\nguard cost in process, verified-cache hit, median of ${rounds} rounds x ${roundMs} ms, Node ${process.version}\n`);
console.log('| contender | ns/call (median) | range | added, ns | compared with |');
console.log('|---|---:|---:|---:|---|');
for (const [i, c] of contenders.entries()) {
  const v = results.get(c.name) as number[];
  const baseName = c.base ?? (i % 2 === 1 && i < 4 ? (contenders[i - 1] as Contender).name : undefined);
  const base = baseName === undefined ? undefined : median(results.get(baseName) as number[]);
  console.log(`| ${c.name} | ${median(v).toFixed(0)} | ${span(v, 0)} | ${base === undefined ? '' : (median(v) - base).toFixed(0)} | ${baseName ?? ''} |`);
}
if (sink === 0) console.log('no call ran');
