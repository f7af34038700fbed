// @apojwt/express/accounts over real HTTP: every route of the account route
// table on Express 5 and Express 4, on PostgreSQL and PGlite. Happy paths of
// each route, then bad input: no token, malformed and oversized bodies, a
// duplicate email, wrong codes, the limits, SQL metacharacters, and nothing of
// the input echoed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import express4 from 'express4';
import { Secret, TOTP } from 'otpauth';
import { createApoJwt } from '@apojwt/express';
import { accountRoutes } from '@apojwt/express/accounts';
import { listen, request, runAccountRoutesConformance, type AccountRoutesUnderTest, type Answer } from '@apojwt/conformance';
import {
  ACCOUNT_ROUTE_TABLE,
  createAccountHandlers,
  createTwoFactorHandlers,
  PostgresAccountFlows,
  PostgresRevocationStore,
  PostgresRotationStore,
  PostgresSessionStore,
  PostgresTwoFactor,
  PostgresUserStore,
  twoFactorLogin,
  type AccountEndpoints,
  type AccountMail,
  type Database,
} from '@apojwt/postgres';
import { configError } from '../support/helpers.js';
import { engines, type Engine, type FreshDatabase } from '../postgres/engines.js';

const PASSWORD = 'correct horse battery staple';
/** Written into bad input; no answer may contain it. */
const MARKER = 'zq-marker-7731';

interface Framework {
  readonly name: string;
  readonly app: () => express.Express;
  /** The Router the routes go on: the framework's own (Express 4's for Express 4). */
  readonly router: () => Router | undefined;
}

const FRAMEWORKS: readonly Framework[] = [
  { name: 'Express 5', app: () => express(), router: () => undefined },
  { name: 'Express 4', app: () => express4(), router: () => express4.Router() },
];

/** The shared scenario every adapter's account routes run (packages/conformance), on Express 5 and 4. */
function expressAccounts(framework: Framework): AccountRoutesUnderTest {
  return {
    name: framework.name,
    async serve(endpoints, { bodyLimit }) {
      const app = framework.app();
      const router = framework.router();
      app.use(router === undefined ? accountRoutes(endpoints, { bodyLimit }) : accountRoutes(endpoints, { bodyLimit, router }));
      app.use((_req: Request, res: Response) => void res.status(404).json({ handledBy: 'app' }));
      return listen(app.listen(0, '127.0.0.1'));
    },
  };
}
const databases = engines();
for (const framework of FRAMEWORKS) runAccountRoutesConformance(expressAccounts(framework), databases);

const codeAt = (secret: string, ms: number) => new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({ timestamp: ms });
/** A six-digit code that is not the one of this step nor of the steps either side. */
const wrongCode = (secret: string, ms: number) => {
  const valid = new Set([-30_000, 0, 30_000].map((offset) => codeAt(secret, ms + offset)));
  for (let n = 0; ; n++) {
    const candidate = String(n).padStart(6, '0');
    if (!valid.has(candidate)) return candidate;
  }
};

interface Running {
  readonly url: string;
  /** The route templates requests reached, `POST /auth/register`… */
  readonly hits: Set<string>;
  readonly mails: AccountMail[];
  readonly clock: { ms: number };
  readonly flows: PostgresAccountFlows;
  /** Errors that reached the app's own error handler (next(err)). */
  readonly appErrors: unknown[];
  close(): Promise<void>;
}

/** The account endpoints on PostgreSQL, over `db`, on one clock (tokens, sessions, links, TOTP). */
function accountEndpoints(db: Database, clock: { ms: number }, mails: AccountMail[], getUser?: () => Promise<never>) {
  const now = () => Math.floor(clock.ms / 1000);
  const users = new PostgresUserStore(db, { hash: { cost: 4 } });
  const sessions = new PostgresSessionStore(db, { now });
  const apo = createApoJwt({
    template: 'express',
    now: () => clock.ms,
    secret: 's'.repeat(32),
    iss: 'auth',
    serverAudience: 'api',
    cache: false,
    revocationStore: new PostgresRevocationStore(db),
    rotationStore: new PostgresRotationStore(db),
    refresh: { refreshSecret: 'r'.repeat(32), reuseGracePeriod: 0 },
  });
  const flows = new PostgresAccountFlows({
    db,
    users,
    apo,
    sessions,
    hash: { cost: 4 },
    now,
    sendMail: (mail) => void mails.push(mail),
    resetLimiter: { perAccount: { attempts: 2, windowSeconds: 3_600, lockoutSeconds: 3_600 }, perIp: false },
  });
  const twoFactor = new PostgresTwoFactor({ db, issuer: 'Test', now: () => clock.ms });
  const password = { ...users.loginOptions(), ...(getUser !== undefined && { getUser }), cost: 4, limiter: false as const };
  const login = twoFactorLogin({
    db,
    apo,
    twoFactor,
    password,
    now: () => clock.ms,
    limiter: { perAccount: { attempts: 3, windowSeconds: 900, lockoutSeconds: 900 }, perIp: false },
  });
  const endpoints: AccountEndpoints = {
    accounts: createAccountHandlers({ apo, users, sessions, flows }),
    twoFactor: createTwoFactorHandlers({ apo, users, twoFactor, login, sessions }),
  };
  return { apo, flows, endpoints };
}

