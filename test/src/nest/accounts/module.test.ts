import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { OutgoingHttpHeaders } from 'node:http';
import { Secret, TOTP } from 'otpauth';
import { Controller, Get, Global, Module, type Type } from '@nestjs/common';
import { ApoJwtModule, PermissionRequired, TokenSubject, nestRoutes } from '@apojwt/nest';
import { ApoJwtAuthModule } from '@apojwt/nest/auth';
import { ApoJwtAccountsModule } from '@apojwt/nest/accounts';
import { ACCOUNT_ROUTE_TABLE, trackSessions } from '@apojwt/postgres';
import { engines, type FreshDatabase } from '../../postgres/engines.js';
import { PLATFORMS, startNest, type RunningNest } from '../../support/nest/harness.js';
import { bearer, request, type Answer } from '../../support/nest/kit.js';
import { ACCOUNTS_REFRESH_SECRET, ACCOUNTS_SECRET, accountsOn, type AccountsKit } from '../../support/nest/accounts.js';

/**
 * ApoJwtAccountsModule: @apojwt/postgres's account route table as Nest
 * controllers, over real HTTP on both Nest platforms and both database
 * engines, behind ApoJwtModule's global guard with requireDecision on (the
 * routes are @Public(): they must answer all the same).
 */

const PASSWORD = 'correct horse battery';
const USER_AGENT = 'nest-accounts-test/1.0';
const KIT = Symbol('accounts kit');
const configError = (fragment: string) => (error: unknown) => error instanceof Error && error.name === 'ApoJwtConfigError' && error.message.includes(fragment);
const codeOf = (secret: string, ms: number) => new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({ timestamp: ms });
const keyOf = (route: { method: string; path: string }) => `${route.method} ${route.path}`;

@Controller()
class OrdersController {
  @Get('orders')
  @PermissionRequired('orders:read')
  list(@TokenSubject() sub: string) {
    return { sub };
  }
}

/** The database "opened" by a provider, and the account parts built on it. */
function kitModule(fresh: FreshDatabase): Type<unknown> {
  @Global()
  @Module({ providers: [{ provide: KIT, useFactory: () => accountsOn(fresh.db) }], exports: [KIT] })
  class KitModule {}
  return KitModule;
}

/** The full app: forRootAsync from the kit's provider, the two-step login mounted, ApoJwtAuthModule's refresh and logout beside it. */
function fullApp(fresh: FreshDatabase): Type<unknown> {
  @Module({
    imports: [
      kitModule(fresh),
      ApoJwtModule.forRootAsync({ inject: [KIT], useFactory: (kit: AccountsKit) => ({ apo: kit.apo, requireDecision: true }) }),
      ApoJwtAccountsModule.forRootAsync({
        inject: [KIT],
        useFactory: (kit: AccountsKit) => ({ accounts: kit.accounts, twoFactor: kit.secondFactor }),
        twoFactorLogin: true,
      }),
      // Refresh and logout beside the two-step login, which serves POST /auth/login.
      ApoJwtAuthModule.forRoot({ login: false }),
    ],
    controllers: [OrdersController],
  })
  class FullApp {}
  return FullApp;
}

