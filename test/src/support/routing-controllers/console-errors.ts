import { after, before } from 'node:test';

/**
 * What the code under test wrote with console.error: Express's final handler
 * and Koa's onerror log there (ERR_HTTP_HEADERS_SENT included), and so does
 * routing-controllers' driver through them. A suite asserts it stays empty.
 */
export function captureConsoleErrors(): { take(): string[] } {
  const lines: string[] = [];
  const original = console.error;
  before(() => {
    console.error = (...args: unknown[]) => {
      lines.push(args.map((arg) => (arg instanceof Error ? (arg.stack ?? arg.message) : String(arg))).join(' '));
    };
  });
  after(() => {
    console.error = original;
  });
  return { take: () => lines.splice(0) };
}
