import 'reflect-metadata';
import { Controller, Get, Injectable, Module, Req, Res, type CanActivate, type ExecutionContext, type INestApplication } from '@nestjs/common';
import { NestFactory, Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { ApoJwtGuard, ApoJwtModule, PermissionRequired } from '@apojwt/nest';
import { ApoJwt } from '@apojwt/core';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AUDIENCE, ISSUER, PERMISSION, SECRET } from '../shared.js';
import { median } from '../stats.js';

/**
 * The Nest guard's cost with cold caches (as ../guard-cold.ts does for
 * Express): real platform-express requests are captured, then each guard's
 * `canActivate` is called on a request of its own, after 16 MB were read,
 * with the execution context Nest would build for the route. Contenders: a
 * guard that returns true, a minimal hand-written cached guard (header,
 * Map, expiry, includes, the claims in a WeakMap; Reflector for the
 * permission), and ApoJwtModule's guard.
 *   CALLS (per contender, default 2000)
 */
const calls = Number(process.env['CALLS'] ?? 2000);
const WARM_CALLS = 300;
const token = new ApoJwt({ secret: SECRET, iss: ISSUER, serverAudience: AUDIENCE }).createToken({ sub: 'bench-user', permissions: [PERMISSION] }) as string;
const verified = new Map([[token, await new ApoJwt({ secret: SECRET, iss: ISSUER, serverAudience: AUDIENCE }).verify(token)]]);
const Permission = Reflector.createDecorator<string>();

const captured: [IncomingMessage, ServerResponse][] = [];

@Controller('orders')
class OrdersController {
  @Get()
  @PermissionRequired(PERMISSION)
  @Permission(PERMISSION)
  list() {
    return {};
  }

  @Get('capture')
  capture(@Req() req: IncomingMessage, @Res() res: ServerResponse) {
    captured.push([req, res]);
    res.end();
  }
}

@Injectable()
class NoopGuard implements CanActivate {
  canActivate(): boolean {
    return true;
  }
}

const values = new WeakMap<object, unknown>();
@Injectable()
class MinimalGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}
  canActivate(context: ExecutionContext): boolean {
    const needed = this.reflector.get(Permission, context.getHandler());
    const request = context.switchToHttp().getRequest<IncomingMessage>();
    const header = request.headers.authorization;
    if (header === undefined || !header.startsWith('Bearer ')) throw new Error('401');
    const claims = verified.get(header.slice(7));
    if (claims === undefined || claims.exp * 1000 <= Date.now()) throw new Error('401');
    if (!claims.perms.includes(needed)) throw new Error('403');
    values.set(request, claims);
    return true;
  }
}

@Module({
  imports: [ApoJwtModule.forRoot({ secret: SECRET, iss: ISSUER, serverAudience: AUDIENCE, guard: 'none' })],
  controllers: [OrdersController],
  providers: [NoopGuard, MinimalGuard],
})
class BenchModule {}

const app: INestApplication = await NestFactory.create(BenchModule, { logger: false });
await app.listen(0, '127.0.0.1');
const url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}/orders/capture`;
const guards: [string, CanActivate][] = [
  ['guard returning true', app.get(NoopGuard)],
  ['minimal hand-written cached guard', app.get(MinimalGuard)],
  ['ApoJwtModule guard', app.get(ApoJwtGuard)],
];
const needed = (calls + WARM_CALLS) * guards.length;
for (let sent = 0; sent < needed; sent += 100) {
  await Promise.all(Array.from({ length: Math.min(100, needed - sent) }, () => fetch(url, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.arrayBuffer())));
}
await app.close();

const handler = OrdersController.prototype.list;
const contextOf = ([req, res]: [IncomingMessage, ServerResponse]) => new ExecutionContextHost([req, res, () => undefined], OrdersController, handler);
let next = 0;
for (let i = 0; i < WARM_CALLS; i++) for (const [, guard] of guards) await guard.canActivate(contextOf(captured[next++]!));

const evict = new Float64Array(2 * 1024 * 1024);
let sink = 0;
const timings = guards.map(() => [] as number[]);
for (let i = 0; i < calls; i++) {
  const order = i % 2 === 0 ? [...guards.keys()] : [...guards.keys()].reverse();
  for (const which of order) {
    const pair = captured[next++]!;
    for (let j = 0; j < evict.length; j += 8) sink += evict[j]!;
    sink += (pair[0].url?.length ?? 0) + (pair[0].headers.authorization?.length ?? 0);
    // Nest builds the context before its guards run: not part of any guard's cost.
    const context = contextOf(pair);
    const started = process.hrtime.bigint();
    void guards[which]![1].canActivate(context);
    timings[which]!.push(Number(process.hrtime.bigint() - started));
  }
}
const medians = timings.map((t) => median(t));
console.log(`Nest guards with cold caches: ${calls} calls per contender, each on its own real platform-express request, Node ${process.version}\n`);
console.log('| contender | ns/call (median) | above the guard returning true, ns |');
console.log('|---|---:|---:|');
guards.forEach(([name], i) => console.log(`| ${name} | ${medians[i]!.toFixed(0)} | ${i === 0 ? '' : (medians[i]! - medians[0]!).toFixed(0)} |`));
if (sink === -1) console.log(sink);
