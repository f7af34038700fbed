import express from 'express';
import * as apoExpress from '@apojwt/express';
import { koaTemplate } from '@apojwt/koa';
import { AUDIENCE, ISSUER, PERMISSION, SECRET } from './shared.js';

/**
 * What `@permissionRequired` adds to one call, in process, without HTTP:
 * the same handler called with and without the decorator on a fresh request
 * object each time (Express: an object inheriting from `express.request`;
 * Koa: `{ req, state }`), with the same `Authorization` header. Calls are
 * started in batches of 64 and the batch awaited, as concurrent requests are.
 * The difference is the guard's cost on a verified-cache hit: Bearer parsing,
 * cache lookup, revocation check, permission check, attach, promise.
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
  handle(_arg: unknown): void {
    sink++;
  }
}
class ExpressGuarded {
  @expressApo.decorators.permissionRequired(PERMISSION)
  handle(_req: unknown): void {
    sink++;
  }
}
class KoaGuarded {
  @koaApo.decorators.permissionRequired(PERMISSION)
  handle(_ctx: unknown): void {
    sink++;
  }
}

const expressRequest = (express as unknown as { request: object }).request;
const makeExpressReq = () => Object.assign(Object.create(expressRequest) as object, { rawHeaders: freshHeaders() });
const makeKoaCtx = () => ({ req: { rawHeaders: freshHeaders() }, state: {} as Record<string, unknown> });

interface Contender {
  name: string;
  call(): unknown;
}
const plain = new Plain();
const expressGuarded = new ExpressGuarded();
const koaGuarded = new KoaGuarded();
const contenders: Contender[] = [
  { name: 'express: plain handler', call: () => plain.handle(makeExpressReq()) },
  { name: 'express: @permissionRequired', call: () => expressGuarded.handle(makeExpressReq()) },
  { name: 'koa: plain handler', call: () => plain.handle(makeKoaCtx()) },
  { name: 'koa: @permissionRequired', call: () => koaGuarded.handle(makeKoaCtx()) },
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
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] as number;
const range = (v: number[]) => `${Math.min(...v).toFixed(0)}–${Math.max(...v).toFixed(0)}`;
console.log(`\nguard cost in process, verified-cache hit, median of ${rounds} rounds x ${roundMs} ms, Node ${process.version}\n`);
console.log('| contender | ns/call (median) | range | added by the guard |');
console.log('|---|---:|---:|---:|');
for (const [i, c] of contenders.entries()) {
  const v = results.get(c.name) as number[];
  const base = i % 2 === 1 ? median(results.get((contenders[i - 1] as Contender).name) as number[]) : undefined;
  console.log(`| ${c.name} | ${median(v).toFixed(0)} | ${range(v)} | ${base === undefined ? '' : `${(median(v) - base).toFixed(0)} ns`} |`);
}
if (sink === 0) console.log('no call ran');
