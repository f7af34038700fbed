import type { Express } from 'express';
import { accountRoutes } from '@apojwt/express/accounts';
import {
  createAccountHandlers,
  createTwoFactorHandlers,
  PostgresAccountFlows,
  PostgresSessionStore,
  PostgresTwoFactor,
  PostgresUserStore,
  twoFactorLogin,
  type AccountHandlers,
  type AccountRequest,
} from '@apojwt/postgres';
import { ROLES } from '../config.js';
import type { AuthApo } from '../services/auth.js';
import { openAccountsDatabase } from './database.js';
import { DemoOutbox, type DemoMail } from './outbox.js';

/** Where the account routes are mounted on the auth service: `/accounts/auth/register`, `/accounts/account/sessions`… */
export const ACCOUNTS_PATH = '/accounts';

/** The accounts part of the auth service, and the demo's lever on it. */
export interface AccountsPart {
  /** Which database holds the accounts. */
  readonly description: string;
  /** The last mail the demo's outbox holds for an address (demo mode only: nothing else reads it). */
  readMail(to: string): DemoMail | undefined;
  close(): Promise<void>;
}

/**
 * Accounts on PostgreSQL for the auth service: registration, email
 * verification, two-factor login (TOTP) and the session list, served by
 * `accountRoutes` under /accounts. Alice and the demo's fixed users keep
 * their own login at /auth/login; an account's tokens come from the same
 * instance (same keys, same audiences, same revocation store), so the
 * verifiers accept them and see "log out everywhere" as they see a logout.
 */
export async function addAccounts(app: Express, apo: AuthApo, now: () => number, databaseUrl: string | undefined): Promise<AccountsPart> {
  const database = await openAccountsDatabase(databaseUrl);
  const { db } = database;
  const seconds = () => Math.floor(now() / 1000);
  const outbox = new DemoOutbox();
  // New passwords are hashed with argon2id, the package's default (OWASP's parameters: 19 MiB, 2 passes).
  const users = new PostgresUserStore(db, { now: seconds });
  const sessions = new PostgresSessionStore(db, { now: seconds });
  const flows = new PostgresAccountFlows({ db, users, apo, sessions, now: seconds, sendMail: (mail) => outbox.send(mail) });
  // TOTP runs on the wall clock, as the user's phone does; the demo's clock moves only tokens and sessions.
  const totp = new PostgresTwoFactor({ db, issuer: 'apojwt demo' });
  const login = twoFactorLogin({ db, apo, twoFactor: totp, password: users.loginOptions(), now });
  const accounts = createAccountHandlers({ apo, users, sessions, flows });
  const endpoints = {
    accounts: { ...accounts, register: welcome(accounts, users, flows) },
    twoFactor: createTwoFactorHandlers({ apo, users, twoFactor: totp, login, sessions }),
  };
  app.use(ACCOUNTS_PATH, accountRoutes(endpoints));
  return { description: database.description, readMail: (to) => outbox.latest(to), close: () => database.close() };
}

/**
 * What the demo shop does after a registration: grant a customer's
 * permissions (the app grants them, never the registration body) and mail
 * the verification link.
 */
function welcome(accounts: AccountHandlers, users: PostgresUserStore, flows: PostgresAccountFlows): AccountHandlers['register'] {
  return async (request: AccountRequest) => {
    const answer = await accounts.register(request);
    if (answer.status === 201) {
      const { id } = answer.body as { id: string };
      await users.setRoles(id, ROLES.customer.permissions);
      await flows.requestVerification(id);
    }
    return answer;
  };
}
