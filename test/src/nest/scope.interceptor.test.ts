import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { OutgoingHttpHeaders } from 'node:http';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { Controller, Get, HttpCode, Injectable, Module, Param, Post, Req, Res, UseGuards, type CanActivate } from '@nestjs/common';
import { ApoJwtConfigError, permissionRequired, tokenRequired, TokenSubject as CoreTokenSubject, type ApoJwt, type JsonObject } from '@apojwt/core';
import { APOJWT, ApoJwtModule, TokenSubject } from '@apojwt/nest';
import { PLATFORMS, startNest, type RunningNest } from '../support/nest/harness.js';
import { request, bearer, type Answer } from '../support/nest/kit.js';
import { BASE, T0, clock } from '../support/nest/kit.js';

/**
 * Core's own decorators (`@permissionRequired` from '@apojwt/core') on Nest
 * controllers: the regression cases of issue 10. They check inside the
 * handler call, finding the request in the scope the module's interceptor
 * enters; a refusal is thrown and answered by the exception filter.
 */

const run = promisify(execFile);
const ran: string[] = [];
const denied: string[] = [];

/** A guard of the app's own that refuses everything: it must run whatever the order of the decorators. */
@Injectable()
class DenyAllGuard implements CanActivate {
  canActivate(): boolean {
    denied.push('deny');
    return false;
  }
}

@Injectable()
class OrdersService {
  /** A service-layer method: it never receives the request, the request scope tells which one it serves. */
  @permissionRequired('orders:refund')
  async refund(orderId: string): Promise<{ refunded: string }> {
    await nextTurn();
    ran.push('refund');
    return { refunded: orderId };
  }
}

/** Every parameter shape of the issue, apojwt's decorator below @Get. */
@Controller('below')
class BelowController {
  constructor(private readonly orders: OrdersService) {}

  @Get('req-only')
  @permissionRequired('orders:read')
  reqOnly(@Req() req: { tokenSubject?: string }) {
    ran.push('reqOnly');
    return { shape: 'req-only', sub: req.tokenSubject };
  }

  @Get('param/:id')
  @permissionRequired('orders:read')
  param(@Param('id') id: string, @TokenSubject() sub: string) {
    ran.push('param');
    return { shape: 'param', id, sub };
  }

  @Get('none')
  @permissionRequired('orders:read')
  none() {
    ran.push('none');
    return { shape: 'none' };
  }

  @Get('passthrough')
  @permissionRequired('orders:read')
  passthrough(@Req() req: { tokenSubject?: string }, @Res({ passthrough: true }) res: unknown) {
    ran.push('passthrough');
    return { shape: 'passthrough', sub: req.tokenSubject, hasRes: typeof res === 'object' && res !== null };
  }

  @Get('deny')
  @permissionRequired('orders:read')
  @UseGuards(DenyAllGuard)
  deny() {
    ran.push('deny');
    return { shape: 'deny' };
  }

  @Post('accepted')
  @HttpCode(202)
  @permissionRequired('orders:read')
  accepted() {
    ran.push('accepted');
    return { shape: 'accepted' };
  }

  @Get('refund/:id')
  refund(@Param('id') id: string) {
    return this.orders.refund(id);
  }
}

/** The same shapes, apojwt's decorator above @Get (and above @UseGuards). */
@Controller('above')
class AboveController {
  @permissionRequired('orders:read')
  @Get('req-only')
  reqOnly(@Req() req: { tokenSubject?: string }) {
    ran.push('reqOnly');
    return { shape: 'req-only', sub: req.tokenSubject };
  }

  @permissionRequired('orders:read')
  @Get('param/:id')
  param(@Param('id') id: string, @TokenSubject() sub: string) {
    ran.push('param');
    return { shape: 'param', id, sub };
  }

  @permissionRequired('orders:read')
  @Get('none')
  none() {
    ran.push('none');
    return { shape: 'none' };
  }

  @permissionRequired('orders:read')
  @Get('passthrough')
  passthrough(@Req() req: { tokenSubject?: string }, @Res({ passthrough: true }) res: unknown) {
    ran.push('passthrough');
    return { shape: 'passthrough', sub: req.tokenSubject, hasRes: typeof res === 'object' && res !== null };
  }

