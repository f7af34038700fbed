import type { AccountMail } from '@apojwt/postgres';

/** A mail as the demo client reads it from the outbox. */
export interface DemoMail {
  readonly purpose: AccountMail['purpose'];
  readonly to: string;
  readonly token: string;
}

/**
 * The demo's mail sender: nothing leaves the machine. Each mail is printed
 * (without its token) and kept in memory, where the demo's levers read the
 * last one sent to an address (embedded: a function call; separate
 * processes: the IPC channel of `fork`). No HTTP route exposes it: that is
 * what the demo stands in for, the user reading the mail.
 */
export class DemoOutbox {
  private readonly mails: DemoMail[] = [];

  send(mail: AccountMail): void {
    this.mails.push({ purpose: mail.purpose, to: mail.to, token: mail.token });
    console.log(`  📧 the auth service mails ${mail.to}: ${mail.purpose} (a link with a single-use token)`);
  }

  /** The last mail sent to `to`, if any. */
  latest(to: string): DemoMail | undefined {
    return this.mails.findLast((mail) => mail.to === to);
  }
}
