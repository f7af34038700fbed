import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startOwnRedis, type OwnRedis } from '../support/redis-server.js';
import { startOwnPostgres } from '../postgres/engines.js';

/**
 * The README's demo, run as users run it: the compiled examples/dist/demo.js
 * in a child process, embedded and on Redis. The demo checks every answer
 * itself and exits non-zero on a wrong one; this test holds it to that and to
 * the steps that matter being there.
 */
const run = promisify(execFile);
const examples = fileURLToPath(new URL('../../../examples/', import.meta.url));
const demo = `${examples}dist/demo.js`;

let own: OwnRedis | undefined;
let redisUrl: string;
let ownPostgres: { stop(): void } | undefined;
let databaseUrl: string;

before(async () => {
  // The examples compile like every package: the test runs what `npm run demo` runs.
  await run('pnpm', ['run', 'build'], { cwd: examples });
  // scripts/test.sh provides REDIS_URL; a direct run gets a server of its own.
  if (process.env['REDIS_URL']) redisUrl = process.env['REDIS_URL'];
  else {
    own = await startOwnRedis();
    redisUrl = own.url;
  }
  // The accounts: PGlite by default; the Redis run uses a PostgreSQL server (the suite's, or one of this file's own).
  if (process.env['DATABASE_URL']) databaseUrl = process.env['DATABASE_URL'];
  else {
    const started = startOwnPostgres();
    ownPostgres = started;
    databaseUrl = started.url;
  }
});

after(async () => {
  await own?.dispose();
  ownPostgres?.stop();
});

