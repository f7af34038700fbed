import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Controller, Get, Module, Req } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ApoJwt, type JsonObject } from '@apojwt/core';
import { ApoJwtModule, PermissionRequired, TokenPermissions, TokenSubject } from '@apojwt/nest';
import { PLATFORMS } from '../support/nest/harness.js';
import { BASE, bearer, request } from '../support/nest/kit.js';

/**
 * Where the guard's values live on each platform's request
 * (packages/nest/src/request.ts): whatever the app wrote under the same
 * names before the guard ran, the handler sees the verified values, through
 * `@Req()` and the parameter decorators alike; an assignment after the guard
 * reads back; a wrapper made with `Object.create(req)` reads the request's.
 */
type Values = { tokenSubject?: string; tokenPermissions?: readonly string[]; tokenData?: unknown };

@Controller('orders')
class OrdersController {
  @Get()
  @PermissionRequired('orders:read')
  show(@Req() req: Values, @TokenSubject() sub: string, @TokenPermissions() perms: readonly string[]): JsonObject {
    const wrapper = Object.create(req) as Values;
    const seen = {
      reqSub: req.tokenSubject ?? null,
      reqPerms: [...(req.tokenPermissions ?? [])],
      reqData: (req.tokenData ?? null) as JsonObject | null,
      sub,
      perms: [...perms],
      derived: wrapper.tokenSubject ?? null,
    };
    req.tokenSubject = 'assigned';
    return { ...seen, afterAssignment: req.tokenSubject };
  }
}

@Module({ imports: [ApoJwtModule.forRoot(BASE)], controllers: [OrdersController] })
class AppModule {}

const forged = { tokenSubject: 'forged', tokenPermissions: ['admin'], tokenData: { tenant: 'forged' } };

for (const platform of PLATFORMS) {
  describe(`Nest on platform-${platform.name}: request values`, () => {
    test('values the app set before the guard never hide the verified ones; an assignment after it reads back', async () => {
      const app = await NestFactory.create(AppModule as never, platform.adapter() as never, { logger: false, abortOnError: false });
      // Something of the app's own writes the guard's names first: Express middleware, or a Fastify hook on its request.
      if (platform.name === 'express') {
        app.use((req: object, _res: unknown, next: () => void) => {
          Object.assign(req, forged);
          next();
        });
      } else {
        const fastify = app.getHttpAdapter().getInstance() as {
          addHook(name: string, hook: (request: object) => Promise<void>): void;
          decorateRequest(name: string, value: null): void;
        };
        // Declared for the app's typings, as Fastify's docs advise: each request then has own properties of these names.
        for (const name of ['tokenSubject', 'tokenPermissions', 'tokenData']) fastify.decorateRequest(name, null);
        fastify.addHook('preValidation', async (request) => {
          Object.assign(request, forged);
        });
      }
      await app.listen(0, '127.0.0.1');
      try {
        const url = `http://127.0.0.1:${((app.getHttpServer() as Server).address() as AddressInfo).port}`;
        const apo = new ApoJwt(BASE);
        for (const sub of ['user-1', 'user-2']) {
          const token = apo.createToken({ sub, permissions: ['orders:read'], data: { tenant: 't1' } }) as string;
          const answer = await request(url, '/orders', { headers: bearer(token) });
          assert.equal(answer.status, 200, answer.text);
          assert.deepEqual(answer.json, {
            reqSub: sub,
            reqPerms: ['orders:read'],
            reqData: { tenant: 't1' },
            sub,
            perms: ['orders:read'],
            derived: sub,
            afterAssignment: 'assigned',
          });
        }
      } finally {
        await app.close();
      }
    });
  });
}
