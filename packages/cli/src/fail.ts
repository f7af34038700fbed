/**
 * A failure the user can act on: printed as one line ("apojwt: ..."), never
 * with a stack trace, and mapped to an exit code.
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** Exit codes: 0 success, 1 the operation failed (e.g. a token was rejected), 2 the command line is wrong. */
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** One line, whatever the message contains. */
export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
