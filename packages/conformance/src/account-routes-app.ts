import { ApoJwt } from '@apojwt/core';
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
  type AccountEndpoints,
  type AccountMail,
  type Database,
} from '@apojwt/postgres';
import type { Running } from './framework.js';

/**
 * An adapter's ready-made account routes, as {@link runAccountRoutesConformance}
 * drives them: one object per framework version (Koa 3 and Koa 2 are two).
 */
export interface AccountRoutesUnderTest {
  /** Shown in the suite's name, e.g. `Koa 3`. */
  readonly name: string;
  /**
   * Starts a real server on 127.0.0.1 port 0 whose app mounts the adapter's
   * account routes for `endpoints`, reading bodies of at most `bodyLimit`
   * bytes, and behind them answers every request they leave alone with its own
   * 404 JSON `{ handledBy: 'app' }`.
   */
  serve(endpoints: AccountEndpoints, options: { readonly bodyLimit: number }): Promise<Running>;
}

/** Where the suite keeps its accounts: a real PostgreSQL server or PGlite (the tests' `engines()`). */
export interface AccountDatabase {
  readonly name: string;
  fresh(): Promise<{ readonly db: Database; close(): Promise<void> }>;
}

/** The largest body the suite's apps read; the oversized bodies are larger. */
export const ACCOUNT_ROUTES_BODY_LIMIT = 1024;

/** Confirming and disabling 2FA, and the second login step: this many wrong codes per account, then 429. */
export const WRONG_CODES_ALLOWED = 3;

/** The parts the suite builds once per database and hands to the adapter, with one clock for all. */
export interface AccountWorld {
  readonly clock: { ms: number };
  readonly mails: AccountMail[];
  readonly users: PostgresUserStore;
  readonly twoFactor: PostgresTwoFactor;
  /** The app sends the verification mail itself (after registering); the suite calls it and reads `mails`. */
  readonly flows: PostgresAccountFlows;
  readonly endpoints: AccountEndpoints;
}

/** Every handler set over one database: registration, sessions, the email flows and 2FA, on a clock the tests move. */
export function accountWorld(db: Database): AccountWorld {
  const clock = { ms: Date.UTC(2026, 0, 1, 12, 0, 0) };
  const now = () => clock.ms;
  const seconds = () => Math.floor(clock.ms / 1000);
  const mails: AccountMail[] = [];
  const users = new PostgresUserStore(db, { hash: { cost: 4 } });
  const sessions = new PostgresSessionStore(db, { now: seconds });
  const twoFactor = new PostgresTwoFactor({ db, issuer: 'Conformance', now });
  const apo = new ApoJwt({
    now,
    secret: 's'.repeat(32),
    iss: 'auth',
    serverAudience: 'api',
    cache: false,
    revocationStore: new PostgresRevocationStore(db),
    rotationStore: new PostgresRotationStore(db),
    refresh: { refreshSecret: 'r'.repeat(32) },
  }) as unknown as ApoJwt<string, object, object, true>;
  const wrongCodes = { perAccount: { attempts: WRONG_CODES_ALLOWED, windowSeconds: 600, lockoutSeconds: 600 }, perIp: false as const };
  const login = twoFactorLogin({ db, apo, twoFactor, now, password: { ...users.loginOptions(), cost: 4, limiter: false }, limiter: wrongCodes });
  const flows = new PostgresAccountFlows({ db, users, apo, sessions, hash: { cost: 4 }, now: seconds, sendMail: (mail) => void mails.push(mail) });
  const accounts = createAccountHandlers({ apo, users, sessions, flows });
  const secondFactor = createTwoFactorHandlers({ apo, users, twoFactor, login, sessions, limiter: wrongCodes });
  return { clock, mails, users, twoFactor, flows, endpoints: { accounts, twoFactor: secondFactor } };
}
