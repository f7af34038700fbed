import 'reflect-metadata';
import { Controller, Get, Injectable, Module, Req, Res, type CanActivate, type ExecutionContext, type INestApplication } from '@nestjs/common';
import { NestFactory, Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { ApoJwtGuard, ApoJwtModule, PermissionRequired } from '@apojwt/nest';
import { ApoJwt } from '@apojwt/core';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AUDIENCE, ISSUER, PERMISSION, SECRET } from '../shared.js';
import { coldMedians, printColdTable, sendRequests, type Contender } from '../cold.js';
import { minimalCheck } from '../minimal-check.js';

/**
 * The Nest guard's cost with cold caches (as ../guard-cold.ts does for
 * Express): real platform-express requests are captured, then each guard's
 * `canActivate` is called on a request of its own, after 16 MB were read,
 * with the execution context Nest builds for the route (made in every timed
 * call alike). Contenders: a
 * guard that returns true, a minimal hand-written cached guard
 * (minimal-check.ts, the claims in a WeakMap; Reflector for the
 * permission), and ApoJwtModule's guard.
 *   CALLS (per contender, default 2000)
 */
const calls = Number(process.env['CALLS'] ?? 2000);
const WARM_CALLS = 300;
const token = new ApoJwt({ secret: SECRET, iss: ISSUER, serverAudience: AUDIENCE }).createToken({ sub: 'bench-user', permissions: [PERMISSION] }) as string;
const check = minimalCheck();
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
    const claims = check(request.headers.authorization, needed);
    if (typeof claims === 'number') throw new Error(String(claims));
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
type Pair = [IncomingMessage, ServerResponse];
const handler = OrdersController.prototype.list;
// The context Nest builds for the route just before its guards run, made in each timed call alike: the differences are the guards' own.
const contextOf = ([req, res]: Pair) => new ExecutionContextHost([req, res, () => undefined], OrdersController, handler);
const guardOf = (guard: CanActivate) => (pair: Pair) => guard.canActivate(contextOf(pair));
const contenders: Contender<Pair>[] = [
  ['guard returning true', guardOf(app.get(NoopGuard))],
  ['minimal hand-written cached guard', guardOf(app.get(MinimalGuard))],
  ['ApoJwtModule guard', guardOf(app.get(ApoJwtGuard))],
];
await sendRequests(url, (calls + WARM_CALLS) * contenders.length, token);
await app.close();

const medians = await coldMedians(contenders, captured, calls, WARM_CALLS, ([req]) => (req.url?.length ?? 0) + (req.headers.authorization?.length ?? 0));
printColdTable(`Nest guards with cold caches: ${calls} calls per contender, each on its own real platform-express request`, contenders, medians, 'the guard returning true');
