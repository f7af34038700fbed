import { Command, Option } from 'commander';
import { isAlgorithm, isApoJwtError, type Algorithm } from '@apojwt/core';
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
    .action((token: string | undefined, options: VerifyOptions, command: Command) => verify(token, options, command.getOptionValueSource('alg')));
}

async function verify(tokenArg: string | undefined, options: VerifyOptions, algSource: string | undefined): Promise<void> {
  const token = await tokenArgument(tokenArg);
  // Before the keys are loaded: an ES256 token checked with the default HS256
  // should hear "pass --alg ES256", not "set APOJWT_SECRET".
  const named = headerAlgorithm(token);
  if (named !== undefined && named !== options.alg) {
    throw new CliError(`token rejected: ERR_ALGORITHM_NOT_ALLOWED: ${algorithmAdvice(named, options.alg, algSource)}`);
  }
  const apo = verifyingInstance({ ...options, aud: audienceList(options.aud) });
  try {
    const claims = options.refresh === true ? await apo.verifyRefresh(token) : await apo.verify(token);
    process.stdout.write(JSON.stringify(claims, null, 2) + '\n');
  } catch (error) {
    if (!isApoJwtError(error)) throw error;
    const claim = error.details.claim !== undefined ? ` (claim ${error.details.claim})` : '';
    throw new CliError(`token rejected: ${error.code}: ${error.message}${claim}`);
  }
}

/**
 * The header's `alg` when the header can be read: the algorithm name, or
 * `null` for a value that is not one apojwt supports (never printed: it is
 * the token's text). `undefined` leaves a malformed header to verification.
 */
function headerAlgorithm(token: string): Algorithm | null | undefined {
  const dot = token.indexOf('.');
  if (dot <= 0) return undefined;
  try {
    const header: unknown = JSON.parse(Buffer.from(token.slice(0, dot), 'base64url').toString('utf8'));
    if (header === null || typeof header !== 'object' || typeof (header as { alg?: unknown }).alg !== 'string') return undefined;
    const alg = (header as { alg: string }).alg;
    return isAlgorithm(alg) ? alg : null;
  } catch {
    return undefined;
  }
}

function algorithmAdvice(named: Algorithm | null, configured: string, source: string | undefined): string {
  const how = source === 'default' ? ' (the default)' : source === 'env' ? ' (from APOJWT_ALG)' : '';
  if (named === null) return `the token names an algorithm apojwt never accepts; this check uses ${configured}${how}`;
  const key = named.startsWith('HS') ? '' : ' --key-file <public key>';
  return `the token names ${named}, this check uses ${configured}${how}: pass --alg ${named}${key}`;
}
