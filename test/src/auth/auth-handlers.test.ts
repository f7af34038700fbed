import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApoJwt, ApoJwtConfigError, ApoJwtError, refreshCookie, type AuthResponse } from '@apojwt/core';
import { createAuthHandlers, hashPassword, type AuthHandlers, passwordLogin } from '@apojwt/auth';

const cost = 4;
const aliceHash = hashPassword('alice-pw', { cost });

async function setup(options: { refresh?: boolean; limiter?: false | { perAccount: { attempts: number; windowSeconds: number; lockoutSeconds: number } } } = {}) {
  let now = 1_800_000_000_000;
  const user = { sub: 'u-alice', passwordHash: await aliceHash, permissions: ['orders:read'] };
  const apo = new ApoJwt({ secret: 's'.repeat(32), iss: 'auth', serverAudience: 'api', expPeriod: 600, now: () => now });
  if (options.refresh !== false) apo.configRefresh({ refreshSecret: 'r'.repeat(32), refreshExpPeriod: 3600 });
  apo.configLogin(passwordLogin({ getUser: (n) => (n === 'alice' ? user : undefined), cost, limiter: options.limiter ?? false }));
  const handlers = createAuthHandlers({ apo, issue: (claims) => ({ sub: claims.sub, permissions: ['orders:read'] }) });
  return {
    apo,
    handlers,
    advance: (seconds: number) => {
      now += seconds * 1000;
    },
  };
}

const cookieValue = (setCookie: string) => setCookie.slice(setCookie.indexOf('=') + 1, setCookie.indexOf(';'));
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const errorBody = (response: AuthResponse) => response.body as { error: string; message: string };

test('login answers 200 with the access token and puts the refresh token in a locked-down cookie', async () => {
  const { apo, handlers } = await setup();
  const response = await handlers.login({ body: { username: 'alice', password: 'alice-pw' }, ip: '127.0.0.1' });
  assert.equal(response.status, 200);
  assert.equal(response.headers['Cache-Control'], 'no-store');
  const body = response.body as { accessToken: string; tokenType: string; expiresIn: number };
  assert.equal(body.tokenType, 'Bearer');
  assert.equal(body.expiresIn, 600);
  assert.equal((await apo.verify(body.accessToken)).sub, 'u-alice');
  assert.deepEqual(Object.keys(body).sort(), ['accessToken', 'expiresIn', 'tokenType'], 'no refresh token in the body');
  assert.equal(response.cookies.length, 1);
  const cookie = response.cookies[0]!;
  assert.match(cookie, /^apojwt_refresh=[\w-]+\.[\w-]+\.[\w-]+; /);
  const attributes = cookie.split('; ').slice(1);
  assert.deepEqual(attributes, ['Max-Age=3600', 'Path=/auth', 'HttpOnly', 'Secure', 'SameSite=Strict']);
  assert.equal((await apo.verifyRefresh(cookieValue(cookie))).sub, 'u-alice');
});

test('login without refresh configured sets no cookie', async () => {
  const { handlers } = await setup({ refresh: false });
  const response = await handlers.login({ body: { username: 'alice', password: 'alice-pw' } });
  assert.equal(response.status, 200);
  assert.deepEqual(response.cookies, []);
});

test('a malformed login body is a 400 with a clear message', async () => {
  const { handlers } = await setup();
  for (const body of [undefined, null, 'not json', '[1]', [], { username: 'alice' }, { username: 1, password: 'x' }, { user: 'alice', pass: 'alice-pw' }]) {
    const response = await handlers.login({ body });
    assert.equal(response.status, 400, JSON.stringify(body));
    assert.equal(errorBody(response).error, 'ERR_BODY_INVALID');
    assert.match(errorBody(response).message, /username.*password/);
    assert.deepEqual(response.cookies, []);
  }
  const fromString = await handlers.login({ body: JSON.stringify({ username: 'alice', password: 'alice-pw' }) });
  assert.equal(fromString.status, 200);
});

test('wrong credentials are a 401 with a Bearer challenge; a lockout is a 429 with Retry-After', async () => {
  const { handlers } = await setup({ limiter: { perAccount: { attempts: 2, windowSeconds: 60, lockoutSeconds: 30 } } });
  for (let i = 0; i < 2; i++) {
    const wrong = await handlers.login({ body: { username: 'alice', password: 'nope' } });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.headers['WWW-Authenticate'], 'Bearer');
    assert.equal(errorBody(wrong).error, 'ERR_CREDENTIALS_INVALID');
    assert.doesNotMatch(JSON.stringify(wrong.body), /alice|nope/);
  }
  const locked = await handlers.login({ body: { username: 'alice', password: 'alice-pw' } });
  assert.equal(locked.status, 429);
  assert.equal(errorBody(locked).error, 'ERR_RATE_LIMITED');
  assert.ok(Number(locked.headers['Retry-After']) >= 1 && Number(locked.headers['Retry-After']) <= 30);
});

