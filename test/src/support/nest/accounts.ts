import { ApoJwt } from '@apojwt/core';
import { passwordLogin } from '@apojwt/auth';
import {
  createAccountHandlers,
  createTwoFactorHandlers,
  PostgresAccountFlows,
  PostgresRevocationStore,
  PostgresRotationStore,
  PostgresSessionStore,
  PostgresTwoFactor,
  PostgresUserStore,
  twoFactorLogin,
  type AccountMail,
  type Database,
} from '@apojwt/postgres';

export const ACCOUNTS_SECRET = 'nest-accounts-secret-'.padEnd(40, 's');
export const ACCOUNTS_REFRESH_SECRET = 'nest-accounts-refresh-'.padEnd(40, 'r');

/**
 * Everything the account routes are made of, on one database, with one
 * frozen clock (TOTP steps move only when a test moves it) and the mails
 * the flows send kept for the test to read.
 */
export function accountsOn(db: Database) {
  const clock = { ms: Date.UTC(2026, 0, 1, 12, 0, 0) };
  const seconds = () => Math.floor(clock.ms / 1000);
  const mails: AccountMail[] = [];
  const users = new PostgresUserStore(db, { hash: { cost: 4 }, now: seconds });
  const sessions = new PostgresSessionStore(db, { now: seconds });
  const apo = new ApoJwt({
    now: () => clock.ms,
    secret: ACCOUNTS_SECRET,
    iss: 'auth',
    serverAudience: 'api',
    cache: false,
    revocationStore: new PostgresRevocationStore(db),
    rotationStore: new PostgresRotationStore(db),
    refresh: { refreshSecret: ACCOUNTS_REFRESH_SECRET },
    // The one-step login, for ApoJwtAuthModule beside handler sets without twoFactor.
    login: passwordLogin({ ...users.loginOptions(), cost: 4, limiter: false }),
  }) as unknown as ApoJwt<string, object, object, true>;
  const flows = new PostgresAccountFlows({ db, users, apo, sessions, now: seconds, hash: { cost: 4 }, sendMail: (mail) => void mails.push(mail) });
  const twoFactor = new PostgresTwoFactor({ db, issuer: 'Nest', now: () => clock.ms });
  const login = twoFactorLogin({
    db,
    apo,
    twoFactor,
    now: () => clock.ms,
    password: { ...users.loginOptions(), cost: 4, limiter: false },
    // Three wrong second-step codes per account, then 429.
    limiter: { perAccount: { attempts: 3, windowSeconds: 600, lockoutSeconds: 600 }, perIp: false },
  });
  const accounts = createAccountHandlers({ apo, users, sessions, flows });
  const plainAccounts = createAccountHandlers({ apo, users, sessions });
  const secondFactor = createTwoFactorHandlers({ apo, users, twoFactor, login, sessions, limiter: false });
  return { clock, mails, users, sessions, apo, flows, twoFactor, accounts, plainAccounts, secondFactor };
}

export type AccountsKit = ReturnType<typeof accountsOn>;
