import { Command, Option } from 'commander';
import { isApoJwtError } from '@apojwt/core';
import { hashPassword } from '@apojwt/auth';
import { CliError, EXIT_USAGE } from '../fail.js';
import { readPassword } from '../io.js';
import { integer } from './common.js';

export function hashCommand(): Command {
  return new Command('hash')
    .description('hash a password with bcrypt (as hashPassword does); the password is read from stdin, never from an argument')
    .addOption(new Option('--cost <n>', 'bcrypt cost').argParser(integer('--cost', 4, 31)).default(12))
    .allowExcessArguments(true)
    .addHelpText('after', '\nOne trailing newline on stdin is dropped. On a terminal the password is typed without echo.\n\nExample:\n  printf %s "$PASSWORD" | apojwt hash --cost 12')
    .action(async (options: { cost: number }, command: Command) => {
      if (command.args.length > 0) throw new CliError('hash takes no arguments: the password is read from stdin, never from the command line', EXIT_USAGE);
      const password = await readPassword();
      try {
        process.stdout.write(`${await hashPassword(password, { cost: options.cost })}\n`);
      } catch (error) {
        if (isApoJwtError(error) && error.code === 'ERR_PASSWORD_INVALID') throw new CliError('the password on stdin is empty', EXIT_USAGE);
        throw error;
      }
    });
}