for (const engine of engines()) {
  for (const platform of PLATFORMS) {
    describe(`ApoJwtAccountsModule on @nestjs/platform-${platform.name}, ${engine.name}`, () => {
      let fresh: FreshDatabase;
      let server: RunningNest;
      let kit: AccountsKit;

      before(async () => {
        fresh = await engine.fresh();
        server = await startNest(fullApp(fresh), platform);
        kit = server.app.get(KIT);
      });
      after(async () => {
        await server?.close();
        await fresh?.close();
      });

      const send = (method: string, path: string, options: { body?: unknown; raw?: string; token?: string; headers?: OutgoingHttpHeaders } = {}) => {
        const body = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
        const headers: OutgoingHttpHeaders = {
          'user-agent': USER_AGENT,
          ...(body !== undefined && { 'content-type': 'application/json' }),
          ...(options.token !== undefined && bearer(options.token)),
          ...options.headers,
        };
        return request(server.url, path, { method, headers, ...(body !== undefined && { body }) });
      };
      const register = (email: string, password = PASSWORD) => send('POST', '/auth/register', { body: { email, password } });
      const login = (username: string, password = PASSWORD) => send('POST', '/auth/login', { body: { username, password } });
      const tokenOf = (answer: Answer) => String(answer.json['accessToken']);

      /** A typed refusal: its status and code, no-store, and nothing the client sent in the answer. */
      function refused(answer: Answer, status: number, code: string, sent: readonly string[] = []): void {
        assert.equal(answer.status, status, answer.text);
        assert.equal(answer.json['error'], code, answer.text);
        assert.equal(answer.headers['cache-control'], 'no-store');
        for (const value of [PASSWORD, ACCOUNTS_SECRET, ACCOUNTS_REFRESH_SECRET, ...sent]) {
          assert.ok(!answer.text.includes(value) && !answer.rawHeaders.includes(value), 'nothing of the input, no secret in the answer');
        }
      }

      test("the controllers' routes are exactly the route table's, all @Public()", () => {
        const mounted = nestRoutes(server.app).filter((route) => /^ApoJwt(Accounts|TwoFactorLogin)Controller\./.test(String(route.handlers[0])));
        assert.deepEqual(mounted.map(keyOf).sort(), ACCOUNT_ROUTE_TABLE.map(keyOf).sort());
        assert.ok(mounted.every((route) => route.decided === 'public'));
      });

      test('register → verify email → login → 2FA enrol and confirm → two-step login → sessions → revoke one → log out everywhere', async () => {
        const registered = await register('Alice@Example.com');
        assert.equal(registered.status, 201, registered.text);
        const id = String(registered.json['id']);
        assert.deepEqual(registered.json, { id, email: 'alice@example.com', username: null });
        assert.equal(registered.headers['cache-control'], 'no-store');

        // The app asks for the verification mail; the link's token comes back to the route.
        await kit.flows.requestVerification(id);
        const mail = kit.mails.find((sent) => sent.purpose === 'verify-email' && sent.userId === id);
        assert.ok(mail);
        const verified = await send('POST', '/auth/verify-email', { body: { token: mail.token } });
        assert.equal(verified.status, 204, verified.text);
        assert.equal((await kit.users.findById(id))?.verified, true);
        refused(await send('POST', '/auth/verify-email', { body: { token: mail.token } }), 400, 'ERR_ACCOUNT_TOKEN_INVALID', [mail.token]);

        // Without 2FA, the first step answers the tokens, the refresh token in its cookie.
        const first = await login('alice@example.com');
        assert.equal(first.status, 200, first.text);
        assert.match(String(first.headers['set-cookie']?.[0]), /^apojwt_refresh=[\w-]+\.[\w-]+\.[\w-]+;.* HttpOnly/);
        const firstToken = tokenOf(first);
        assert.equal((await send('GET', '/orders', { token: firstToken })).status, 403, 'the global guard checks the business routes');
        assert.deepEqual((await send('GET', '/account/2fa', { token: firstToken })).json, { enabled: false, backupCodesLeft: 0 });

        const enrolled = await send('POST', '/account/2fa/enrol', { token: firstToken });
        assert.equal(enrolled.status, 200, enrolled.text);
        const { secret, uri, qrSvg } = enrolled.json as { secret: string; uri: string; qrSvg: string };
        assert.match(uri, /^otpauth:\/\/totp\/Nest:alice%40example\.com\?/);
        assert.match(qrSvg, /^<svg/);
        const confirmed = await send('POST', '/account/2fa/confirm', { token: firstToken, body: { code: codeOf(secret, kit.clock.ms) } });
        assert.equal(confirmed.status, 200, confirmed.text);
        assert.equal((confirmed.json['backupCodes'] as string[]).length, 10);
        kit.clock.ms += 30_000; // the next code is of a later step (a code is accepted once)

        // With 2FA on: a challenge and no token, then the tokens for the code.
        const challenged = await login('alice@example.com');
        assert.equal(challenged.status, 200, challenged.text);
        assert.equal(challenged.json['otpRequired'], true);
        assert.equal(challenged.json['accessToken'], undefined);
        assert.equal(challenged.headers['set-cookie'], undefined);
        const second = await send('POST', '/auth/login/otp', { body: { challenge: challenged.json['challenge'], code: codeOf(secret, kit.clock.ms) } });
        assert.equal(second.status, 200, second.text);
        assert.equal(second.headers['set-cookie']?.length, 1);
        const secondToken = tokenOf(second);
        const refreshCookie = String(second.headers['set-cookie']?.[0]).split(';')[0] ?? '';
        const rotated = await send('POST', '/auth/refresh', { headers: { cookie: refreshCookie } });
        assert.equal(rotated.status, 200, rotated.text);

        const listed = await send('GET', '/account/sessions', { token: secondToken });
        assert.equal(listed.status, 200, listed.text);
        const sessions = listed.json['sessions'] as Array<{ id: string; createdAt: number; ip: string; userAgent: string }>;
        assert.equal(sessions.length, 2);
        for (const session of sessions) assert.deepEqual([session.ip, session.userAgent], ['127.0.0.1', USER_AGENT], 'the IP and User-Agent of the request');

        // Revoke the first login's session (the older one): its access token stops working, the other stays.
        const [firstSession, secondSession] = [...sessions].sort((a, b) => a.createdAt - b.createdAt);
        assert.ok(firstSession && secondSession && firstSession.createdAt < secondSession.createdAt);
        assert.equal((await send('DELETE', `/account/sessions/${firstSession.id}`, { token: secondToken })).status, 204);
        refused(await send('GET', '/account/sessions', { token: firstToken }), 401, 'ERR_TOKEN_REVOKED', [firstToken]);
        const left = await send('GET', '/account/sessions', { token: secondToken });
        assert.equal((left.json['sessions'] as unknown[]).length, 1);

        assert.equal((await send('POST', '/account/logout-everywhere', { token: secondToken })).status, 204);
        refused(await send('GET', '/account/sessions', { token: secondToken }), 401, 'ERR_TOKEN_REVOKED', [secondToken]);
        assert.equal((await send('GET', '/orders', { token: secondToken })).status, 401, 'the old token is refused everywhere');
        assert.deepEqual(await kit.sessions.list(id), []);
      });

      test('bad input: no token 401, malformed JSON 400, duplicate email 409, wrong code 401 then 429, each typed and echoing nothing', async () => {
        for (const [method, path] of [
          ['GET', '/account/sessions'],
          ['DELETE', '/account/sessions/some-id'],
          ['POST', '/account/logout-everywhere'],
          ['GET', '/account/2fa'],
          ['POST', '/account/2fa/enrol'],
        ] as const) {
          const answer = await send(method, path);
          refused(answer, 401, 'ERR_TOKEN_MISSING');
          assert.equal(answer.headers['www-authenticate'], 'Bearer');
        }
        refused(await send('GET', '/account/sessions', { token: 'not.a.jwt' }), 401, 'ERR_TOKEN_MALFORMED', ['not.a.jwt']);

        // Not JSON: core's 400 on Express too, where Nest would quote the body.
        const broken = '{"email":"bob@example.com","password":hunter2-plain}';
        const malformed = await send('POST', '/auth/register', { raw: broken });
        assert.equal(malformed.status, 400, malformed.text);
        for (const echoed of ['hunter2', 'bob@example']) assert.ok(!malformed.text.includes(echoed), malformed.text);
        if (platform.name === 'express') refused(malformed, 400, 'ERR_BODY_INVALID', ['hunter2-plain']);
        refused(await send('POST', '/auth/register', { body: ['not', 'an', 'object'] }), 400, 'ERR_BODY_INVALID');
        refused(await send('POST', '/auth/register', { body: { email: 'bob@example.com', password: 'pw-1' } }), 400, 'ERR_PASSWORD_INVALID', ['pw-1']);

        assert.equal((await register('bob@example.com')).status, 201);
        refused(await register('BOB@example.com', 'another long password'), 409, 'ERR_ACCOUNT_EXISTS', ['BOB@example.com', 'bob@example.com', 'another long password']);

        // Wrong second-step codes: 401 each, then the limiter's 429 even for the right code.
        const token = tokenOf(await login('bob@example.com'));
        const { secret } = (await send('POST', '/account/2fa/enrol', { token })).json as { secret: string };
        refused(await send('POST', '/account/2fa/confirm', { token, body: { code: '000000' } }), 401, 'ERR_OTP_INVALID', ['000000']);
        assert.equal((await send('POST', '/account/2fa/confirm', { token, body: { code: codeOf(secret, kit.clock.ms) } })).status, 200);
        kit.clock.ms += 30_000;
        const challenge = String((await login('bob@example.com')).json['challenge']);
        for (let attempt = 0; attempt < 3; attempt += 1) {
          refused(await send('POST', '/auth/login/otp', { body: { challenge, code: '123456' } }), 401, 'ERR_OTP_INVALID', [challenge, '123456']);
        }
        const limited = await send('POST', '/auth/login/otp', { body: { challenge, code: codeOf(secret, kit.clock.ms) } });
        refused(limited, 429, 'ERR_RATE_LIMITED', [challenge]);
        assert.match(String(limited.headers['retry-after']), /^\d+$/);
        refused(await send('POST', '/auth/login/otp', { body: { challenge: 'x'.repeat(43), code: '123456' } }), 401, 'ERR_OTP_INVALID');
      });

      test('SQL metacharacters in the body, the login name and the session id are values, never SQL', async () => {
        const email = "o'hara%_$1--x@example.com";
        const password = "'; DROP TABLE apojwt_users; --\\$1%_";
        assert.equal((await register(email, password)).status, 201);
        const token = tokenOf(await login(email, password));
        refused(await login("' OR '1'='1", "' OR '1'='1"), 401, 'ERR_CREDENTIALS_INVALID', ["' OR '1'='1"]);
        refused(await register("' OR 1=1; --@example.com"), 400, 'ERR_EMAIL_INVALID', ["' OR 1=1"]);
        const id = "'; DELETE FROM apojwt_sessions; --";
        const ended = await send('DELETE', `/account/sessions/${encodeURIComponent(id)}`, { token });
        assert.equal(ended.status, 204, ended.text);
        const listed = await send('GET', '/account/sessions', { token });
        assert.equal((listed.json['sessions'] as unknown[]).length, 1, 'the table is intact, the session still listed');
        assert.ok(!listed.text.includes(password));
      });

      test('the business routes stay guarded beside the public account routes', async () => {
        const answer = await send('GET', '/orders');
        assert.equal(answer.status, 401);
        assert.equal(answer.json['error'], 'ERR_TOKEN_MISSING');
      });
    });

    describe(`ApoJwtAccountsModule.forRootAsync start-up checks on @nestjs/platform-${platform.name}, ${engine.name}`, () => {
      let fresh: FreshDatabase;
      before(async () => {
        fresh = await engine.fresh();
      });
      after(() => fresh?.close());

      const appWith = (twoFactorLogin: boolean, endpoints: (kit: AccountsKit) => object): Type<unknown> => {
        @Module({ imports: [kitModule(fresh), ApoJwtAccountsModule.forRootAsync({ inject: [KIT], useFactory: endpoints, twoFactorLogin })] })
        class CheckedApp {}
        return CheckedApp;
      };

      test('the factory answer must match twoFactorLogin, and be handler sets', async () => {
        await assert.rejects(
          startNest(
            appWith(true, (kit) => ({ accounts: kit.accounts })),
            platform,
          ),
          configError('gave no twoFactor'),
        );
        await assert.rejects(
          startNest(
            appWith(false, (kit) => ({ accounts: kit.accounts, twoFactor: kit.secondFactor })),
            platform,
          ),
          configError('pass twoFactorLogin: true'),
        );
        await assert.rejects(
          startNest(
            appWith(false, () => ({ accounts: 'handlers' })),
            platform,
          ),
          configError('createAccountHandlers'),
        );
      });
    });

    describe(`ApoJwtAccountsModule.forRoot without flows and twoFactor, beside ApoJwtAuthModule, on @nestjs/platform-${platform.name}, ${engine.name}`, () => {
      let fresh: FreshDatabase;
      let server: RunningNest;

      before(async () => {
        fresh = await engine.fresh();
        const kit = accountsOn(fresh.db);
        @Module({
          imports: [
            ApoJwtModule.forRoot({ apo: kit.apo, requireDecision: true }),
            ApoJwtAuthModule.forRoot(trackSessions(kit.apo, kit.sessions)),
            ApoJwtAccountsModule.forRoot({ accounts: kit.plainAccounts }),
          ],
        })
        class PlainApp {}
        server = await startNest(PlainApp, platform);
      });
      after(async () => {
        await server?.close();
        await fresh?.close();
      });

      test("the flow and 2FA routes answer 404; POST /auth/login stays the auth module's", async () => {
        for (const path of ['/auth/verify-email', '/auth/reset-request', '/auth/reset', '/auth/login/otp', '/account/password', '/account/2fa/enrol']) {
          const answer = await request(server.url, path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
          assert.equal(answer.status, 404, `${path}: ${answer.text}`);
        }
        assert.equal((await request(server.url, '/account/2fa')).status, 404);
        const registered = await request(server.url, '/auth/register', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: 'carol@example.com', password: PASSWORD }),
        });
        assert.equal(registered.status, 201, registered.text);
        const signedIn = await request(server.url, '/auth/login', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'carol@example.com', password: PASSWORD }),
        });
        assert.equal(signedIn.status, 200, signedIn.text);
        const listed = await request(server.url, '/account/sessions', { headers: bearer(String(signedIn.json['accessToken'])) });
        assert.equal((listed.json['sessions'] as unknown[]).length, 1, 'the auth module recorded the session');
      });
    });
  }
}

describe('ApoJwtAccountsModule checks its options', () => {
  test('forRoot: handler sets only', () => {
    assert.throws(() => ApoJwtAccountsModule.forRoot({}), configError('listAccountRoutes'));
    assert.throws(() => ApoJwtAccountsModule.forRoot({ accounts: {} as never }), configError('createAccountHandlers'));
    assert.throws(() => ApoJwtAccountsModule.forRoot({ accounts: undefined, other: 1 } as never), configError('listAccountRoutes'));
  });

  test('forRootAsync: a factory, and a boolean twoFactorLogin', () => {
    assert.throws(() => ApoJwtAccountsModule.forRootAsync({} as never), configError('needs { useFactory }'));
    assert.throws(() => ApoJwtAccountsModule.forRootAsync({ useFactory: () => ({}), twoFactorLogin: 'yes' as never }), configError('twoFactorLogin must be a boolean'));
  });
});
