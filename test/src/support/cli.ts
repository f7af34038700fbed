// Runs the real `apojwt` executable, found through the package's bin field,
// as a separate process, as an operator would run it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageJson = fileURLToPath(import.meta.resolve('@apojwt/cli/package.json'));
const bin = join(dirname(packageJson), (JSON.parse(readFileSync(packageJson, 'utf8')) as { bin: { apojwt: string } }).bin.apojwt);

export const SECRET = 'cli-test-secret-0123456789abcdefghij';
export const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('APOJWT_')));

export interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function apojwt(args: string[], options: { input?: string; env?: Record<string, string> } = {}): Result {
  const result = spawnSync(process.execPath, [bin, ...args], {
    input: options.input ?? '',
    env: { ...cleanEnv, ...options.env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export const withSecret = { env: { APOJWT_SECRET: SECRET } };
export const issuer = ['--iss', 'auth', '--aud', 'orders'];

/** A failure: the exit code, one line on stderr, no stack trace, nothing on stdout. */
export function assertFailure(result: Result, status: number, pattern: RegExp): void {
  assert.equal(result.status, status, `exit ${result.status}; stderr: ${result.stderr}`);
  const lines = result.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line expected, got: ${result.stderr}`);
  assert.match(lines[0]!, /^apojwt: /);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(result.stderr, /\n\s+at |Error:|node:internal/);
  assert.equal(result.stdout, '');
}
