import { Secret, TOTP } from 'otpauth';
import { fail, member, note, step } from '../client.js';
import type { Deployment } from '../deploy/deployment.js';
import { ACCOUNTS_PATH } from './service.js';

/**
 * The accounts part of the walkthrough: a new user registers, verifies the
 * address, logs in, turns on two-factor login, logs in again in two steps,
 * lists the sessions and logs out everywhere, which orders then sees. The
 * client computes TOTP codes with `otpauth` from the secret the enrolment
 * gave, as an authenticator app would. The link token comes from the demo's
 * outbox (a lever of the deployment, never an HTTP route): it stands in for
 * the user reading the mail.
 */
const EMAIL = 'dana@example.com';
const PASSWORD = 'dana-demo-passphrase';
const json = { 'content-type': 'application/json' };
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const listOf = (body: unknown, name: string): unknown[] => {
  const value = member(body, name);
  return Array.isArray(value) ? value : [];
};
/** What an authenticator app shows at `ms` for the enrolled secret. */
const codeAt = (secret: string, ms: number) => new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({ timestamp: ms });

export async function accountSteps(d: Deployment): Promise<void> {
  const base = `${d.urls.auth}${ACCOUNTS_PATH}`;
  const orders = d.urls.orders;
  note(`👤 Accounts, on ${d.accounts}. The auth service serves them with accountRoutes (@apojwt/express/accounts) under ${ACCOUNTS_PATH}.`);
  const post = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({ method: 'POST', headers: { ...json, ...headers }, body: JSON.stringify(body) });

  await step(`Register ${EMAIL}: the auth service grants a customer's permissions and mails a verification link`, `${base}/auth/register`, post({ email: EMAIL, password: PASSWORD }), {
    status: 201,
    check: (body) => (member(body, 'email') === EMAIL && member(body, 'password') === undefined ? undefined : 'expected the email, and no password'),
  });
  await step('Register the same address again (other case) → 409', `${base}/auth/register`, post({ email: 'Dana@Example.com', password: PASSWORD }), {
    status: 409,
    error: 'ERR_ACCOUNT_EXISTS',
  });

  const mail = await d.readMail(EMAIL);
  if (mail?.purpose !== 'verify-email') fail(`expected a verification mail to ${EMAIL} in the demo's outbox`);
  note("📬 The client reads the link token from the demo's outbox (a lever of the demo, no HTTP route: the user would open the mail).");
  await step('Verify the email with the link token (single-use)', `${base}/auth/verify-email`, post({ token: mail?.token }), { status: 204 });
  await step('The same link again → 400', `${base}/auth/verify-email`, post({ token: mail?.token }), { status: 400, error: 'ERR_ACCOUNT_TOKEN_INVALID' });

  const laptop = await step(
    'Log in (argon2id-checked, no second factor yet): the tokens at once',
    `${base}/auth/login`,
    post({ username: EMAIL, password: PASSWORD }, { 'user-agent': 'demo-laptop/1.0' }),
    { status: 200, check: (body) => (typeof member(body, 'accessToken') === 'string' ? undefined : 'expected an access token') },
  );
  const laptopToken = String(member(laptop.body, 'accessToken'));
  await step("The account's token works on orders (its customer permissions, checked by the decorator)", `${orders}/orders`, { headers: bearer(laptopToken) }, { status: 200 });

  const enrolled = await step(
    'Enrol in two-factor login: a TOTP secret, its otpauth:// URI and a QR code (SVG)',
    `${base}/account/2fa/enrol`,
    { method: 'POST', headers: bearer(laptopToken) },
    {
      status: 200,
      check: (body) => (String(member(body, 'uri')).startsWith('otpauth://totp/') && String(member(body, 'qrSvg')).includes('<svg') ? undefined : 'expected an otpauth URI and an SVG'),
    },
  );
  const secret = String(member(enrolled.body, 'secret'));
  await step(
    'Confirm with a first code, computed by otpauth from the secret (as an authenticator app does): ten backup codes, shown once',
    `${base}/account/2fa/confirm`,
    post({ code: codeAt(secret, Date.now()) }, bearer(laptopToken)),
    { status: 200, check: (body) => (listOf(body, 'backupCodes').length === 10 ? undefined : 'expected ten backup codes') },
  );
  await step(
    'Two-factor status',
    `${base}/account/2fa`,
    { headers: bearer(laptopToken) },
    { status: 200, check: (body) => (member(body, 'enabled') === true ? undefined : 'expected 2FA on') },
  );

  const first = await step(
    'Log in again: the password step answers that a code is needed (a short-lived challenge, no token, no cookie)',
    `${base}/auth/login`,
    post({ username: EMAIL, password: PASSWORD }, { 'user-agent': 'demo-phone/2.0' }),
    {
      status: 200,
      check: (body) => (member(body, 'otpRequired') === true && member(body, 'accessToken') === undefined ? undefined : 'expected otpRequired and no token'),
    },
  );
  // The next time step's code: the confirming code was of this step, and a code is accepted once, for a later step (replay refused).
  const phone = await step(
    'Second step: the challenge and a TOTP code → the tokens',
    `${base}/auth/login/otp`,
    post({ challenge: member(first.body, 'challenge'), code: codeAt(secret, Date.now() + 30_000) }, { 'user-agent': 'demo-phone/2.0' }),
    { status: 200, check: (body) => (typeof member(body, 'accessToken') === 'string' ? undefined : 'expected an access token') },
  );
  const phoneToken = String(member(phone.body, 'accessToken'));

  await step(
    'List the sessions: one per login, with its user agent and IP',
    `${base}/account/sessions`,
    { headers: bearer(phoneToken) },
    {
      status: 200,
      check: (body) => {
        const agents = listOf(body, 'sessions')
          .map((session) => String(member(session, 'userAgent')))
          .sort();
        return agents.join() === 'demo-laptop/1.0,demo-phone/2.0' ? undefined : `expected the laptop and phone sessions, got ${agents.join(', ')}`;
      },
    },
  );
  await step(
    'Log out everywhere: every session of the account ends, its tokens are revoked',
    `${base}/account/logout-everywhere`,
    { method: 'POST', headers: bearer(phoneToken) },
    { status: 204 },
  );
  await d.settle();
  await step(
    'Orders refuses the old access token (the revocation store it shares with the auth service)',
    `${orders}/orders`,
    { headers: bearer(laptopToken) },
    { status: 401, error: 'ERR_TOKEN_REVOKED' },
  );
  await step("… and the phone's token", `${orders}/orders`, { headers: bearer(phoneToken) }, { status: 401, error: 'ERR_TOKEN_REVOKED' });
  await step('The revoked token cannot list the sessions either', `${base}/account/sessions`, { headers: bearer(phoneToken) }, { status: 401, error: 'ERR_TOKEN_REVOKED' });
}
