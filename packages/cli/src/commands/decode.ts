import { Command } from 'commander';
import { CliError } from '../fail.js';
import { tokenArgument } from '../io.js';

export function decodeCommand(): Command {
  return new Command('decode')
    .description("show a token's header and claims WITHOUT verifying it (nothing printed can be trusted)")
    .argument('[token]', 'the token; read from stdin when absent or "-"')
    .action(async (token: string | undefined) => decode(await tokenArgument(token)));
}

function decode(token: string): void {
  const parts = token.split('.');
  if (parts.length !== 3) throw new CliError('not a JWT: expected three dot-separated parts');
  const header = segment(parts[0] as string, 'header');
  const payload = segment(parts[1] as string, 'payload');
  process.stderr.write('apojwt: NOT VERIFIED: decoded only; the signature and claims were not checked\n');
  process.stdout.write(JSON.stringify({ verified: false, header, payload }, null, 2) + '\n');
}

function segment(text: string, name: string): unknown {
  try {
    if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error();
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error();
    return value;
  } catch {
    throw new CliError(`not a JWT: the ${name} is not base64url JSON`);
  }
}
