import { Command, Option } from 'commander';
import { CliError, EXIT_USAGE } from '../fail.js';
import { signingInstance } from '../instance.js';
import { addIssuerOptions, audienceList, integer, nonEmpty, permissionList } from './common.js';

interface SignOptions {
  alg: string;
  iss: string;
  aud: string | string[];
  sub?: string;
  perm: string[];
  data?: string;
  exp?: number;
  kid?: string;
  secretFile?: string;
  secretEnv?: string;
  keyFile?: string;
}

export function signCommand(): Command {
  return addIssuerOptions(new Command('sign'))
    .description('issue an access token, printed on stdout')
    .option('--sub <subject>', 'subject (sub), usually the user id')
    .option('--perm <permission>', 'a permission granted (perms); repeat or comma-separate for several', permissionList, [] as string[])
    .option('--data <json>', 'data object (JSON) carried in the token')
    .addOption(new Option('--exp <seconds>', 'lifetime in seconds (default 900)').argParser(integer('--exp', 1, 366 * 24 * 3600)))
    .option('--kid <kid>', 'key id written in the header (default: the key thumbprint)', nonEmpty('--kid'))
    .addHelpText(
      'after',
      '\nThe secret is read from $APOJWT_SECRET (or --secret-env NAME, or --secret-file PATH), never from an argument.\n\nExample:\n  APOJWT_SECRET=... apojwt sign --iss auth --aud orders --sub u1 --perm orders:read --exp 600',
    )
    .action((options: SignOptions) => sign(options));
}

function sign(options: SignOptions): void {
  const data = parseData(options.data);
  const apo = signingInstance({ ...options, aud: audienceList(options.aud) });
  let token: unknown;
  try {
    token = apo.createToken({ ...(options.sub !== undefined && { sub: options.sub }), permissions: options.perm, data });
  } catch (error) {
    if (error instanceof TypeError) throw new CliError(error.message, EXIT_USAGE);
    throw error;
  }
  process.stdout.write(`${String(token)}\n`);
}

function parseData(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CliError('--data is not valid JSON', EXIT_USAGE);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new CliError('--data must be a JSON object', EXIT_USAGE);
  return value as Record<string, unknown>;
}
