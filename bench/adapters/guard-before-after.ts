import express, { type Request, type RequestHandler, type Response } from 'express';
import * as after from '@apojwt/express';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { AUDIENCE, ISSUER, PERMISSION, SECRET } from './shared.js';
import { median, span } from './stats.js';

/**
 * The decorator form's own cost before and after a change, in one process:
 * this checkout's @apojwt/express and another build's (BEFORE_ROOT: the root
 * of that checkout, built), each behind a real Express router, dispatching
 * `GET /orders` in process (no HTTP) on a verified-cache hit, against the
 * same handler behind a no-op middleware layer. Rounds interleave the three
 * and alternate their order, so a busy machine slows them alike; the table
 * gives medians of per-round figures. (The handler reads no value: both
 * builds define `req.tokenSubject` on `express.request`, and the first to
 * do so answers for both.)
 *   BEFORE_ROOT (required), ROUNDS (default 15), ROUND_MS (default 200)
 */
const root = process.env['BEFORE_ROOT'];
if (root === undefined) throw new Error('set BEFORE_ROOT to the root of the other (built) checkout');
const rounds = Number(process.env['ROUNDS'] ?? 15);
const roundMs = Number(process.env['ROUND_MS'] ?? 200);
const BATCH = 64;
const before = (await import(pathToFileURL(join(root, 'packages/express/dist/index.js')).href)) as typeof after;

const options = { secret: SECRET, iss: ISSUER, serverAudience: AUDIENCE };
const header = Buffer.from(`Bearer ${new after.ApoJwt(options).createToken({ sub: 'bench-user', permissions: [PERMISSION] })}`, 'latin1');
const expressRequest = (express as unknown as { request: object }).request;
const expressResponse = (express as unknown as { response: object }).response;

interface Finish {
  finish(): void;
}
let sink = 0;
function guardedRouter(build: typeof after): RequestHandler {
  const apo = new build.ApoJwt({ ...options, template: 'express' });
  class Orders {
    @apo.decorators.permissionRequired(PERMISSION)
    handle(_req: Request, res: Response): void {
      sink++;
      (res as unknown as Finish).finish();
    }
  }
  const orders = new Orders();
  const router = express.Router();
  router.get('/orders', (req, res) => void orders.handle(req, res));
  return router;
}
const noopRouter = express.Router();
noopRouter.get(
  '/orders',
  (_req, _res, next) => next(),
  (_req, res) => {
    sink++;
    (res as unknown as Finish).finish();
  },
);

const dispatch = (router: RequestHandler) =>
  new Promise<void>((resolve, reject) => {
    const req = Object.assign(Object.create(expressRequest) as Request, { method: 'GET', url: '/orders', rawHeaders: ['Host', '127.0.0.1', 'Authorization', header.toString('latin1')] });
    const res = Object.assign(Object.create(expressResponse) as object, { finish: resolve }) as unknown as Response;
    router(req, res, (error?: unknown) => reject(error instanceof Error ? error : new Error('no route answered')));
  });

const contenders: [string, RequestHandler][] = [
  ['no-op layer + plain handler', noopRouter],
  ['@permissionRequired, before', guardedRouter(before)],
  ['@permissionRequired, after', guardedRouter(after)],
];

async function runFor(router: RequestHandler, ms: number): Promise<number> {
  const batch: Promise<void>[] = new Array<Promise<void>>(BATCH);
  let ops = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(ms) * 1_000_000n;
  let now = start;
  while (now < end) {
    for (let i = 0; i < BATCH; i++) batch[i] = dispatch(router);
    await Promise.all(batch);
    ops += BATCH;
    now = process.hrtime.bigint();
  }
  return Number(now - start) / ops;
}

for (const [, router] of contenders) await runFor(router, 300);
const ns = contenders.map(() => [] as number[]);
for (let r = 0; r < rounds; r++) {
  const order = r % 2 === 0 ? [0, 1, 2] : [2, 1, 0];
  for (const i of order) ns[i]?.push(await runFor((contenders[i] as [string, RequestHandler])[1], roundMs));
}
const [noop, was, now] = ns as [number[], number[], number[]];
const aboveBefore = was.map((v, i) => v - (noop[i] as number));
const aboveAfter = now.map((v, i) => v - (noop[i] as number));
console.log(`\nExpress decorator form in process through a real router, before (${root}) and after, ${rounds} interleaved rounds x ${roundMs} ms, Node ${process.version}\n`);
console.log('| contender | ns/dispatch (median) | range | above the no-op layer, ns (median of rounds) | range |');
console.log('|---|---:|---:|---:|---:|');
console.log(`| ${contenders[0]?.[0]} | ${median(noop).toFixed(0)} | ${span(noop, 0)} | | |`);
console.log(`| ${contenders[1]?.[0]} | ${median(was).toFixed(0)} | ${span(was, 0)} | ${median(aboveBefore).toFixed(0)} | ${span(aboveBefore, 0)} |`);
console.log(`| ${contenders[2]?.[0]} | ${median(now).toFixed(0)} | ${span(now, 0)} | ${median(aboveAfter).toFixed(0)} | ${span(aboveAfter, 0)} |`);
console.log(`\nafter ÷ before, per round (median): ${median(now.map((v, i) => v / (was[i] as number))).toFixed(2)}×`);
if (sink === 0) console.log('no call ran');
