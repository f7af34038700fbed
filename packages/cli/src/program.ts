import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { CliError, EXIT_FAILURE, EXIT_USAGE, oneLine } from './fail.js';
import { usageMessage } from './usage-errors.js';
import { keygenCommand } from './commands/keygen.js';
import { signCommand } from './commands/sign.js';
import { verifyCommand } from './commands/verify.js';
import { decodeCommand } from './commands/decode.js';
import { hashCommand } from './commands/hash.js';

export function buildProgram(): Command {
  const program = new Command('apojwt')
    .description('apojwt tools: generate keys, sign, verify and decode tokens, hash passwords')
    .version(packageVersion())
    .addCommand(keygenCommand())
    .addCommand(signCommand())
    .addCommand(verifyCommand())
    .addCommand(decodeCommand())
    .addCommand(hashCommand());
  for (const command of [program, ...program.commands]) {
    // Commander's own messages quote typed values; run() prints a rebuilt line instead (usage-errors.ts).
    command.exitOverride().configureOutput({ outputError: () => {} });
  }
  return program;
}

/** Runs the command line and returns the exit code; every failure is one line on stderr, no stack trace. */
export async function run(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync([...argv]);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with exit code 0; help shown for a missing command was already printed.
      if (error.exitCode === 0) return 0;
      if (error.code !== 'commander.help') process.stderr.write(`apojwt: ${oneLine(usageMessage(error))} (see --help)\n`);
      return EXIT_USAGE;
    }
    if (error instanceof CliError) {
      process.stderr.write(`apojwt: ${oneLine(error.message)}\n`);
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`apojwt: unexpected error: ${oneLine(message)}\n`);
    return EXIT_FAILURE;
  }
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
