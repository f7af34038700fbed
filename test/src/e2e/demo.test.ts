import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startOwnRedis, type OwnRedis } from '../support/redis-server.js';

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

before(async () => {
  // The examples compile like every package: the test runs what `npm run demo` runs.
  await run('pnpm', ['run', 'build'], { cwd: examples });
  // scripts/test.sh provides REDIS_URL; a direct run gets a server of its own.
  if (process.env['REDIS_URL']) redisUrl = process.env['REDIS_URL'];
  else {
    own = await startOwnRedis();
    redisUrl = own.url;
  }
});

after(async () => {
  await own?.dispose();
});

async function runDemo(redis: string | undefined): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['REDIS_URL'];
  if (redis !== undefined) env['REDIS_URL'] = redis;
  try {
    const { stdout, stderr } = await run(process.execPath, [demo], { env, cwd: examples, timeout: 20_000 });
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

function assertWalkthrough(result: { code: number; stdout: string; stderr: string }): void {
  assert.equal(result.code, 0, `the demo failed:\n${result.stdout}\n${result.stderr}`);
  for (const line of KEY_LINES) assert.ok(result.stdout.includes(line), `missing from the demo's output: ${line}`);
  assert.ok(!result.stdout.includes('✗'), 'an answer was not the expected one');
  // Tokens are printed shortened, never whole.
  assert.doesNotMatch(result.stdout, /eyJ[\w-]{20,}\.[\w-]+\.[\w-]+/);
}

test('embedded demo: one process, memory stores, every answer as expected', async () => {
  const result = await runDemo(undefined);
  assertWalkthrough(result);
  assert.ok(result.stdout.includes('embedded: one process, memory stores'));
});

test('Redis demo: three processes sharing Redis, every answer as expected', async () => {
  const result = await runDemo(redisUrl);
  assertWalkthrough(result);
  assert.match(result.stdout, /separate processes sharing Redis .*auth pid \d+, orders pid \d+, billing pid \d+/);
});

test('the demo exits non-zero when its services cannot start (Redis unreachable)', async () => {
  const result = await runDemo('redis://127.0.0.1:1');
  assert.equal(result.code, 1);
  assert.ok(result.stderr.includes('✗ the services did not start'), result.stderr);
  assert.ok(!result.stdout.includes('✔ every answer was the expected one'));
});
