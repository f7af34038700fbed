import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SECRET, apojwt, assertFailure, issuer, withSecret } from '../support/cli.js';

/**
 * Command-line mistakes name the option, never its value: a secret pasted
 * as `--secret=VALUE` must not be printed back (terminal scrollback, CI
 * logs). Exit 2, one line.
 */

const VALUE = 'pasted-secret-value-Zk81';

test('an unknown option with =VALUE is named without its value, with a hint where the value belongs', () => {
  const cases: Array<[string[], RegExp]> = [
    [['sign', ...issuer, `--secret=${VALUE}`], /unknown option --secret\b.*--secret-file/],
    [['verify', ...issuer, `--token=${VALUE}`], /unknown option --token\b.*argument or on stdin/],
    [['hash', `--password=${VALUE}`], /unknown option --password\b.*stdin/],
    [['keygen', `--seed=${VALUE}`], /unknown option --seed\b/],
    [[`--secret=${VALUE}`, 'sign', ...issuer], /unknown option --secret\b/],
    [['sign', ...issuer, `-s${VALUE}`], /unknown option -s\b/],
  ];
  for (const [args, pattern] of cases) {
    const result = apojwt(args, withSecret);
    assertFailure(result, 2, pattern);
    assert.ok(!result.stderr.includes(VALUE), `value echoed: ${result.stderr}`);
    assert.ok(!result.stderr.includes(SECRET));
  }
});

test('an unknown option followed by its value, and excess arguments: the value is never printed', () => {
  for (const args of [
    ['sign', ...issuer, '--secret', VALUE],
    ['sign', ...issuer, VALUE],
    ['hash', VALUE],
    ['keygen', VALUE],
    ['verify', ...issuer, 'a.b.c', VALUE],
  ]) {
    const result = apojwt(args, { ...withSecret, input: 'pw' });
    assert.equal(result.status, 2, result.stderr);
    assert.ok(!result.stderr.includes(VALUE), `value echoed: ${result.stderr}`);
    assert.equal(result.stdout, '');
  }
});

test('an option value that is refused is not printed either', () => {
  const cases: Array<[string[], RegExp, Record<string, string>?]> = [
    [['sign', ...issuer, '--alg', VALUE], /--alg must be one of HS256/],
    [['sign', ...issuer, '--exp', VALUE], /--exp must be an integer/],
    [['hash', '--cost', VALUE], /--cost must be an integer/],
    [['keygen', '--format', VALUE], /--format must be one of pem, jwk/],
    [['sign', ...issuer], /--alg must be one of .*\(the value of APOJWT_ALG\)/, { APOJWT_ALG: VALUE }],
  ];
  for (const [args, pattern, env] of cases) {
    const result = apojwt(args, { env: { ...withSecret.env, ...env }, input: 'pw' });
    assertFailure(result, 2, pattern);
    assert.ok(!result.stderr.includes(VALUE), `value echoed: ${result.stderr}`);
  }
});

test('an unknown command that is not a word is not printed', () => {
  const result = apojwt([`eyJ${VALUE}.x.y`]);
  assertFailure(result, 2, /unknown command/);
  assert.ok(!result.stderr.includes(VALUE));
  assertFailure(apojwt(['frobnicate']), 2, /unknown command 'frobnicate'/);
  assertFailure(apojwt(['sigm']), 2, /Did you mean sign\?/);
});