test('an error that is not ApoJwtError (the user lookup failing) is thrown for the framework 500', async () => {
  const apo = new ApoJwt({ secret: 's'.repeat(32), iss: 'auth', serverAudience: 'api' });
  const failure = new Error('db down');
  apo.configLogin(
    passwordLogin({
      getUser: () => {
        throw failure;
      },
      cost,
      limiter: false,
    }),
  );
  const handlers = createAuthHandlers({ apo });
  await assert.rejects(handlers.login({ body: { username: 'a', password: 'b' } }), (e: unknown) => e === failure);
});

test('refresh rotates: a new access token and a new cookie; the old cookie replayed revokes the family', async () => {
  const { apo, handlers, advance } = await setup();
  const first = await handlers.login({ body: { username: 'alice', password: 'alice-pw' } });
  const oldCookie = cookieValue(first.cookies[0]!);
  advance(10);
  const rotated = await handlers.refresh({ cookieHeader: `theme=dark; apojwt_refresh=${oldCookie}; other=1` });
  assert.equal(rotated.status, 200);
  const claims = await apo.verify((rotated.body as { accessToken: string }).accessToken);
  assert.deepEqual(claims.perms, ['orders:read']);
  const newCookie = cookieValue(rotated.cookies[0]!);
  assert.notEqual(newCookie, oldCookie);
  assert.match(rotated.cookies[0]!, /HttpOnly; Secure; SameSite=Strict$/);
  advance(10);
  const replay = await handlers.refresh({ cookieHeader: `apojwt_refresh=${oldCookie}` });
  assert.equal(replay.status, 401);
  assert.equal(errorBody(replay).error, 'ERR_REFRESH_REUSED');
  assert.match(replay.cookies[0]!, /^apojwt_refresh=; Max-Age=0; /);
  const afterTheft = await handlers.refresh({ cookieHeader: `apojwt_refresh=${newCookie}` });
  assert.equal(afterTheft.status, 401);
  assert.equal(errorBody(afterTheft).error, 'ERR_TOKEN_REVOKED');
});

test('a refresh token already extracted by the binding is used as is', async () => {
  const { handlers } = await setup();
  const login = await handlers.login({ body: { username: 'alice', password: 'alice-pw' } });
  const token = cookieValue(login.cookies[0]!);
  const rotated = await handlers.refresh({ refreshToken: token, cookieHeader: 'apojwt_refresh=ignored.when.given' });
  assert.equal(rotated.status, 200);
  const out = await handlers.logout({ refreshToken: cookieValue(rotated.cookies[0]!) });
  assert.equal(out.status, 204);
  const after = await handlers.refresh({ refreshToken: cookieValue(rotated.cookies[0]!) });
  assert.equal(after.status, 401);
  assert.equal(errorBody(after).error, 'ERR_TOKEN_REVOKED');
});

test('refresh without the cookie is a 401 ERR_TOKEN_MISSING and sets nothing', async () => {
  const { handlers } = await setup();
  for (const cookieHeader of [undefined, '', 'other=1', 'apojwt_refresh=']) {
    const response = await handlers.refresh({ ...(cookieHeader !== undefined && { cookieHeader }) });
    assert.equal(response.status, 401);
    assert.equal(errorBody(response).error, 'ERR_TOKEN_MISSING');
    assert.deepEqual(response.cookies, []);
  }
});

test('logout revokes the refresh family and the access token, clears the cookie and answers 204', async () => {
  const { apo, handlers } = await setup();
  const login = await handlers.login({ body: { username: 'alice', password: 'alice-pw' } });
  const refresh = cookieValue(login.cookies[0]!);
  const access = (login.body as { accessToken: string }).accessToken;
  const out = await handlers.logout({ cookieHeader: `apojwt_refresh=${refresh}`, accessToken: access });
  assert.equal(out.status, 204);
  assert.equal(out.body, undefined);
  assert.deepEqual(out.cookies, ['apojwt_refresh=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/auth; HttpOnly; Secure; SameSite=Strict']);
  await assert.rejects(apo.verify(access), (e: unknown) => e instanceof ApoJwtError && e.code === 'ERR_TOKEN_REVOKED' && e.status === 401);
  const again = await handlers.refresh({ cookieHeader: `apojwt_refresh=${refresh}` });
  assert.equal(again.status, 401);
  assert.equal(errorBody(again).error, 'ERR_TOKEN_REVOKED');
});

