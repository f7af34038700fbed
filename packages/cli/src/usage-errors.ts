import type { CommanderError } from 'commander';

/**
 * The one line printed for a command-line mistake found by commander.
 *
 * Commander's own messages quote what was typed (`unknown option
 * '--secret=VALUE'`, `argument 'VALUE' is invalid`), and a value may be a
 * secret or a token pasted in the wrong place; stderr ends up in terminal
 * scrollback and CI logs. So each message is rebuilt here from what apojwt
 * wrote itself (its option names, a parser's reason, a command name that is
 * a plain word), never from a typed value. A kind of error not listed gets a
 * generic line rather than commander's text.
 */
export function usageMessage(error: CommanderError): string {
  const text = error.message.replace(/^error: /, '');
  switch (error.code) {
    case 'commander.unknownOption':
      return unknownOption(text);
    case 'commander.invalidArgument':
      return invalidValue(text);
    case 'commander.unknownCommand':
      return unknownCommand(text);
    // Built from apojwt's own names and counts only.
    case 'commander.excessArguments':
    case 'commander.missingArgument':
    case 'commander.optionMissingArgument':
    case 'commander.missingMandatoryOptionValue':
    case 'commander.conflictingOption':
      return text;
    default:
      return 'the command line could not be read';
  }
}

/** Where a value belongs instead, for options people reach for by habit. */
const HINTS = new Map([
  ['secret', 'secrets are never taken as arguments: use --secret-file <path> or --secret-env <name>'],
  ['token', 'give the token as an argument or on stdin'],
  ['password', 'the password is read from stdin, never from an argument'],
  ['key', 'keys are read from --key-file <path>'],
]);

function unknownOption(text: string): string {
  // The name only: up to "=" for --name=value, the letter for -xVALUE.
  const name = /^unknown option '(--[A-Za-z0-9][A-Za-z0-9-]{0,39}|-[A-Za-z0-9])/.exec(text)?.[1];
  if (name === undefined) return 'unknown option';
  const hint = HINTS.get(name.replace(/^--?/, '').split('-')[0] as string);
  const suggestion = /\(Did you mean (--[a-z][a-z-]*)\?\)/.exec(text)?.[1];
  return `unknown option ${name}${hint !== undefined ? ` (${hint})` : suggestion !== undefined ? ` (did you mean ${suggestion}?)` : ''}`;
}

/**
 * "option '--exp <seconds>' argument 'VALUE' is invalid. <reason>" (or
 * "value 'VALUE' from env 'NAME' is invalid."): the reason is written by
 * apojwt's parsers (commands/common.ts) and comes after the value, so it
 * is taken after the last "is invalid. ".
 */
function invalidValue(text: string): string {
  const flag = /^option '[^']*?(--[a-z][a-z-]*)/.exec(text)?.[1];
  const marker = text.lastIndexOf(' is invalid.');
  const reason = marker === -1 ? '' : text.slice(marker + ' is invalid.'.length).trim();
  const env = marker === -1 ? undefined : /from env '([A-Z_][A-Z0-9_]*)'$/.exec(text.slice(0, marker))?.[1];
  const from = env === undefined ? '' : ` (the value of ${env})`;
  if (reason.length > 0 && reason.startsWith('--')) return `${reason}${from}`;
  return `${flag ?? 'an option'} has a value it does not take${from}`;
}

function unknownCommand(text: string): string {
  const name = /^unknown command '([a-z][a-z0-9-]{0,30})'/.exec(text)?.[1];
  const suggestion = /\(Did you mean ([a-z]+)\?\)/.exec(text)?.[1];
  return `unknown command${name === undefined ? '' : ` '${name}'`}${suggestion === undefined ? '' : ` (Did you mean ${suggestion}?)`}`;
}
