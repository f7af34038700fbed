import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { OutgoingHttpHeaders } from 'node:http';
import { Controller, Get, HttpCode, Module, Post, UseGuards, type Type } from '@nestjs/common';
import type { ApoJwt, JsonObject } from '@apojwt/core';
import { APOJWT, ApoJwtGuard, ApoJwtModule, PermissionRequired, Public, Refresh, RefreshData, TokenRequired, type ApoJwtModuleOptions } from '@apojwt/nest';
import { PLATFORMS, startNest, type RunningNest } from '../support/nest/harness.js';
import { request, bearer } from '../support/nest/kit.js';
import { BASE, REFRESH, T0, clock } from '../support/nest/kit.js';

/**
 * The combination rule of class and method metadata (decision.ts), and the
 * module's requireDecision and guard options, over real Nest apps.
 */

const ran: string[] = [];

@Controller('rule')
@PermissionRequired('orders:read')
class ClassRequirementController {
  @Get('inherits')
  inherits() {
    ran.push('inherits');
    return { ran: 'inherits' };
  }

  /** Rule 2: the one explicit way to lift the class requirement. */
  @Get('public')
  @Public()
  open() {
    ran.push('public');
    return { ran: 'public' };
  }

  /** Rule 1: two requirements on one method, and the class one: all three must be met. */
  @Get('stacked')
  @PermissionRequired('orders:write')
  @PermissionRequired({ any: ['billing:read', 'billing:write'] })
  stacked() {
    ran.push('stacked');
    return { ran: 'stacked' };
  }
}

@Controller('open')
@Public()
class PublicController {
  @Get('free')
  free() {
    ran.push('free');
    return { ran: 'free' };
  }

  /** Rule 3: a method's own requirement applies under a public controller. */
  @Get('guarded')
  @TokenRequired()
  guarded() {
    ran.push('guarded');
    return { ran: 'guarded' };
  }
}

@Controller('contradiction')
class ContradictionController {
  /** Rule 4: @Public() beside a requirement on the same method. */
  @Get()
  @Public()
  @TokenRequired()
  both() {
    ran.push('both');
    return {};
  }
}

@Controller('undecided')
class UndecidedController {
  @Get()
  nothing() {
    ran.push('nothing');
    return { ran: 'nothing' };
  }
}

/** guard: 'none': only where @UseGuards(ApoJwtGuard) is written; with guard 'global' too, the check runs once. */
@Controller('explicit')
@UseGuards(ApoJwtGuard)
class ExplicitGuardController {
  @Get()
  @PermissionRequired('orders:read')
  read() {
    ran.push('explicit');
    return { ran: 'explicit' };
  }

  @Post('renew')
  @HttpCode(200)
  @Refresh()
  renew(@RefreshData() data: object) {
    ran.push('renew');
    return { data };
  }
}

@Controller('unguarded')
class NoGuardController {
  @Get()
  @PermissionRequired('orders:read')
  read() {
    ran.push('unguarded');
    return { ran: 'unguarded' };
  }
}

function app(options: ApoJwtModuleOptions, controllers: Type<unknown>[]): Type<unknown> {
  @Module({ imports: [ApoJwtModule.forRoot(options)], controllers })
  class DecisionApp {}
  return DecisionApp;
}

const ALL = [ClassRequirementController, PublicController, ContradictionController, UndecidedController, ExplicitGuardController, NoGuardController];