async function runDemo(redis: string | undefined, database?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['REDIS_URL'];
  delete env['DATABASE_URL'];
  if (redis !== undefined) env['REDIS_URL'] = redis;
  if (database !== undefined) env['DATABASE_URL'] = database;
  try {
    // A bound for a hung demo, not a speed check: five services (five processes on Redis) on a shared machine.
    const { stdout, stderr } = await run(process.execPath, [demo], { env, cwd: examples, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

const KEY_LINES = [
  '✓ 403 ERR_PERMISSION_DENIED',
  '✓ 401 ERR_REFRESH_REUSED',
  'The rotated cookie (same family) is dead too',
  'Orders sees the logout',
  'Billing sees it too',
  '(access token header: {"alg":"ES256","typ":"at+jwt","kid":"auth-key-2"})',
  'Orders meets the new kid (auth-key-2), refetches the JWKS, accepts the token',
  '✓ 401 ERR_TOKEN_EXPIRED',
  '✔ every answer was the expected one',
];

/**
 * The Fastify (catalog) and Nest (shipping) services take every part the
 * Express and Koa ones take: allowed, refused with 403 (the method not run),
 * the logout seen, the old key's token surviving the rotation, the new kid
 * accepted, the expired token refused. Each step by its title, with the
 * verdict it must end with.
 */
const NEW_SERVICE_STEPS: readonly (readonly [title: string, verdict: string])[] = [
  ['Allowed on catalog (Fastify', '✓ 200'],
  ['Allowed on shipping (NestJS', '✓ 200'],
  ['Forbidden on catalog: add a product without catalog:write → 403', '✓ 403 ERR_PERMISSION_DENIED'],
  ['Forbidden on shipping: create a shipment without shipping:write → 403', '✓ 403 ERR_PERMISSION_DENIED'],
  ['Nothing was added to the catalog: the refused method never ran', '✓ 200'],
  ['… nor to shipping', '✓ 200'],
  ['Catalog sees it too', '✓ 401 ERR_TOKEN_REVOKED'],
  ['Shipping sees it too', '✓ 401 ERR_TOKEN_REVOKED'],
  ['… and on catalog', '✓ 200'],
  ['… and on shipping', '✓ 200'],
  ['Catalog too', '✓ 200'],
  ['Shipping too', '✓ 200'],
  ['Catalog refuses the expired token too', '✓ 401 ERR_TOKEN_EXPIRED'],
  ['Shipping refuses it too', '✓ 401 ERR_TOKEN_EXPIRED'],
];

/**
 * Between services: orders calls billing for alice with an exchanged token
 * (and reuses it), billing refuses alice in person (actedBy), the batch job's
 * wrong secret and its service token, the report for the service token and
 * not for alice.
 */
const BETWEEN_SERVICES_STEPS: readonly (readonly [title: string, verdict: string])[] = [
  ["Alice asks orders for her order's invoice: orders exchanges her token", '✓ 200'],
  ['Again: orders reuses the exchanged token it keeps for alice', '✓ 200'],
  ["Alice calls billing's invoice route herself → 403", '✓ 403 ERR_PERMISSION_DENIED'],
  ["Bob's invoice through orders → 403", '✓ 403 ERR_PERMISSION_DENIED'],
  ['The batch job with a wrong client secret → 401 invalid_client', '✓ 401 invalid_client'],
  ['The batch job gets a service token (client credentials, svc:batch', '✓ 200'],
  ["The batch job calls orders' report with its service token", '✓ 200'],
  ['Alice on the report → 403', '✓ 403 ERR_PERMISSION_DENIED'],
];

/**
 * The accounts part: register, verify through the outbox, log in, enrol and
 * confirm TOTP, the two-step login, the session list, log out everywhere seen
 * by orders. Each step by its title, with its verdict.
 */
const ACCOUNT_STEPS: readonly (readonly [title: string, verdict: string])[] = [
  ['Register dana@example.com', '✓ 201'],
  ['Register the same address again', '✓ 409 ERR_ACCOUNT_EXISTS'],
  ['Verify the email with the link token', '✓ 204'],
  ['The same link again', '✓ 400 ERR_ACCOUNT_TOKEN_INVALID'],
  ['Log in (argon2id-checked, no second factor yet)', '✓ 200'],
  ["The account's token works on orders", '✓ 200'],
  ['Enrol in two-factor login', '✓ 200'],
  ['Confirm with a first code, computed by otpauth', '✓ 200'],
  ['Two-factor status', '✓ 200'],
  ['Log in again: the password step answers that a code is needed', '✓ 200'],
  ['Second step: the challenge and a TOTP code', '✓ 200'],
  ['List the sessions', '✓ 200'],
  ['Log out everywhere', '✓ 204'],
  ['Orders refuses the old access token', '✓ 401 ERR_TOKEN_REVOKED'],
  ["… and the phone's token", '✓ 401 ERR_TOKEN_REVOKED'],
  ['The revoked token cannot list the sessions either', '✓ 401 ERR_TOKEN_REVOKED'],
];

/** The verdict line (`✓ …` or `✗ …`) of the first step whose title starts with `title`. */
function verdictOf(stdout: string, title: string): string | undefined {
  const start = stdout.indexOf(`\n▶ ${title}`);
  if (start < 0) return undefined;
  const block = stdout.slice(start + 1).split('\n▶ ')[0] ?? '';
  return block
    .split('\n')
    .find((line) => /^ {2}[✓✗] /.test(line))
    ?.trim();
}

function assertWalkthrough(result: { code: number; stdout: string; stderr: string }): void {
  assert.equal(result.code, 0, `the demo failed:\n${result.stdout}\n${result.stderr}`);
  for (const line of KEY_LINES) assert.ok(result.stdout.includes(line), `missing from the demo's output: ${line}`);
  for (const [title, verdict] of [...NEW_SERVICE_STEPS, ...BETWEEN_SERVICES_STEPS, ...ACCOUNT_STEPS]) assert.equal(verdictOf(result.stdout, title), verdict, `step: ${title}`);
  // Billing saw the user and the actor; the batch job called as itself; no client secret was printed.
  assert.ok(
    result.stdout.includes('"billing":{"service":"billing","user":"alice","actors":["svc:orders"],"audience":["billing"],"perms":["billing:read"]'),
    'billing did not show the user and the actor',
  );
  assert.ok(result.stdout.includes('{"service":"orders","caller":"svc:batch"'), 'the batch job did not call orders as itself');
  assert.doesNotMatch(result.stdout, /Basic [A-Za-z0-9+/=]{8,}|demo-client-secret/);
  assert.match(result.stdout, /"userAgent":"demo-phone\/2\.0".*"userAgent":"demo-laptop\/1\.0"|"userAgent":"demo-laptop\/1\.0".*"userAgent":"demo-phone\/2\.0"/);
  assert.ok(result.stdout.includes('"otpRequired":true'));
  // The Fastify and Nest services answered as themselves, with the verified subject.
  for (const service of ['catalog', 'shipping']) assert.ok(result.stdout.includes(`← {"service":"${service}","user":"alice"`), `${service} answered no allowed call`);
  assert.ok(!result.stdout.includes('✗'), 'an answer was not the expected one');
  // Tokens are printed shortened, never whole.
  assert.doesNotMatch(result.stdout, /eyJ[\w-]{20,}\.[\w-]+\.[\w-]+/);
}

test('embedded demo: one process, memory stores, accounts on PGlite, every answer as expected', async () => {
  const result = await runDemo(undefined);
  assertWalkthrough(result);
  assert.ok(result.stdout.includes('embedded: one process, memory stores'));
  assert.ok(result.stdout.includes('on the auth service: PGlite (PostgreSQL in WebAssembly, in memory)'));
});

test('Redis demo: five processes sharing Redis, accounts on the DATABASE_URL server, every answer as expected', async () => {
  const result = await runDemo(redisUrl, databaseUrl);
  assertWalkthrough(result);
  assert.match(result.stdout, /on the auth service: PostgreSQL at 127\.0\.0\.1:\d+ \(DATABASE_URL\), schema apojwt_demo_[0-9a-f]+, in the auth process/);
  assert.ok(!result.stdout.includes(databaseUrl), 'the URL (and any credentials in it) is not printed');
  assert.match(result.stdout, /separate processes sharing Redis .*auth pid \d+, orders pid \d+, billing pid \d+, catalog pid \d+, shipping pid \d+/);
});

test('the demo exits non-zero when its services cannot start (Redis unreachable)', async () => {
  const result = await runDemo('redis://127.0.0.1:1');
  assert.equal(result.code, 1);
  assert.ok(result.stderr.includes('✗ the services did not start'), result.stderr);
  assert.ok(!result.stdout.includes('✔ every answer was the expected one'));
});