test('logout of a token without jti (pythonCompat) revokes its subject: never a 204 that leaves the token valid', async () => {
  let now = 1_800_000_000_000;
  const secret = 's'.repeat(32);
  const apo = new ApoJwt({ secret, iss: 'auth', serverAudience: 'api', pythonCompat: true, now: () => now });
  const handlers = createAuthHandlers({ apo });
  // What Python apojwt (PyJWT) mints: typ JWT, no jti, signed here with node:crypto.
  const nowS = now / 1000;
  const python = (sub: string) => {
    const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ exp: nowS + 900, sub, nbf: nowS, iss: 'auth', aud: ['api'], iat: nowS, data: {}, perms: [] })}`;
    return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
  };
  const token = python('py-user');
  const bystander = python('someone-else');
  assert.equal((await apo.verify(token)).jti, undefined);
  const out = await handlers.logout({ accessToken: token });
  assert.equal(out.status, 204);
  await assert.rejects(apo.verify(token), (e: unknown) => e instanceof ApoJwtError && e.code === 'ERR_TOKEN_REVOKED' && e.status === 401);
  assert.equal((await apo.verify(bystander)).sub, 'someone-else');
  now += 1000; // a new login one second later works
  const fresh = apo.createToken({ sub: 'py-user' });
  assert.equal((await apo.verify(fresh)).sub, 'py-user');
});

test('logout with no cookie or a worthless one still clears and answers 204', async () => {
  const { handlers } = await setup();
  for (const cookieHeader of [undefined, 'apojwt_refresh=garbage', 'apojwt_refresh=a.b.c']) {
    const out = await handlers.logout({ ...(cookieHeader !== undefined && { cookieHeader }) });
    assert.equal(out.status, 204);
    assert.match(out.cookies[0]!, /Max-Age=0/);
  }
});

test('cookie options are validated; sameSite None needs secure', () => {
  const bad = [{ name: 'a b' }, { path: 'auth' }, { path: '/a;b' }, { sameSite: 'Loose' }, { sameSite: 'None', secure: false }, { secure: 'yes' }, { domain: 'a;b' }];
  for (const cookie of bad)
    assert.throws(
      () => refreshCookie(cookie as never),
      (e: unknown) => e instanceof ApoJwtConfigError,
    );
  const custom = refreshCookie({ name: 'rt', path: '/api/auth', domain: 'example.com', secure: false, sameSite: 'Lax' });
  assert.equal(custom.set('a.b.c', 60), 'rt=a.b.c; Max-Age=60; Path=/api/auth; Domain=example.com; HttpOnly; SameSite=Lax');
  assert.equal(custom.read('x=1; rt=a.b.c'), 'a.b.c');
  assert.throws(
    () => createAuthHandlers({} as never),
    (e: unknown) => e instanceof ApoJwtConfigError,
  );
});

/** The whole binding a framework needs: read body, IP and Cookie, copy the answer. */
function serve(handlers: AuthHandlers) {
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const request = { body: raw, ip: req.socket.remoteAddress ?? '', cookieHeader: req.headers.cookie ?? '' };
    const route = { '/auth/login': handlers.login, '/auth/refresh': handlers.refresh, '/auth/logout': handlers.logout }[req.url ?? ''];
    const answer = route ? await route(request) : { status: 404, headers: {}, cookies: [], body: undefined };
    res.statusCode = answer.status;
    for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
    if (answer.cookies.length > 0) res.setHeader('Set-Cookie', answer.cookies);
    if (answer.body === undefined) res.end();
    else res.setHeader('Content-Type', 'application/json').end(JSON.stringify(answer.body));
  });
  return new Promise<{ url: string; close: () => Promise<void> }>((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}

test('over real HTTP: login, refresh with the cookie, logout', async () => {
  const { handlers } = await setup();
  const server = await serve(handlers);
  try {
    const login = await fetch(`${server.url}/auth/login`, { method: 'POST', body: JSON.stringify({ username: 'alice', password: 'alice-pw' }) });
    assert.equal(login.status, 200);
    assert.equal(login.headers.get('cache-control'), 'no-store');
    const setCookie = login.headers.getSetCookie();
    assert.equal(setCookie.length, 1);
    assert.match(setCookie[0]!, /; HttpOnly; Secure; SameSite=Strict$/);
    const cookie = setCookie[0]!.split(';')[0]!;
    const refreshed = await fetch(`${server.url}/auth/refresh`, { method: 'POST', headers: { cookie } });
    assert.equal(refreshed.status, 200);
    assert.ok(((await refreshed.json()) as { accessToken: string }).accessToken);
    const bad = await fetch(`${server.url}/auth/login`, { method: 'POST', body: '{"username":' });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: string }).error, 'ERR_BODY_INVALID');
    const out = await fetch(`${server.url}/auth/logout`, { method: 'POST', headers: { cookie: refreshed.headers.getSetCookie()[0]!.split(';')[0]! } });
    assert.equal(out.status, 204);
    assert.match(out.headers.getSetCookie()[0]!, /^apojwt_refresh=; Max-Age=0/);
  } finally {
    await server.close();
  }
});
