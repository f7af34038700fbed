import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Controller, Get, Injectable, Module, type Type } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { ApoJwt, createApoJwt, defaultApoJwt, type JsonObject } from '@apojwt/core';
import { APOJWT, ApoJwtModule, InjectApoJwt, PermissionRequired, nestTemplate, type ApoJwtInstance, type ApoJwtModuleOptions } from '@apojwt/nest';
import { PLATFORMS, startNest, type RunningNest } from '../support/nest/harness.js';
import { request, bearer } from '../support/nest/kit.js';
import { BASE, SECRET } from '../support/nest/kit.js';

/** ApoJwtModule: options checked when the module is created, the instance provided and injectable. */

const configError = (pattern: RegExp) => (error: unknown) => error instanceof Error && error.name === 'ApoJwtConfigError' && pattern.test(error.message);

@Injectable()
class WhoIssues {
  constructor(@InjectApoJwt() readonly apo: ApoJwtInstance) {}
}

@Controller()
class OrdersController {
  @Get('orders')
  @PermissionRequired('orders:read')
  list() {
    return { ok: true };
  }
}

function appWith(module: ReturnType<typeof ApoJwtModule.forRoot>, extra: Type<unknown>[] = []): Type<unknown> {
  @Module({ imports: [module, ...extra], controllers: [OrdersController], providers: [WhoIssues] })
  class ModuleApp {}
  return ModuleApp;
}

describe('ApoJwtModule.forRoot checks its options when called', () => {
  const cases: [string, unknown, RegExp][] = [
    ['a misspelt ApoJwt option', { ...BASE, revocationstore: {} }, /revocationstore/],
    ['a short secret', { ...BASE, secret: 'short' }, /secret/],
    ['an unknown guard mode', { ...BASE, guard: 'everywhere' }, /guard must be 'global' or 'none'/],
    ['requireDecision not a boolean', { ...BASE, requireDecision: 'yes' }, /requireDecision must be a boolean/],
    ['an unknown platform', { ...BASE, platform: 'koa' }, /platform must be 'express' or 'fastify'/],
    ['a template of its own', { ...BASE, template: 'express' }, /finds tokens itself: drop the template option/],
    ['a tokenFinder of its own', { ...BASE, tokenFinder: () => undefined }, /drop the tokenFinder option/],
    ['an instance and options', { apo: new ApoJwt(BASE), secret: SECRET }, /either apo or ApoJwt options, not both \(got secret beside apo\)/],
    ['an apo that is no instance', { apo: { authorize() {} } }, /apo must be an ApoJwt instance/],
    ['a cookie name outside RFC 6265', { ...BASE, cookie: 'bad"name' }, /cookie must be a cookie name/],
    ['no options', undefined, /options must be an object/],
  ];
  for (const [name, options, message] of cases) {
    test(name, () => {
      assert.throws(() => ApoJwtModule.forRoot(options as ApoJwtModuleOptions), configError(message));
    });
  }

  test('the instance it creates reads tokens with the nest template and is the default for core decorators', () => {
    ApoJwtModule.forRoot(BASE);
    const apo = defaultApoJwt() as ApoJwt<string, JsonObject, JsonObject, false>;
    assert.equal(apo.template?.name, 'nest');
  });
});

for (const platform of PLATFORMS) {
  describe(`ApoJwtModule on @nestjs/platform-${platform.name}`, () => {
    const servers: RunningNest[] = [];
    after(() => Promise.all(servers.map((s) => s.close())));
    const start = async (module: Type<unknown>) => {
      const server = await startNest(module, platform);
      servers.push(server);
      return server;
    };

    test('forRootAsync from ConfigService: the factory runs with it, @InjectApoJwt() gets the instance', async () => {
      const config = ConfigModule.forRoot({ ignoreEnvFile: true, load: [() => ({ JWT_SECRET: SECRET, JWT_ISS: BASE.iss, JWT_AUD: BASE.serverAudience })] });
      const module = ApoJwtModule.forRootAsync({
        imports: [config],
        inject: [ConfigService],
        useFactory: (env: ConfigService) => ({
          secret: env.getOrThrow<string>('JWT_SECRET'),
          iss: env.getOrThrow<string>('JWT_ISS'),
          serverAudience: env.getOrThrow<string>('JWT_AUD'),
          now: BASE.now,
        }),
      });
      const server = await start(appWith(module));
      const apo = server.app.get<ApoJwtInstance<false>>(APOJWT);
      assert.ok(apo instanceof ApoJwt);
      assert.equal(server.app.get(WhoIssues).apo, apo);
      assert.equal((await request(server.url, '/orders')).status, 401);
      assert.equal((await request(server.url, '/orders', { headers: bearer(apo.createToken({ permissions: ['orders:read'] })) })).status, 200);
    });

    test('forRootAsync: options the factory answers are checked when the app is created', async () => {
      const bad = ApoJwtModule.forRootAsync({ useFactory: async () => ({ ...BASE, failopen: true }) as ApoJwtModuleOptions });
      await assert.rejects(start(appWith(bad)), configError(/failopen/));
      const guardInside = ApoJwtModule.forRootAsync({ useFactory: () => ({ ...BASE, guard: 'none' }) as never });
      await assert.rejects(start(appWith(guardInside)), configError(/give guard beside useFactory/));
      assert.throws(() => ApoJwtModule.forRootAsync({} as never), configError(/needs \{ useFactory \}/));
    });

    test('an instance of your own as apo', async () => {
      const own = createApoJwt({ ...BASE, template: nestTemplate() });
      const server = await start(appWith(ApoJwtModule.forRoot({ apo: own })));
      assert.equal(server.app.get(APOJWT), own);
      assert.equal((await request(server.url, '/orders', { headers: bearer(own.createToken({ permissions: ['orders:read'] })) })).status, 200);
    });

    test('an explicit platform that is not the one the app runs on fails at start-up', async () => {
      const other = platform.name === 'express' ? 'fastify' : 'express';
      await assert.rejects(start(appWith(ApoJwtModule.forRoot({ ...BASE, platform: other }))), configError(new RegExp(`configured with platform '${other}'`)));
      const server = await start(appWith(ApoJwtModule.forRoot({ ...BASE, platform: platform.name })));
      assert.equal((await request(server.url, '/orders')).status, 401);
    });
  });
}
