import { generateKeyPairSync, randomBytes, createSecretKey, type KeyObject } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { ALGORITHMS, thumbprint, type Algorithm } from '@apojwt/core';
import { CliError, EXIT_USAGE } from '../fail.js';
import { algorithm, nonEmpty, oneOf } from './common.js';

const CURVES = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' } as const;

interface KeygenOptions {
  alg: Algorithm;
  format: 'pem' | 'jwk';
  bits: string;
  kid?: string;
  out?: string;
}

export function keygenCommand(): Command {
  return new Command('keygen')
    .description('generate an HS secret or an RS/PS/ES key pair')
    .addOption(new Option('--alg <alg>', 'algorithm the key is for').choices(ALGORITHMS).argParser(algorithm).default('HS256'))
    .addOption(
      new Option('--format <format>', 'pem, or jwk (RFC 7517); an HS secret in pem format is printed as base64url text')
        .choices(['pem', 'jwk'])
        .argParser(oneOf('--format', ['pem', 'jwk'] as const))
        .default('pem'),
    )
    .option('--bits <n>', 'RSA modulus length (2048 or more)', '2048')
    .option('--kid <kid>', 'key id written in a JWK (default: its RFC 7638 thumbprint)', nonEmpty('--kid'))
    .option('--out <prefix>', 'write files <prefix>.secret, or <prefix>.private.pem/.public.pem (or .jwk.json) instead of printing; private files get mode 0600 and are never overwritten')
    .addHelpText('after', '\nExamples:\n  apojwt keygen > secret.txt\n  apojwt keygen --alg ES256 --out issuer\n  apojwt keygen --alg RS256 --format jwk --kid 2026-01')
    .action((options: KeygenOptions) => keygen(options));
}

function keygen(options: KeygenOptions): void {
  const alg = options.alg;
  if (alg.startsWith('HS')) {
    // As many random bytes as the hash output (RFC 7518 §3.2).
    const bytes = randomBytes(Number(alg.slice(2)) / 8);
    if (options.format === 'jwk') {
      const key = createSecretKey(bytes);
      emit(options, [['secret.jwk.json', json({ ...key.export({ format: 'jwk' }), alg, kid: options.kid ?? thumbprint(key), use: 'sig' }), true]]);
    } else {
      emit(options, [['secret', bytes.toString('base64url') + '\n', true]]);
    }
    return;
  }
  const { privateKey, publicKey } = generatePair(alg, options.bits);
  if (options.format === 'jwk') {
    const kid = options.kid ?? thumbprint(publicKey);
    const meta = { alg, kid, use: 'sig' };
    emit(options, [
      ['private.jwk.json', json({ ...privateKey.export({ format: 'jwk' }), ...meta }), true],
      ['public.jwk.json', json({ ...publicKey.export({ format: 'jwk' }), ...meta }), false],
    ]);
  } else {
    emit(options, [
      ['private.pem', String(privateKey.export({ format: 'pem', type: 'pkcs8' })), true],
      ['public.pem', String(publicKey.export({ format: 'pem', type: 'spki' })), false],
    ]);
  }
}

function generatePair(alg: Algorithm, bitsText: string): { privateKey: KeyObject; publicKey: KeyObject } {
  if (alg.startsWith('ES')) return generateKeyPairSync('ec', { namedCurve: CURVES[alg as keyof typeof CURVES] });
  const bits = Number(bitsText);
  if (!Number.isInteger(bits) || bits < 2048 || bits > 16384) throw new CliError('--bits must be an integer from 2048 to 16384', EXIT_USAGE);
  // PS* uses plain RSA keys too: they export to JWK and every JOSE library reads them.
  return generateKeyPairSync('rsa', { modulusLength: bits });
}

function json(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}

function emit(options: KeygenOptions, files: Array<[suffix: string, text: string, secret: boolean]>): void {
  if (options.out === undefined) {
    for (const [, text] of files) process.stdout.write(text);
    return;
  }
  const written: string[] = [];
  for (const [suffix, text, secret] of files) {
    const path = `${options.out}.${suffix}`;
    try {
      writeFileSync(path, text, { flag: 'wx', mode: secret ? 0o600 : 0o644 });
    } catch (error) {
      // All or nothing: a lone private key without its public half (or the reverse) would block the next run.
      for (const done of written) rmSync(done, { force: true });
      const code = (error as NodeJS.ErrnoException).code;
      throw new CliError(code === 'EEXIST' ? `${path} already exists; not overwriting it` : `cannot write ${path} (${code ?? 'error'})`);
    }
    written.push(path);
  }
  for (const path of written) process.stderr.write(`apojwt: wrote ${path}\n`);
}
