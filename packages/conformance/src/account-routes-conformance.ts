import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { OutgoingHttpHeaders } from 'node:http';
import { Secret, TOTP } from 'otpauth';
import type { AccountMail } from '@apojwt/postgres';
import { ACCOUNT_ROUTES_BODY_LIMIT, WRONG_CODES_ALLOWED, accountWorld, type AccountDatabase, type AccountRoutesUnderTest, type AccountWorld } from './account-routes-app.js';
import type { Running } from './framework.js';
import { bearer, request, type Answer } from './http.js';

const PASSWORD = 'correct horse battery staple';
/** SQL metacharacters, in every field they can reach. */
const SQL = `x' OR '1'='1'; DROP TABLE apojwt_users; --%_$1\\`;

const json = (body: unknown): OutgoingHttpHeaders => ({ 'content-type': 'application/json', 'content-length': Buffer.byteLength(JSON.stringify(body)) });
const codeOf = (secret: string, ms: number) => new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({ timestamp: ms });
const cookiesOf = (answer: Answer) => answer.headers['set-cookie'] ?? [];

/** None of these strings anywhere in the answer, headers included. */
function echoesNothing(answer: Answer, ...inputs: string[]): void {
  for (const input of inputs) assert.ok(!(answer.text + answer.rawHeaders).includes(input), `the answer (${answer.status}) repeats part of the input`);
}

function refused(answer: Answer, status: number, code: string): void {
  assert.equal(answer.status, status, answer.text);
  assert.equal(answer.json['error'], code, answer.text);
  assert.equal(typeof answer.json['message'], 'string');
}

/**
 * The ready-made account routes (`listAccountRoutes`) as every adapter must
 * serve them, over real HTTP: one scenario, run per framework and per
 * database. The adapter only translates, so every answer here is the route
 * table's; what differs between adapters is only how a request reaches it.
 */