async function serve(engine: Engine, framework: Framework, setup: { parser?: boolean; failingLookup?: boolean } = {}): Promise<Running> {
  const fresh: FreshDatabase = await engine.fresh();
  const clock = { ms: Date.now() };
  const mails: AccountMail[] = [];
  const failing = setup.failingLookup === true ? async (): Promise<never> => Promise.reject(new Error('user lookup down')) : undefined;
  const { apo, flows, endpoints } = accountEndpoints(fresh.db, clock, mails, failing);
  const hits = new Set<string>();
  const appErrors: unknown[] = [];
  const app = framework.app();
  app.use((req: Request, _res: Response, next: NextFunction) => {
    // Which template a request reached: the route table's paths with the one parameter.
    const path = req.path.replace(/^\/account\/sessions\/.+$/, '/account/sessions/:id');
    hits.add(`${req.method} ${path}`);
    next();
  });
  if (setup.parser === true) app.use(framework.name === 'Express 4' ? express4.json() : express.json());
  const router = framework.router();
  app.use(router === undefined ? accountRoutes(endpoints) : accountRoutes(endpoints, { router }));
  app.get('/orders', apo.tokenRequired(), (req, res) => void res.json({ sub: req.tokenSubject }));
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    appErrors.push(error);
    res.status(500).json({ handledBy: 'app' });
  });
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    hits,
    mails,
    clock,
    flows,
    appErrors,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await fresh.close();
    },
  };
}

const withToken = (token: string) => ({ authorization: `Bearer ${token}` });
const tokenOf = (answer: Answer) => answer.json['accessToken'] as string;

describe('accountRoutes: options', () => {
  test('checked when the routes are made', () => {
    assert.throws(() => accountRoutes({}), configError('listAccountRoutes needs'));
    assert.throws(() => accountRoutes({ accounts: {} as never }), configError('createAccountHandlers'));
    const some = { accounts: { hasFlows: false } } as unknown as AccountEndpoints;
    assert.throws(() => accountRoutes(some, { bodyLimit: 0 }), configError('bodyLimit'));
    assert.throws(() => accountRoutes(some, { bodyLimit: 2 * 1024 * 1024 }), configError('bodyLimit'));
    assert.throws(() => accountRoutes(some, { limit: 10 } as never), configError('unknown accountRoutes option "limit"'));
    assert.throws(() => accountRoutes(some, { router: {} as never }), configError('router must be'));
    assert.throws(() => accountRoutes(some, null as never), configError('options must be an object'));
  });
});