  @UseGuards(DenyAllGuard)
  @permissionRequired('orders:read')
  @Get('deny')
  deny() {
    ran.push('deny');
    return { shape: 'deny' };
  }

  @permissionRequired('orders:read')
  @HttpCode(202)
  @Post('accepted')
  accepted() {
    ran.push('accepted');
    return { shape: 'accepted' };
  }

  /** Core's own parameter marker, and awaits between the check and the answer: concurrent requests must not mix. */
  @tokenRequired()
  @Get('slow')
  async slow(@CoreTokenSubject() sub: string, @Req() req: { tokenSubject?: string }) {
    for (let i = 0; i < 3; i++) await nextTurn();
    await new Promise((resolve) => setTimeout(resolve, 1));
    return { sub, reqSub: req.tokenSubject };
  }
}

@Module({
  imports: [ApoJwtModule.forRoot({ ...BASE })],
  controllers: [BelowController, AboveController],
  providers: [OrdersService, DenyAllGuard],
})
class CoreDecoratorsApp {}

for (const platform of PLATFORMS) {
  describe(`core's decorators on Nest controllers, @nestjs/platform-${platform.name}`, () => {
    let server: RunningNest;
    let apo: ApoJwt<string, JsonObject, JsonObject, false>;

    before(async () => {
      server = await startNest(CoreDecoratorsApp, platform);
      apo = server.app.get(APOJWT);
    });
    after(() => server.close());
    beforeEach(() => {
      ran.length = 0;
      denied.length = 0;
      clock.ms = T0;
    });

    const get = (path: string, headers: OutgoingHttpHeaders = {}) => request(server.url, path, { headers });
    const token = (permissions: string[] = ['orders:read'], sub = 'user-1') => apo.createToken({ sub, permissions }) as string;

    function refused(answer: Answer, status: number, code: string): void {
      assert.equal(answer.status, status, answer.text);
      assert.equal(answer.json['error'], code);
      assert.deepEqual(ran, [], 'the handler must not run');
    }

    for (const order of ['below', 'above'] as const) {
      const cases: { shape: string; path: string; expected: Record<string, unknown> }[] = [
        { shape: '@Req() only', path: `/${order}/req-only`, expected: { shape: 'req-only', sub: 'user-1' } },
        { shape: '@Param() first, then @TokenSubject()', path: `/${order}/param/9`, expected: { shape: 'param', id: '9', sub: 'user-1' } },
        { shape: 'no parameters', path: `/${order}/none`, expected: { shape: 'none' } },
        { shape: '@Req() + @Res({ passthrough: true })', path: `/${order}/passthrough`, expected: { shape: 'passthrough', sub: 'user-1', hasRes: true } },
      ];
      for (const { shape, path, expected } of cases) {
        test(`@permissionRequired ${order} @Get, ${shape}: the route exists, 401 / 403 / 200`, async () => {
          const missing = await get(path);
          refused(missing, 401, 'ERR_TOKEN_MISSING');
          assert.equal(missing.headers['www-authenticate'], 'Bearer');
          const bad = await get(path, bearer('abc.def.ghi'));
          refused(bad, 401, 'ERR_TOKEN_MALFORMED');
          assert.match(String(bad.headers['www-authenticate']), /^Bearer error="invalid_token"/);
          const forbidden = await get(path, bearer(token(['billing:read'])));
          refused(forbidden, 403, 'ERR_PERMISSION_DENIED');
          assert.match(String(forbidden.headers['www-authenticate']), /error="insufficient_scope".*scope="orders:read"$/);
          const allowed = await get(path, bearer(token()));
          assert.equal(allowed.status, 200, allowed.text);
          assert.deepEqual(allowed.json, expected);
          assert.equal(ran.length, 1);
        });
      }

      test(`@HttpCode(202) ${order === 'below' ? 'above' : 'below'} @permissionRequired is kept`, async () => {
        const refusedPost = await request(server.url, `/${order}/accepted`, { method: 'POST' });
        refused(refusedPost, 401, 'ERR_TOKEN_MISSING');
        const answer = await request(server.url, `/${order}/accepted`, { method: 'POST', headers: bearer(token()) });
        assert.equal(answer.status, 202, answer.text);
        assert.deepEqual(answer.json, { shape: 'accepted' });
      });

      test(`@UseGuards(DenyAllGuard) ${order === 'below' ? 'below' : 'above'} @permissionRequired still runs and refuses`, async () => {
        const answer = await get(`/${order}/deny`, bearer(token()));
        assert.equal(answer.status, 403, answer.text);
        // Nest's own ForbiddenException: the app's guard answered, not apojwt.
        assert.equal(answer.json['error'], 'Forbidden');
        assert.deepEqual(denied, ['deny']);
        assert.deepEqual(ran, []);
      });
    }

    test('a service-layer method is protected through the request scope, whichever controller calls it', async () => {
      refused(await get('/below/refund/5', bearer(token(['orders:read']))), 403, 'ERR_PERMISSION_DENIED');
      refused(await get('/below/refund/5'), 401, 'ERR_TOKEN_MISSING');
      const answer = await get('/below/refund/5', bearer(token(['orders:refund'])));
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(answer.json, { refunded: '5' });
    });

    test('the same service method called outside any request: ApoJwtConfigError, not a TypeError', async () => {
      const service = server.app.get(OrdersService);
      await assert.rejects(service.refund('5'), (error: unknown) => error instanceof ApoJwtConfigError && /outside any request scope/.test(error.message));
    });

    test("50 concurrent requests with different tokens never see each other's request", async () => {
      const subjects = Array.from({ length: 50 }, (_, i) => `user-${i}`);
      const answers = await Promise.all(subjects.map((sub) => get('/above/slow', bearer(token([], sub)))));
      answers.forEach((answer, i) => {
        assert.equal(answer.status, 200, answer.text);
        assert.deepEqual(answer.json, { sub: subjects[i], reqSub: subjects[i] });
      });
    });
  });
}

