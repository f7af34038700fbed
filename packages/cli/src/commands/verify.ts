import { Command, Option } from 'commander';
import { isApoJwtError } from '@apojwt/core';
import { CliError } from '../fail.js';
import { tokenArgument } from '../io.js';
import { verifyingInstance } from '../instance.js';
import { addIssuerOptions, audienceList, integer } from './common.js';

interface VerifyOptions {
  alg: string;
  iss: string;
  aud: string | string[];
  refresh?: boolean;
  clockTolerance?: number;
  secretFile?: string;
  secretEnv?: string;
  keyFile?: string;
}

export function verifyCommand(): Command {
  return addIssuerOptions(new Command('verify'))
    .description('verify a token with every check apojwt makes; print its claims, or which check failed (exit 1)')
    .argument('[token]', 'the token; read from stdin when absent or "-"')
    .option('--refresh', 'the token is a refresh token (the secret is the refresh secret)')
    .addOption(new Option('--clock-tolerance <seconds>', 'accepted clock skew on exp/nbf/iat').argParser(integer('--clock-tolerance', 0, 300)))
    .addHelpText('after', '\nExit status: 0 valid, 1 rejected (the error code says which check failed), 2 wrong usage.')
    .action((token: string | undefined, options: VerifyOptions) => verify(token, options));
}

async function verify(tokenArg: string | undefined, options: VerifyOptions): Promise<void> {
  const apo = verifyingInstance({ ...options, aud: audienceList(options.aud) });
  const token = await tokenArgument(tokenArg);
  try {
    const claims = options.refresh === true ? await apo.verifyRefresh(token) : await apo.verify(token);
    process.stdout.write(JSON.stringify(claims, null, 2) + '\n');
  } catch (error) {
    if (!isApoJwtError(error)) throw error;
    const claim = error.details.claim !== undefined ? ` (claim ${error.details.claim})` : '';
    throw new CliError(`token rejected: ${error.code}: ${error.message}${claim}`);
  }
}
