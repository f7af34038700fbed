import { fail, failures, member, note, refreshCookie, step, tokenHeader } from './client.js';
import { betweenServices } from './between-services.js';
import { startEmbedded } from './deploy/embedded.js';
import { startSeparate } from './deploy/separate.js';
import type { Deployment } from './deploy/deployment.js';
import { accountSteps } from './accounts/steps.js';

/**
 * The scripted walkthrough. Starts an auth service (Express, ES256 keys,
 * JWKS) and four services that verify through the JWKS, each checking
 * permissions with decorators: orders (Express), billing (Koa), catalog
 * (Fastify) and shipping (NestJS); orders calls billing on behalf of the
 * user, and a batch job calls orders with a service token
 * (between-services.ts). Then plays a client against them, printing
 * every request and answer, and exits non-zero if any answer is not the
 * expected one.
 *
 * Default: the five services in this process, memory stores. With REDIS_URL:
 * five child processes sharing revocations and rotation through Redis. The
 * accounts steps (accounts/steps.ts) run last: accounts on PGlite, or on the
 * DATABASE_URL server.
 */
const redisUrl = process.env['REDIS_URL'];
let deployment: Deployment;
try {
  deployment = redisUrl ? await startSeparate(redisUrl) : await startEmbedded();
} catch (error) {
  console.error(`✗ the services did not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
const { auth, orders, billing, catalog, shipping } = deployment.urls;
console.log(`apojwt microservices demo — ${deployment.description}`);
console.log(`  auth     ${auth}   (Express: login, refresh, logout, /auth/token for services, /.well-known/jwks.json)`);
console.log(`  orders   ${orders}   (Express: verifies through the JWKS; calls billing for the user with an exchanged token)`);
console.log(`  billing  ${billing}   (Koa: verifies through the JWKS; an order's invoice only for orders acting for the user)`);
console.log(`  catalog  ${catalog}   (Fastify: verifies through the JWKS)`);
console.log(`  shipping ${shipping}   (NestJS: verifies through the JWKS)`);
console.log(`  accounts ${auth}/accounts   (on the auth service: ${deployment.accounts})`);

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const json = { 'content-type': 'application/json' };
const kidOf = (token: string) => tokenHeader(token).kid;
/** The permissions an access token carries (the demo reads its own token; a service would verify it). */
const permsOf = (token: string): string[] => {
  const perms = member(JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as unknown, 'perms');
  return Array.isArray(perms) ? perms.map(String) : [];
};
const listOf = (body: unknown, name: string): unknown[] => {
  const value = member(body, name);
  return Array.isArray(value) ? value : [];
};
const kids = (body: unknown): string[] => listOf(body, 'keys').map((key) => String(member(key, 'kid')));
/** The verifiers answer with the token's subject: it came from the verified token, not from the request. */
const userIs = (sub: string) => (body: unknown) => (member(body, 'user') === sub ? undefined : `expected user ${sub}`);
const countIs = (list: string, count: number) => (body: unknown) => (listOf(body, list).length === count ? undefined : `expected ${count} ${list}`);

async function login(title: string, username: string, password: string) {
  const answer = await step(title, `${auth}/auth/login`, { method: 'POST', headers: json, body: JSON.stringify({ username, password }) }, { status: 200 });
  return { accessToken: String(member(answer.body, 'accessToken')), cookie: refreshCookie(answer) };
}

async function script(d: Deployment): Promise<void> {
  const jwks = await step(
    'The auth service publishes its public key (ES256) as a JWK Set',
    `${auth}/.well-known/jwks.json`,
    {},
    {
      status: 200,
      check: (body) => (kids(body).length === 1 ? undefined : 'expected one key'),
    },
  );
  const firstKid = kids(jwks.body)[0] ?? '';

  await step(
    'Log in with a wrong password → 401 (same answer as an unknown user)',
    `${auth}/auth/login`,
    {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ username: 'alice', password: 'guess' }),
    },
    { status: 401, error: 'ERR_CREDENTIALS_INVALID' },
  );

  const alice = await login('Log in as alice (bcrypt-checked): access token in the body, refresh token in an httpOnly cookie', 'alice', 'alice-demo-password');
  // alice holds the role "customer"; the auth service expanded it into the token's perms when it issued the token.
  const granted = permsOf(alice.accessToken);
  const expected = ['billing:read', 'catalog:read', 'orders:read', 'shipping:read'];
  if (JSON.stringify([...granted].sort()) !== JSON.stringify(expected)) fail(`the customer role should expand to ${expected.join(', ')}; the token holds ${granted.join(', ')}`);
  note(`  ✓ role "customer" expanded at issue time into perms: ${granted.join(', ')}`);

  await step('Allowed on orders (Express, @permissionRequired("orders:read")); orders fetches the JWKS once', `${orders}/orders`, { headers: bearer(alice.accessToken) }, { status: 200 });
  await step('A public route (apo.publicRoute()): no token needed', `${orders}/health`, {}, { status: 200 });
  await step("Alice's own order (a rule: allOf('orders:read', own-order))", `${orders}/orders/1`, { headers: bearer(alice.accessToken) }, { status: 200 });
  await step("Bob's order → 403 insufficient_scope: the rule denies", `${orders}/orders/2`, { headers: bearer(alice.accessToken) }, { status: 403, error: 'ERR_PERMISSION_DENIED' });
  await step('Allowed on billing (Koa, @permissionRequired({ any: ["billing:read", "billing:admin"] }))', `${billing}/invoices`, { headers: bearer(alice.accessToken) }, { status: 200 });
  await step(
    'Allowed on catalog (Fastify, class handler with @permissionRequired("catalog:read"))',
    `${catalog}/products`,
    { headers: bearer(alice.accessToken) },
    { status: 200, check: userIs('alice') },
  );
  await step(
    'Allowed on shipping (NestJS, @PermissionRequired("shipping:read") read by the global guard, @TokenSubject() user)',
    `${shipping}/shipments`,
    { headers: bearer(alice.accessToken) },
    { status: 200, check: userIs('alice') },
  );
  await step(
    'Forbidden: create an order without orders:write → 403 insufficient_scope',
    `${orders}/orders`,
    {
      method: 'POST',
      headers: { ...bearer(alice.accessToken), ...json },
      body: JSON.stringify({ item: 'tea' }),
    },
    { status: 403, error: 'ERR_PERMISSION_DENIED' },
  );
  await step(
    'Forbidden on catalog: add a product without catalog:write → 403 from the decorator, before the method',
    `${catalog}/products`,
    {
      method: 'POST',
      headers: { ...bearer(alice.accessToken), ...json },
      body: JSON.stringify({ name: 'black tea' }),
    },
    { status: 403, error: 'ERR_PERMISSION_DENIED', challenge: 'scope="catalog:write"' },
  );
  await step(
    'Forbidden on shipping: create a shipment without shipping:write → 403 from the global guard, before the handler',
    `${shipping}/shipments`,
    {
      method: 'POST',
      headers: { ...bearer(alice.accessToken), ...json },
      body: JSON.stringify({ order: 1 }),
    },
    { status: 403, error: 'ERR_PERMISSION_DENIED', challenge: 'scope="shipping:write"' },
  );
  await step('Nothing was added to the catalog: the refused method never ran', `${catalog}/products`, { headers: bearer(alice.accessToken) }, { status: 200, check: countIs('products', 1) });
  await step('… nor to shipping', `${shipping}/shipments`, { headers: bearer(alice.accessToken) }, { status: 200, check: countIs('shipments', 1) });
  await step('No token → 401 with a bare Bearer challenge', `${billing}/invoices`, {}, { status: 401 });
  await step(
    'Another scheme (Basic) is no Bearer credential → 401 with a bare Bearer challenge',
    `${orders}/orders`,
    { headers: { authorization: 'Basic YWxpY2U6cHc=' } },
    { status: 401, error: 'ERR_TOKEN_MISSING' },
  );
  await step('Malformed Bearer header → 400 invalid_request', `${orders}/orders`, { headers: { authorization: 'Bearer two tokens' } }, { status: 400, error: 'ERR_REQUEST_MALFORMED' });

  await betweenServices(d.urls, alice.accessToken);

  const rotated = await step(
    'Refresh: the cookie is rotated — a new access token and a new refresh cookie',
    `${auth}/auth/refresh`,
    {
      method: 'POST',
      headers: { cookie: alice.cookie },
    },
    { status: 200 },
  );
  const rotatedCookie = refreshCookie(rotated);
  await step('The new access token works on billing', `${billing}/invoices`, { headers: bearer(String(member(rotated.body, 'accessToken'))) }, { status: 200 });

  await d.advanceClock(3_000);
  note('⏩ Every service clock moves 3 s forward: past the 2 s grace period for a client racing itself.');
  await step(
    'Reuse of the OLD refresh cookie → theft detected, the whole family is revoked',
    `${auth}/auth/refresh`,
    {
      method: 'POST',
      headers: { cookie: alice.cookie },
    },
    { status: 401, error: 'ERR_REFRESH_REUSED' },
  );
  await step('The rotated cookie (same family) is dead too', `${auth}/auth/refresh`, { method: 'POST', headers: { cookie: rotatedCookie } }, { status: 401, error: 'ERR_TOKEN_REVOKED' });

  const session = await login('Log in again (a new family)', 'alice', 'alice-demo-password');
  await step(
    'Log out: revokes the refresh family and the access token, clears the cookie',
    `${auth}/auth/logout`,
    {
      method: 'POST',
      headers: { cookie: session.cookie, ...bearer(session.accessToken) },
    },
    { status: 204 },
  );
  await d.settle();
  if (redisUrl) note('(separate processes: the revocation reaches the four verifiers through Redis pub/sub, in milliseconds; the demo lets each process read its pending messages first)');
  await step('Orders sees the logout: the access token is revoked', `${orders}/orders`, { headers: bearer(session.accessToken) }, { status: 401, error: 'ERR_TOKEN_REVOKED' });
  await step('Billing sees it too (shared revocation)', `${billing}/invoices`, { headers: bearer(session.accessToken) }, { status: 401, error: 'ERR_TOKEN_REVOKED' });
  await step('Catalog sees it too', `${catalog}/products`, { headers: bearer(session.accessToken) }, { status: 401, error: 'ERR_TOKEN_REVOKED' });
  await step('Shipping sees it too', `${shipping}/shipments`, { headers: bearer(session.accessToken) }, { status: 401, error: 'ERR_TOKEN_REVOKED' });
  await step('The logged-out refresh cookie is refused', `${auth}/auth/refresh`, { method: 'POST', headers: { cookie: session.cookie } }, { status: 401, error: 'ERR_TOKEN_REVOKED' });

  const before = await login(`Log in before the key rotation (signed by ${firstKid})`, 'alice', 'alice-demo-password');
  const newKid = await d.rotateKey();
  note(`🔑 The auth service rotates its signing key: ${newKid} signs from now on, ${firstKid} still verifies.`);
  await step(
    'The JWK Set lists both keys',
    `${auth}/.well-known/jwks.json`,
    {},
    {
      status: 200,
      check: (body) => (kids(body).includes(firstKid) && kids(body).includes(newKid) ? undefined : 'expected both kids'),
    },
  );
  await step(`A token signed by the old key (${firstKid}) survives on orders`, `${orders}/orders`, { headers: bearer(before.accessToken) }, { status: 200 });
  await step('… and on billing', `${billing}/invoices`, { headers: bearer(before.accessToken) }, { status: 200 });
  await step('… and on catalog', `${catalog}/products`, { headers: bearer(before.accessToken) }, { status: 200 });
  await step('… and on shipping', `${shipping}/shipments`, { headers: bearer(before.accessToken) }, { status: 200 });

  await d.advanceClock(30_000);
  note('⏩ Clocks move 30 s: the verifiers may refetch the JWKS again (an unknown kid triggers at most one fetch per 30 s).');
  const after = await login('Log in after the rotation', 'alice', 'alice-demo-password');
  if (kidOf(after.accessToken) !== newKid) fail(`expected the new token to carry kid ${newKid}`);
  await step(`Orders meets the new kid (${newKid}), refetches the JWKS, accepts the token`, `${orders}/orders`, { headers: bearer(after.accessToken) }, { status: 200 });
  await step('Billing too', `${billing}/invoices`, { headers: bearer(after.accessToken) }, { status: 200 });
  await step('Catalog too', `${catalog}/products`, { headers: bearer(after.accessToken) }, { status: 200 });
  await step('Shipping too', `${shipping}/shipments`, { headers: bearer(after.accessToken) }, { status: 200 });

  await d.advanceClock(16 * 60_000);
  note(`⏩ Clocks move 16 minutes: access tokens (15 min) signed by ${firstKid} have all expired.`);
  await step('An expired token → 401 invalid_token', `${orders}/orders`, { headers: bearer(before.accessToken) }, { status: 401, error: 'ERR_TOKEN_EXPIRED' });
  await step('Catalog refuses the expired token too', `${catalog}/products`, { headers: bearer(before.accessToken) }, { status: 401, error: 'ERR_TOKEN_EXPIRED' });
  await step('Shipping refuses it too', `${shipping}/shipments`, { headers: bearer(before.accessToken) }, { status: 401, error: 'ERR_TOKEN_EXPIRED' });
  const left = await d.retireKey(firstKid);
  note(`🗑  The auth service retires ${firstKid}; keys left: ${left.join(', ')}.`);
  await step(
    'The JWK Set now lists only the new key',
    `${auth}/.well-known/jwks.json`,
    {},
    {
      status: 200,
      check: (body) => (kids(body).join() === newKid ? undefined : `expected only ${newKid}`),
    },
  );
}

let crashed = false;
try {
  await script(deployment);
  await accountSteps(deployment);
} catch (error) {
  crashed = true;
  console.error('\n✗ the demo stopped:', error);
} finally {
  await deployment.close();
}

const ok = !crashed && failures === 0;
console.log(ok ? '\n✔ every answer was the expected one' : `\n✗ ${failures} unexpected answer(s)`);
process.exitCode = ok ? 0 : 1;