/**
 * The module registers this interceptor only when something reads its
 * scopes: a method with core's decorators, or a `@Refresh()` handler (its
 * tokens continue the consumed family). Without either, no request scope is
 * entered (AsyncLocalStorage would turn on promise hooks for the whole
 * process). Each app runs in a fresh process: this file itself uses core's decorators.
 */
async function freshApp(
  mode: 'metadata-only' | 'refresh',
  platform: string,
): Promise<Record<string, { status: number; body: Record<string, unknown>; consumed?: string }> & { wanted: boolean }> {
  const script = fileURLToPath(new URL('../support/nest/scope-demand-app.js', import.meta.url));
  const { stdout } = await run(process.execPath, [script, mode, platform]);
  return JSON.parse(stdout) as never;
}

const payloadOfToken = (token: unknown): Record<string, unknown> => JSON.parse(Buffer.from(String(token).split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;

for (const platform of PLATFORMS) {
  describe(`the scope interceptor is registered only when wanted, @nestjs/platform-${platform.name}`, () => {
    test('metadata decorators only: the guard checks, and no request scope is entered', async () => {
      const answer = await freshApp('metadata-only', platform.name);
      assert.equal(answer.wanted, false);
      assert.equal(answer['list']?.status, 200);
      assert.deepEqual(answer['list']?.body, { sub: 'user-1', scoped: false });
    });

    test('a @Refresh() handler without core decorators: the interceptor runs it in the consumed family', async () => {
      const answer = await freshApp('refresh', platform.name);
      assert.equal(answer.wanted, false);
      const renew = answer['renew'];
      assert.equal(renew?.status, 200, JSON.stringify(renew?.body));
      assert.equal(renew?.body['scoped'], true);
      assert.equal(payloadOfToken(renew?.body['refreshToken'])['fam'], payloadOfToken(renew?.consumed)['fam']);
      assert.notEqual(payloadOfToken(renew?.body['refreshToken'])['jti'], payloadOfToken(renew?.consumed)['jti']);
    });
  });
}