export function runAccountRoutesConformance(adapter: AccountRoutesUnderTest, databases: readonly AccountDatabase[]): void {
  for (const database of databases) {
    describe(`account routes on ${adapter.name} over ${database.name}`, () => {
      let close: () => Promise<void>;
      let world: AccountWorld;
      let server: Running;

      before(async () => {
        const fresh = await database.fresh();
        world = accountWorld(fresh.db);
        server = await adapter.serve(world.endpoints, { bodyLimit: ACCOUNT_ROUTES_BODY_LIMIT });
        close = async () => {
          await server.close();
          await fresh.close();
        };
      });
      after(() => close());

      const call = (method: string, path: string, body?: unknown, headers: OutgoingHttpHeaders = {}) =>
        request(server.url, path, { method, headers: body === undefined ? headers : { ...json(body), ...headers }, ...(body !== undefined && { body: JSON.stringify(body) }) });
      const post = (path: string, body?: unknown, headers?: OutgoingHttpHeaders) => call('POST', path, body, headers);
      const raw = (method: string, path: string, body: string, headers: OutgoingHttpHeaders = { 'content-type': 'application/json' }) => request(server.url, path, { method, headers, body });
      const lastMail = (): AccountMail => world.mails.at(-1) as AccountMail;
      const signIn = async (email: string, password = PASSWORD, userAgent = 'conformance/1'): Promise<string> => {
        const answer = await post('/auth/login', { username: email, password }, { 'user-agent': userAgent });
        assert.equal(answer.status, 200, answer.text);
        return answer.json['accessToken'] as string;
      };
      const registered = async (email: string): Promise<string> => {
        const answer = await post('/auth/register', { email, password: PASSWORD });
        assert.equal(answer.status, 201, answer.text);
        return answer.json['id'] as string;
      };

      test('register → verify → login → 2FA enrol/confirm → two-step login → sessions → revoke one → log out everywhere → old tokens refused', async () => {
        const signedUp = await post('/auth/register', { email: 'Alice@Example.com', username: 'Alice', password: PASSWORD });
        assert.equal(signedUp.status, 201, signedUp.text);
        assert.equal(signedUp.json['email'], 'alice@example.com');
        echoesNothing(signedUp, PASSWORD);
        refused(await post('/auth/register', { email: 'ALICE@example.com', password: PASSWORD }), 409, 'ERR_ACCOUNT_EXISTS');

        await world.flows.requestVerification(signedUp.json['id'] as string);
        const verified = await post('/auth/verify-email', { token: lastMail().token });
        assert.equal(verified.status, 204, verified.text);
        assert.equal((await world.users.findById(signedUp.json['id'] as string))?.verified, true);

        // The first login, before 2FA: the tokens at once.
        const laptop = await signIn('alice@example.com', PASSWORD, 'Firefox/140');
        const status = await call('GET', '/account/2fa', undefined, bearer(laptop));
        assert.equal(status.status, 200, status.text);
        assert.deepEqual(status.json, { enabled: false, backupCodesLeft: 0 });

        const enrolled = await post('/account/2fa/enrol', undefined, bearer(laptop));
        assert.equal(enrolled.status, 200, enrolled.text);
        const secret = enrolled.json['secret'] as string;
        assert.match(enrolled.json['uri'] as string, /^otpauth:\/\/totp\//);
        assert.match(enrolled.json['qrSvg'] as string, /^<svg/);
        refused(await post('/account/2fa/confirm', { code: '000000' === codeOf(secret, world.clock.ms) ? '111111' : '000000' }, bearer(laptop)), 401, 'ERR_OTP_INVALID');
        const confirmed = await post('/account/2fa/confirm', { code: codeOf(secret, world.clock.ms) }, bearer(laptop));
        assert.equal(confirmed.status, 200, confirmed.text);
        const backupCodes = confirmed.json['backupCodes'] as string[];
        assert.equal(backupCodes.length, 10);
        refused(await post('/account/2fa/enrol', undefined, bearer(laptop)), 409, 'ERR_TWO_FACTOR_ENABLED');

        // The two-step login: a challenge and no token, then the code of a later time step.
        world.clock.ms += 30_000;
        const first = await post('/auth/login', { username: 'alice', password: PASSWORD }, { 'user-agent': 'Mobile Safari' });
        assert.equal(first.status, 200, first.text);
        assert.equal(first.json['otpRequired'], true);
        assert.equal(first.json['accessToken'], undefined);
        assert.deepEqual(cookiesOf(first), []);
        const challenge = first.json['challenge'] as string;
        refused(await post('/auth/login/otp', { challenge, code: codeOf(secret, world.clock.ms - 300_000) }), 401, 'ERR_OTP_INVALID');
        const second = await post('/auth/login/otp', { challenge, code: codeOf(secret, world.clock.ms) }, { 'user-agent': 'Mobile Safari' });
        assert.equal(second.status, 200, second.text);
        assert.equal(second.json['tokenType'], 'Bearer');
        assert.equal(cookiesOf(second).length, 1, 'the refresh cookie');
        assert.match(cookiesOf(second)[0] as string, /^apojwt_refresh=[^;]+; .*HttpOnly/);
        assert.equal(second.headers['cache-control'], 'no-store');
        const phone = second.json['accessToken'] as string;
        refused(await post('/auth/login/otp', { challenge, code: codeOf(secret, world.clock.ms + 30_000) }), 401, 'ERR_OTP_INVALID');

        const listed = await call('GET', '/account/sessions', undefined, bearer(phone));
        assert.equal(listed.status, 200, listed.text);
        const sessions = listed.json['sessions'] as { id: string; ip: string; userAgent: string }[];
        assert.deepEqual(sessions.map((s) => s.userAgent).sort(), ['Firefox/140', 'Mobile Safari']);
        assert.ok(
          sessions.every((s) => s.ip.includes('127.0.0.1')),
          'the client IP as the framework reports it',
        );

        const laptopSession = sessions.find((s) => s.userAgent === 'Firefox/140') as { id: string };
        const revoked = await call('DELETE', `/account/sessions/${encodeURIComponent(laptopSession.id)}`, undefined, bearer(phone));
        assert.equal(revoked.status, 204, revoked.text);
        assert.equal(revoked.text, '', '204: no body');
        refused(await call('GET', '/account/sessions', undefined, bearer(laptop)), 401, 'ERR_TOKEN_REVOKED');
        const left = await call('GET', '/account/sessions', undefined, bearer(phone));
        assert.deepEqual(
          (left.json['sessions'] as { userAgent: string }[]).map((s) => s.userAgent),
          ['Mobile Safari'],
        );

        // A backup code turns 2FA off.
        assert.equal((await post('/account/2fa/disable', { code: backupCodes[0] }, bearer(phone))).status, 204);
        assert.deepEqual((await call('GET', '/account/2fa', undefined, bearer(phone))).json, { enabled: false, backupCodesLeft: 0 });

        const everywhere = await post('/account/logout-everywhere', undefined, bearer(phone));
        assert.equal(everywhere.status, 204, everywhere.text);
        assert.equal(everywhere.text, '');
        refused(await call('GET', '/account/sessions', undefined, bearer(phone)), 401, 'ERR_TOKEN_REVOKED');
        refused(await call('GET', '/account/2fa', undefined, bearer(phone)), 401, 'ERR_TOKEN_REVOKED');
      });

      test('verify email, reset request (one answer for any address), reset, change password', async () => {
        const id = await registered('bob@example.com');
        await world.flows.requestVerification(id);
        const verify = lastMail();
        assert.equal(verify.purpose, 'verify-email');
        assert.equal((await post('/auth/verify-email', { token: verify.token })).status, 204);
        refused(await post('/auth/verify-email', { token: verify.token }), 400, 'ERR_ACCOUNT_TOKEN_INVALID');

        const known = await post('/auth/reset-request', { email: 'bob@example.com' });
        const unknown = await post('/auth/reset-request', { email: 'nobody@example.com' });
        assert.equal(known.status, 202);
        assert.equal(known.text, unknown.text, 'the same body for an address without an account');
        await new Promise((resolve) => setImmediate(resolve));
        const reset = lastMail();
        assert.deepEqual([reset.purpose, reset.to], ['reset-password', 'bob@example.com']);
        refused(await post('/auth/reset', { token: reset.token, password: 'short' }), 400, 'ERR_PASSWORD_INVALID');
        assert.equal((await post('/auth/reset', { token: reset.token, password: 'reset passphrase 1' })).status, 204);
        refused(await post('/auth/reset', { token: reset.token, password: 'reset passphrase 2' }), 400, 'ERR_ACCOUNT_TOKEN_INVALID');

        world.clock.ms += 1_000; // tokens of the reset's second count as revoked
        const token = await signIn('bob@example.com', 'reset passphrase 1');
        const wrong = await post('/account/password', { currentPassword: 'not it', newPassword: 'changed passphrase' }, bearer(token));
        refused(wrong, 401, 'ERR_CREDENTIALS_INVALID');
        echoesNothing(wrong, 'not it', 'changed passphrase');
        assert.equal((await post('/account/password', { currentPassword: 'reset passphrase 1', newPassword: 'changed passphrase' }, bearer(token))).status, 204);
        refused(await call('GET', '/account/sessions', undefined, bearer(token)), 401, 'ERR_TOKEN_REVOKED');
        world.clock.ms += 1_000;
        await signIn('bob@example.com', 'changed passphrase');
      });

      test('every route that needs a token: 401 without one, 401 for a forged one, 400 for two Authorization headers', async () => {
        const guarded: [string, string, unknown][] = [
          ['GET', '/account/sessions', undefined],
          ['DELETE', '/account/sessions/any', undefined],
          ['POST', '/account/logout-everywhere', undefined],
          ['POST', '/account/password', { currentPassword: PASSWORD, newPassword: 'another passphrase' }],
          ['GET', '/account/2fa', undefined],
          ['POST', '/account/2fa/enrol', undefined],
          ['POST', '/account/2fa/confirm', { code: '123456' }],
          ['POST', '/account/2fa/disable', { code: '123456' }],
        ];
        for (const [method, path, body] of guarded) {
          const missing = await call(method, path, body);
          refused(missing, 401, 'ERR_TOKEN_MISSING');
          assert.match(String(missing.headers['www-authenticate']), /^Bearer/, `${method} ${path}`);
          const forged = await call(method, path, body, bearer(`a.x'OR'1'='1';DROP--.c`));
          assert.equal(forged.status, 401, `${method} ${path}`);
          echoesNothing(forged, "'1'='1'", 'DROP');
          // Spaces: not one token at all.
          const spaced = await call(method, path, body, bearer(SQL));
          refused(spaced, 400, 'ERR_REQUEST_MALFORMED');
          echoesNothing(spaced, "'1'='1'", 'DROP');
          const twice = await call(method, path, body, { Authorization: ['Bearer a.b.c', 'Bearer d.e.f'] });
          refused(twice, 400, 'ERR_REQUEST_MALFORMED');
        }
      });

      test('bodies: malformed JSON 400, not an object 400, an oversized one 413 (declared or streamed), all in the error shape, nothing echoed', async () => {
        const reading = ['/auth/register', '/auth/verify-email', '/auth/reset-request', '/auth/reset', '/auth/login', '/auth/login/otp'];
        for (const path of reading) {
          const malformed = await raw('POST', path, `{"email":"${SQL}","password":"${PASSWORD}"`);
          refused(malformed, 400, 'ERR_BODY_INVALID');
          echoesNothing(malformed, PASSWORD, SQL, 'DROP');
          refused(await raw('POST', path, '[1, 2]'), 400, 'ERR_BODY_INVALID');
          refused(await raw('POST', path, 'null'), 400, 'ERR_BODY_INVALID');
          refused(await raw('POST', path, ''), 400, 'ERR_BODY_INVALID');
          refused(await request(server.url, path, { method: 'POST' }), 400, 'ERR_BODY_INVALID');
          const xml = await raw('POST', path, `<p>${PASSWORD}</p>`, { 'content-type': 'application/xml' });
          refused(xml, 400, 'ERR_BODY_INVALID');
          echoesNothing(xml, PASSWORD);
          const big = JSON.stringify({ email: 'big@example.com', password: PASSWORD, pad: 'x'.repeat(ACCOUNT_ROUTES_BODY_LIMIT) });
          const declared = await raw('POST', path, big);
          refused(declared, 413, 'ERR_BODY_TOO_LARGE');
          echoesNothing(declared, PASSWORD, 'xxxxxxxx');
          const streamed = await raw('POST', path, big, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
          refused(streamed, 413, 'ERR_BODY_TOO_LARGE');
        }
        await registered('carol@example.com');
        const token = await signIn('carol@example.com');
        for (const path of ['/account/password', '/account/2fa/confirm', '/account/2fa/disable']) {
          refused(await raw('POST', path, '{"code":', { 'content-type': 'application/json', ...bearer(token) }), 400, 'ERR_BODY_INVALID');
          refused(
            await raw('POST', path, JSON.stringify({ code: 'x'.repeat(2 * ACCOUNT_ROUTES_BODY_LIMIT) }), { 'content-type': 'application/json', ...bearer(token) }),
            413,
            'ERR_BODY_TOO_LARGE',
          );
        }
        assert.equal((await call('GET', '/account/sessions', undefined, bearer(token))).status, 200, 'the app still answers');
      });

      test('SQL metacharacters in every field: typed refusals, nothing echoed, the tables intact', async () => {
        const email = await post('/auth/register', { email: SQL, password: PASSWORD });
        refused(email, 400, 'ERR_EMAIL_INVALID');
        const username = await post('/auth/register', { email: 'dave@example.com', username: SQL, password: PASSWORD });
        refused(username, 400, 'ERR_USERNAME_INVALID');
        const login = await post('/auth/login', { username: SQL, password: SQL });
        refused(login, 401, 'ERR_CREDENTIALS_INVALID');
        const verify = await post('/auth/verify-email', { token: SQL });
        refused(verify, 400, 'ERR_ACCOUNT_TOKEN_INVALID');
        const reset = await post('/auth/reset', { token: SQL, password: 'a long enough passphrase' });
        refused(reset, 400, 'ERR_ACCOUNT_TOKEN_INVALID');
        const resetRequest = await post('/auth/reset-request', { email: SQL });
        refused(resetRequest, 400, 'ERR_EMAIL_INVALID');
        const otp = await post('/auth/login/otp', { challenge: SQL, code: SQL });
        refused(otp, 401, 'ERR_OTP_INVALID');
        for (const answer of [email, username, login, verify, reset, resetRequest, otp]) echoesNothing(answer, SQL, 'DROP', PASSWORD);

        await registered('dave@example.com');
        const token = await signIn('dave@example.com');
        const revoke = await call('DELETE', `/account/sessions/${encodeURIComponent(SQL)}`, undefined, bearer(token));
        assert.equal(revoke.status, 204, 'no such session of the user: the same answer, nothing told');
        echoesNothing(revoke, SQL, 'DROP');
        const listed = await call('GET', '/account/sessions', undefined, bearer(token));
        assert.equal((listed.json['sessions'] as unknown[]).length, 1, 'the session is still there');
        const confirm = await post('/account/2fa/confirm', { code: SQL }, bearer(token));
        refused(confirm, 401, 'ERR_OTP_INVALID');
        echoesNothing(confirm, SQL);
      });

      test('429 past the limits: reset requests per address, wrong codes at the second login step and at confirm', async () => {
        let answer: Answer | undefined;
        for (let i = 0; i < 10; i++) {
          answer = await post('/auth/reset-request', { email: 'erin@example.com' });
          if (answer.status !== 202) break;
        }
        refused(answer as Answer, 429, 'ERR_RATE_LIMITED');
        assert.match(String(answer?.headers['retry-after']), /^\d+$/);

        const id = await registered('frank@example.com');
        const { secret } = await world.twoFactor.enrol(id, 'frank@example.com');
        await world.twoFactor.confirm(id, codeOf(secret, world.clock.ms));
        world.clock.ms += 30_000;
        const first = await post('/auth/login', { username: 'frank@example.com', password: PASSWORD });
        const challenge = first.json['challenge'] as string;
        const wrong = codeOf(secret, world.clock.ms - 600_000);
        for (let i = 0; i < WRONG_CODES_ALLOWED; i++) refused(await post('/auth/login/otp', { challenge, code: wrong }), 401, 'ERR_OTP_INVALID');
        const limited = await post('/auth/login/otp', { challenge, code: codeOf(secret, world.clock.ms) });
        refused(limited, 429, 'ERR_RATE_LIMITED');
        assert.equal(limited.json['accessToken'], undefined, 'not even the right code passes');

        await registered('grace@example.com');
        const token = await signIn('grace@example.com');
        await post('/account/2fa/enrol', undefined, bearer(token));
        for (let i = 0; i < WRONG_CODES_ALLOWED; i++) refused(await post('/account/2fa/confirm', { code: 'abcdef' }, bearer(token)), 401, 'ERR_OTP_INVALID');
        refused(await post('/account/2fa/confirm', { code: 'abcdef' }, bearer(token)), 429, 'ERR_RATE_LIMITED');
      });

      test('requests the routes do not serve reach the app', async () => {
        for (const [method, path] of [
          ['GET', '/app/elsewhere'],
          ['GET', '/auth/register'],
          ['PUT', '/account/sessions'],
          ['GET', '/account/sessions/a/b'],
          ['POST', '/auth/refresh'],
        ] as const) {
          const answer = await call(method, path);
          assert.equal(answer.status, 404, `${method} ${path}`);
          assert.deepEqual(answer.json, { handledBy: 'app' }, `${method} ${path}`);
        }
      });
    });
  }
}
