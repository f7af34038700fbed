import { CliError, EXIT_USAGE } from './fail.js';

/** Reads all of stdin as UTF-8. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Drops one trailing line break (what `echo` or an editor adds), nothing else. */
export function withoutFinalNewline(text: string): string {
  return text.replace(/\r?\n$/, '');
}

/** A token from the argument, or from stdin when the argument is absent or "-". */
export async function tokenArgument(token: string | undefined): Promise<string> {
  if (token !== undefined && token !== '-') return token.trim();
  if (process.stdin.isTTY) throw new CliError('give the token as an argument or on stdin', EXIT_USAGE);
  return (await readStdin()).trim();
}

/**
 * The password, from stdin only (never argv: it would land in shell history
 * and in `ps`). On a terminal it is typed without echo.
 */
export async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) return withoutFinalNewline(await readStdin());
  return promptHidden('Password: ');
}

function promptHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  let typed = '';
  return new Promise((resolve, reject) => {
    const done = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chars: string) => {
      for (const char of chars) {
        if (char === '\r' || char === '\n' || char === '\u0004') return done();
        if (char === '\u0003') return done(new CliError('cancelled'));
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
        else typed += char;
      }
    };
    stdin.on('data', onData);
  });
}