for (const platform of PLATFORMS) {
  describe(`class + method combination rule, @nestjs/platform-${platform.name}`, () => {
    const servers: Record<string, RunningNest> = {};
    let apo: ApoJwt<string, JsonObject, JsonObject, true>;

    before(async () => {
      servers['global'] = await startNest(app({ ...BASE, refresh: REFRESH }, ALL), platform);
      servers['strict'] = await startNest(app({ ...BASE, refresh: REFRESH, requireDecision: true }, ALL), platform);
      servers['none'] = await startNest(app({ ...BASE, refresh: REFRESH, guard: 'none' }, ALL), platform);
      apo = (servers['global'] as RunningNest).app.get(APOJWT);
    });
    after(() => Promise.all(Object.values(servers).map((s) => s.close())));
    beforeEach(() => {
      ran.length = 0;
      clock.ms = T0;
    });

    const get = (server: string, path: string, headers: OutgoingHttpHeaders = {}) => request((servers[server] as RunningNest).url, path, { headers });
    // All three apps verify with the same options, so a token from one instance is valid on each.
    const token = (permissions: string[]) => apo.createToken({ sub: 'user-1', permissions }).accessToken;

    test('rule 1: a class requirement applies to a method without its own', async () => {
      assert.equal((await get('global', '/rule/inherits')).status, 401);
      assert.equal((await get('global', '/rule/inherits', bearer(token(['billing:read'])))).status, 403);
      assert.deepEqual(ran, []);
      assert.equal((await get('global', '/rule/inherits', bearer(token(['orders:read'])))).status, 200);
    });

    test('rule 1: requirements add up: class orders:read + method orders:write + method any billing', async () => {
      for (const missing of [
        ['orders:write', 'billing:read'],
        ['orders:read', 'billing:read'],
        ['orders:read', 'orders:write'],
      ]) {
        const answer = await get('global', '/rule/stacked', bearer(token(missing)));
        assert.equal(answer.status, 403, `${missing.join(',')}: ${answer.text}`);
      }
      assert.deepEqual(ran, []);
      assert.equal((await get('global', '/rule/stacked', bearer(token(['orders:read', 'orders:write', 'billing:write'])))).status, 200);
    });

    test('rule 2: @Public() on a method lifts the class requirement for that method only', async () => {
      assert.deepEqual((await get('global', '/rule/public')).json, { ran: 'public' });
      assert.equal((await get('global', '/rule/inherits')).status, 401);
    });

    test("rule 3: @Public() on a class leaves a method's own requirement in force", async () => {
      assert.equal((await get('global', '/open/free')).status, 200);
      ran.length = 0;
      const answer = await get('global', '/open/guarded');
      assert.equal(answer.status, 401);
      assert.equal(answer.json['error'], 'ERR_TOKEN_MISSING');
      assert.deepEqual(ran, []);
      assert.equal((await get('global', '/open/guarded', bearer(token([])))).status, 200);
    });

    test('rule 4: @Public() beside a requirement on one method is refused (500, the handler never runs), even with a valid token', async () => {
      const answer = await get('global', '/contradiction', bearer(token(['orders:read'])));
      assert.equal(answer.status, 500);
      assert.deepEqual(ran, []);
    });

    test('rule 5: an undecided handler runs unchecked by default', async () => {
      assert.deepEqual((await get('global', '/undecided')).json, { ran: 'nothing' });
    });

    test('requireDecision: an undecided handler is refused (500, never run); decided ones keep working', async () => {
      const answer = await get('strict', '/undecided', bearer(token(['orders:read'])));
      assert.equal(answer.status, 500);
      assert.ok(!answer.text.includes('requireDecision'), 'the reason is for the log, not the client');
      assert.deepEqual(ran, []);
      assert.equal((await get('strict', '/rule/public')).status, 200);
      assert.equal((await get('strict', '/open/free')).status, 200);
      assert.equal((await get('strict', '/rule/inherits', bearer(token(['orders:read'])))).status, 200);
    });

    test("guard 'none': metadata is checked only under @UseGuards(ApoJwtGuard)", async () => {
      assert.equal((await get('none', '/explicit')).status, 401);
      assert.deepEqual(ran, []);
      assert.equal((await get('none', '/explicit', bearer(token(['orders:read'])))).status, 200);
      assert.deepEqual((await get('none', '/unguarded')).json, { ran: 'unguarded' });
    });

    test('the global guard and @UseGuards(ApoJwtGuard) on one route check once: a refresh token is consumed once', async () => {
      const { refreshToken } = apo.createToken({ sub: 'user-1', refreshData: { device: 'd1' } });
      const answer = await request((servers['global'] as RunningNest).url, '/explicit/renew', { method: 'POST', headers: { cookie: `apojwt_refresh=${refreshToken}` } });
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(answer.json, { data: { device: 'd1' } });
      assert.deepEqual(ran, ['renew']);
    });
  });
}
