import express, { type Request, type Response } from 'express';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as current from '@apojwt/express';
import { AUDIENCE, ISSUER, PERMISSION, SECRET } from './shared.js';
import { coldMedians, printColdTable, sendRequests, type Contender } from './cold.js';
import { minimalCheck } from './minimal-check.js';

/**
 * The decorator form's cost with cold caches, as a server meets it between
 * bursts of requests: the in-process loops of guard-cost.ts keep code and
 * data in the CPU's caches, and there the guard costs about a microsecond;
 * over HTTP at a rate one core does not saturate, the same code costs ten
 * times that, because each request finds the caches filled by everything
 * else the machine did meanwhile.
 *
 * Real Express requests are captured first (real HTTP on 127.0.0.1, the
 * same Bearer token each), then each call gets one request no call has
 * touched: 16 MB are read to push code and data out of the caches, the
 * request's URL and headers are read (as Express does before a handler),
 * and only the handler call is timed. The contenders alternate call by call:
 * the plain handler, this checkout's `@permissionRequired` and, with
 * BEFORE_ROOT (the root of another built checkout), that build's. The
 * medians are printed, and the ratio this ÷ before.
 *   BEFORE_ROOT (optional), CALLS (per contender, default 2000)
 */
const beforeRoot = process.env['BEFORE_ROOT'];
const calls = Number(process.env['CALLS'] ?? 2000);
const WARM_CALLS = 300;

type Handler = (req: Request, res: Response) => unknown;
const options = { secret: SECRET, iss: ISSUER, serverAudience: AUDIENCE };
const token = new current.ApoJwt(options).createToken({ sub: 'bench-user', permissions: [PERMISSION] });

function guardedBy(build: typeof current): Handler {
  const apo = new build.ApoJwt({ ...options, template: 'express' });
  class Orders {
    @apo.decorators.permissionRequired(PERMISSION)
    list(_req: Request, _res: Response): void {}
  }
  const orders = new Orders();
  return (req, res) => orders.list(req, res);
}

/** The plainest hand-written check (minimal-check.ts), the claims in a WeakMap. */
function minimalHandler(): Handler {
  const check = minimalCheck();
  const values = new WeakMap<object, unknown>();
  return (req, res) => {
    const claims = check(req.headers.authorization, PERMISSION);
    if (typeof claims === 'number') return void res.status(claims).end();
    values.set(req, claims);
    return undefined;
  };
}

const GUARD = 2;
const BEFORE = 3;
type Pair = [Request, Response];
const floor = minimalHandler();
const guarded = guardedBy(current);
const contenders: Contender<Pair>[] = [
  ['plain handler', () => undefined],
  ['minimal hand-written check', ([req, res]) => floor(req, res)],
  ['@permissionRequired, this checkout', ([req, res]) => guarded(req, res)],
];
if (beforeRoot !== undefined) {
  const before = (await import(pathToFileURL(join(beforeRoot, 'packages/express/dist/index.js')).href)) as typeof current;
  const guardedBefore = guardedBy(before);
  contenders.push(['@permissionRequired, before', ([req, res]) => guardedBefore(req, res)]);
}

// Every contender's calls, warm-up included, each on a request of its own.
const captured: Pair[] = [];
const app = express();
app.get('/orders', (req, res) => {
  captured.push([req, res]);
  res.end();
});
const server = app.listen(0, '127.0.0.1');
await once(server, 'listening');
await sendRequests(`http://127.0.0.1:${(server.address() as AddressInfo).port}/orders`, (calls + WARM_CALLS) * contenders.length, token);
server.close();

// Read before the handler, as Express does: the URL (routing) and the headers.
const medians = await coldMedians(contenders, captured, calls, WARM_CALLS, ([req]) => req.url.length + (req.headers.authorization?.length ?? 0));
printColdTable(`guard with cold caches: ${calls} calls per contender, each on its own real Express request`, contenders, medians, 'the plain handler');
if (beforeRoot !== undefined) console.log(`\nthis checkout ÷ before (above the plain handler): ${((medians[GUARD]! - medians[0]!) / (medians[BEFORE]! - medians[0]!)).toFixed(2)}×`);