for (const engine of databases) {
  for (const framework of FRAMEWORKS) {
    describe(`accountRoutes on ${framework.name} over ${engine.name}`, () => {
      let app: Running;
      before(async () => {
        app = await serve(engine, framework);
      });
      after(async () => {
        await app.close();
      });
      const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
        request(app.url, path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

      test('every route of the table answers its happy path', async () => {
        const registered = await post('/auth/register', { email: 'Carol@Example.com', password: PASSWORD });
        assert.equal(registered.status, 201, registered.text);
        assert.equal(registered.json['email'], 'carol@example.com');
        assert.ok(!registered.text.includes(PASSWORD));
        await app.flows.requestVerification(registered.json['id'] as string);
        const verify = app.mails.at(-1) as AccountMail;
        assert.equal((await post('/auth/verify-email', { token: verify.token })).status, 204);

        const laptop = await post('/auth/login', { username: 'carol@example.com', password: PASSWORD }, { 'user-agent': 'Laptop/1' });
        assert.equal(laptop.status, 200, laptop.text);
        assert.match(laptop.headers['set-cookie']?.[0] ?? '', /^apojwt_refresh=/, 'the refresh cookie is copied');
        assert.equal(laptop.headers['cache-control'], 'no-store', 'the headers are copied');
        const status = await request(app.url, '/account/2fa', { headers: withToken(tokenOf(laptop)) });
        assert.deepEqual(status.json, { enabled: false, backupCodesLeft: 0 });

        const enrolled = await request(app.url, '/account/2fa/enrol', { method: 'POST', headers: withToken(tokenOf(laptop)) });
        assert.equal(enrolled.status, 200, enrolled.text);
        const secret = enrolled.json['secret'] as string;
        assert.match(enrolled.json['uri'] as string, /^otpauth:\/\/totp\//);
        const confirmed = await post('/account/2fa/confirm', { code: codeAt(secret, app.clock.ms) }, withToken(tokenOf(laptop)));
        assert.equal(confirmed.status, 200, confirmed.text);
        assert.equal((confirmed.json['backupCodes'] as string[]).length, 10);

        app.clock.ms += 30_000; // the next code: one of a later step
        const first = await post('/auth/login', { username: 'carol@example.com', password: PASSWORD }, { 'user-agent': 'Phone/2' });
        assert.equal(first.status, 200, first.text);
        assert.equal(first.json['otpRequired'], true);
        assert.equal(first.json['accessToken'], undefined);
        assert.equal(first.headers['set-cookie'], undefined, 'no cookie before the second step');
        const phone = await post('/auth/login/otp', { challenge: first.json['challenge'], code: codeAt(secret, app.clock.ms) }, { 'user-agent': 'Phone/2' });
        assert.equal(phone.status, 200, phone.text);
        assert.ok(phone.headers['set-cookie']?.[0]?.startsWith('apojwt_refresh='));

        const listed = await request(app.url, '/account/sessions', { headers: withToken(tokenOf(phone)) });
        assert.equal(listed.status, 200, listed.text);
        const sessions = listed.json['sessions'] as { id: string; ip: string; userAgent: string }[];
        assert.deepEqual(sessions.map((s) => s.userAgent).sort(), ['Laptop/1', 'Phone/2']);
        assert.ok(
          sessions.every((s) => s.ip.includes('127.0.0.1')),
          'req.ip reaches the session',
        );
        const laptopSession = sessions.find((s) => s.userAgent === 'Laptop/1') as { id: string };
        const ended = await request(app.url, `/account/sessions/${encodeURIComponent(laptopSession.id)}`, { method: 'DELETE', headers: withToken(tokenOf(phone)) });
        assert.equal(ended.status, 204);
        assert.equal(ended.text, '', 'a 204 has no body');
        assert.equal((await request(app.url, '/orders', { headers: withToken(tokenOf(laptop)) })).status, 401, 'the ended session');
        assert.equal((await request(app.url, '/orders', { headers: withToken(tokenOf(phone)) })).status, 200, 'the other one');

        app.clock.ms += 30_000;
        assert.equal((await post('/account/2fa/disable', { code: codeAt(secret, app.clock.ms) }, withToken(tokenOf(phone)))).status, 204);
        const changed = await post('/account/password', { currentPassword: PASSWORD, newPassword: 'changed passphrase' }, withToken(tokenOf(phone)));
        assert.equal(changed.status, 204, changed.text);
        app.clock.ms += 1_000; // tokens of the change's second count as revoked
        assert.equal((await request(app.url, '/orders', { headers: withToken(tokenOf(phone)) })).status, 401, 'the change ended the session');

        assert.equal((await post('/auth/reset-request', { email: 'carol@example.com' })).status, 202);
        await new Promise((resolve) => setImmediate(resolve));
        const reset = app.mails.at(-1) as AccountMail;
        assert.equal(reset.purpose, 'reset-password');
        assert.equal((await post('/auth/reset', { token: reset.token, password: 'reset passphrase' })).status, 204);
        app.clock.ms += 1_000;
        const again = await post('/auth/login', { username: 'carol@example.com', password: 'reset passphrase' });
        assert.equal(again.status, 200, again.text);
        assert.equal((await request(app.url, '/account/logout-everywhere', { method: 'POST', headers: withToken(tokenOf(again)) })).status, 204);
        assert.equal((await request(app.url, '/orders', { headers: withToken(tokenOf(again)) })).status, 401);

        const table = ACCOUNT_ROUTE_TABLE.map((spec) => `${spec.method} ${spec.path}`);
        assert.deepEqual(
          table.filter((route) => !app.hits.has(route)),
          [],
          'every route was called',
        );
        assert.deepEqual(app.appErrors, []);
      });

      test('the token routes without a token: 401 ERR_TOKEN_MISSING, nothing of the request in the answer', async () => {
        for (const spec of ACCOUNT_ROUTE_TABLE.filter((s) => s.path.startsWith('/account/'))) {
          const answer = await request(app.url, spec.path.replace(':id', MARKER), {
            method: spec.method,
            headers: { 'content-type': 'application/json' },
            ...(spec.readsBody && { body: JSON.stringify({ code: '123456', currentPassword: MARKER, newPassword: MARKER }) }),
          });
          assert.equal(answer.status, 401, `${spec.method} ${spec.path}`);
          assert.equal(answer.json['error'], 'ERR_TOKEN_MISSING', `${spec.method} ${spec.path}`);
          assert.ok(!answer.rawHeaders.includes(MARKER) && !answer.text.includes(MARKER));
        }
        const forged = await request(app.url, '/account/sessions', { headers: withToken(`${MARKER}.b.c`) });
        assert.equal(forged.status, 401);
        assert.equal(forged.json['sessions'], undefined);
        assert.ok(!forged.text.includes(MARKER));
      });

      test('a malformed JSON body is 400 ERR_BODY_INVALID on every route that reads one; an empty one too', async () => {
        for (const spec of ACCOUNT_ROUTE_TABLE.filter((s) => s.readsBody)) {
          const answer = await request(app.url, spec.path, { method: spec.method, headers: { 'content-type': 'application/json' }, body: `{"email": "${MARKER}` });
          assert.equal(answer.status, 400, `${spec.method} ${spec.path}: ${answer.text}`);
          assert.equal(answer.json['error'], 'ERR_BODY_INVALID');
          assert.ok(!answer.text.includes(MARKER));
        }
        const empty = await request(app.url, '/auth/register', { method: 'POST' });
        assert.equal(empty.status, 400);
        assert.equal(empty.json['error'], 'ERR_BODY_INVALID');
      });

      test('an oversized body is 413 ERR_BODY_TOO_LARGE, and the connection still answers', async () => {
        const big = JSON.stringify({ email: 'big@example.com', password: MARKER.repeat(2_000) });
        const answer = await request(app.url, '/auth/register', { method: 'POST', headers: { 'content-type': 'application/json' }, body: big });
        assert.equal(answer.status, 413);
        assert.equal(answer.json['error'], 'ERR_BODY_TOO_LARGE');
        assert.ok(!answer.text.includes(MARKER));
        const small = await post('/auth/register', { email: 'big@example.com', password: PASSWORD });
        assert.equal(small.status, 201, 'nothing of the refused body was stored');
      });

      test('a duplicate email is 409; SQL metacharacters are plain values; nothing is echoed', async () => {
        assert.equal((await post('/auth/register', { email: 'dave@example.com', password: PASSWORD })).status, 201);
        const duplicate = await post('/auth/register', { email: 'DAVE@example.com', password: PASSWORD });
        assert.equal(duplicate.status, 409);
        assert.equal(duplicate.json['error'], 'ERR_ACCOUNT_EXISTS');
        assert.ok(!duplicate.text.includes('dave'), 'the address is not echoed');

        const injected = `${MARKER}'; DROP TABLE apojwt_users; --`;
        const malformed = await post('/auth/register', { email: injected, password: PASSWORD });
        assert.equal(malformed.status, 400);
        assert.equal(malformed.json['error'], 'ERR_EMAIL_INVALID');
        const login = await post('/auth/login', { username: `dave@example.com' OR '1'='1`, password: `${MARKER}' OR '1'='1` });
        assert.equal(login.status, 401);
        assert.equal(login.json['error'], 'ERR_CREDENTIALS_INVALID');
        const verify = await post('/auth/verify-email', { token: injected });
        assert.equal(verify.status, 400);
        assert.equal(verify.json['error'], 'ERR_ACCOUNT_TOKEN_INVALID');
        const otp = await post('/auth/login/otp', { challenge: injected, code: `1' OR '1'='1` });
        assert.equal(otp.status, 401);
        assert.equal(otp.json['error'], 'ERR_OTP_INVALID');
        const signedIn = await post('/auth/login', { username: 'dave@example.com', password: PASSWORD });
        assert.equal(signedIn.status, 200, signedIn.text);
        const revoke = await request(app.url, `/account/sessions/${encodeURIComponent(injected)}`, { method: 'DELETE', headers: withToken(tokenOf(signedIn)) });
        assert.equal(revoke.status, 204, 'no such session: the same answer as another user’s');
        for (const answer of [malformed, login, verify, otp, revoke]) assert.ok(!answer.text.includes(MARKER) && !answer.text.includes('DROP'));
        const listed = await request(app.url, '/account/sessions', { headers: withToken(tokenOf(signedIn)) });
        assert.equal((listed.json['sessions'] as unknown[]).length, 1, 'the tables are intact');
      });

      test('a wrong OTP is 401 ERR_OTP_INVALID; past the limits 429 with Retry-After', async () => {
        assert.equal((await post('/auth/register', { email: 'erin@example.com', password: PASSWORD })).status, 201);
        const signedIn = await post('/auth/login', { username: 'erin@example.com', password: PASSWORD });
        const enrolled = await request(app.url, '/account/2fa/enrol', { method: 'POST', headers: withToken(tokenOf(signedIn)) });
        const secret = enrolled.json['secret'] as string;
        const wrongConfirm = await post('/account/2fa/confirm', { code: wrongCode(secret, app.clock.ms) }, withToken(tokenOf(signedIn)));
        assert.equal(wrongConfirm.status, 401);
        assert.equal(wrongConfirm.json['error'], 'ERR_OTP_INVALID');
        assert.equal((await post('/account/2fa/confirm', { code: codeAt(secret, app.clock.ms) }, withToken(tokenOf(signedIn)))).status, 200);

        const first = await post('/auth/login', { username: 'erin@example.com', password: PASSWORD });
        const challenge = first.json['challenge'];
        const answers: Answer[] = [];
        for (let i = 0; i < 4; i++) answers.push(await post('/auth/login/otp', { challenge, code: wrongCode(secret, app.clock.ms) }));
        assert.deepEqual(
          answers.map((a) => a.status),
          [401, 401, 401, 429],
        );
        assert.equal(answers[3]?.json['error'], 'ERR_RATE_LIMITED');
        assert.match(String(answers[3]?.headers['retry-after']), /^\d+$/);
        app.clock.ms += 30_000;
        assert.equal((await post('/auth/login/otp', { challenge, code: codeAt(secret, app.clock.ms) })).status, 429, 'the right code too, while locked');

        const resets = [];
        for (let i = 0; i < 3; i++) resets.push(await post('/auth/reset-request', { email: 'erin@example.com' }));
        assert.deepEqual(
          resets.map((a) => a.status),
          [202, 202, 429],
        );
        assert.equal(resets[2]?.json['error'], 'ERR_RATE_LIMITED');
        assert.deepEqual(app.appErrors, []);
      });
    });
  }

  describe(`accountRoutes over ${engine.name}: behind a body parser, and failures that are not the client's`, () => {
    for (const framework of FRAMEWORKS) {
      test(`${framework.name}: with express.json() in front, req.body is the body`, async () => {
        const app = await serve(engine, framework, { parser: true });
        try {
          const registered = await request(app.url, '/auth/register', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ email: 'frank@example.com', password: PASSWORD }),
          });
          assert.equal(registered.status, 201, registered.text);
          const login = await request(app.url, '/auth/login', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ username: 'frank@example.com', password: PASSWORD }),
          });
          assert.equal(login.status, 200, login.text);
        } finally {
          await app.close();
        }
      });

      test(`${framework.name}: a failing user lookup reaches the app's error handler through next(err)`, async () => {
        const app = await serve(engine, framework, { failingLookup: true });
        try {
          const answer = await request(app.url, '/auth/login', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ username: 'gina@example.com', password: PASSWORD }),
          });
          assert.equal(answer.status, 500);
          assert.equal(answer.json['handledBy'], 'app');
          assert.equal(app.appErrors.length, 1);
          assert.equal((app.appErrors[0] as Error).message, 'user lookup down');
        } finally {
          await app.close();
        }
      });
    }
  });
}
