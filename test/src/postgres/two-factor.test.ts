import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Secret, TOTP } from 'otpauth';
import { BACKUP_CODE_COUNT, PostgresTwoFactor, type Database } from '@apojwt/postgres';
import { apoError, configError } from '../support/helpers.js';
import { engines } from './engines.js';

const invalid = apoError('ERR_OTP_INVALID', 401);

describe('RFC 6238 Appendix B test vectors, through the library PostgresTwoFactor uses', () => {
  const seeds = { SHA1: '12345678901234567890', SHA256: '12345678901234567890123456789012', SHA512: '1234567890123456789012345678901234567890123456789012345678901234' } as const;
  const vectors: [number, string, string, string][] = [
    [59, '94287082', '46119246', '90693936'],
    [1111111109, '07081804', '68084774', '25091201'],
    [1111111111, '14050471', '67062674', '99943326'],
    [1234567890, '89005924', '91819424', '93441116'],
    [2000000000, '69279037', '90698825', '38618901'],
    [20000000000, '65353130', '77737706', '47863826'],
  ];
  for (const [time, sha1, sha256, sha512] of vectors) {
    test(`T = ${time}`, () => {
      for (const [algorithm, expected] of [
        ['SHA1', sha1],
        ['SHA256', sha256],
        ['SHA512', sha512],
      ] as const) {
        const totp = new TOTP({ algorithm, digits: 8, period: 30, secret: Secret.fromLatin1(seeds[algorithm]) });
        assert.equal(totp.generate({ timestamp: time * 1000 }), expected, algorithm);
      }
    });
  }
});

async function twoFactorOn(db: Database) {
  const clock = { ms: Date.UTC(2026, 0, 1, 12, 0, 0) };
  const twoFactor = new PostgresTwoFactor({ db, issuer: 'Apojwt Demo', now: () => clock.ms });
  const codeAt = (secret: string, ms = clock.ms) => new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({ timestamp: ms });
  return { twoFactor, clock, codeAt };
}

for (const engine of engines()) {
  describe(`PostgresTwoFactor on ${engine.name}`, () => {
    const withTwoFactor = async (body: (t: Awaited<ReturnType<typeof twoFactorOn>> & { db: Database }) => Promise<void>) => {
      const { db, close } = await engine.fresh();
      try {
        await body({ ...(await twoFactorOn(db)), db });
      } finally {
        await close();
      }
    };

    test('enrol gives a secret, an otpauth:// URI and an SVG QR code; a first code confirms and gives ten backup codes', () =>
      withTwoFactor(async ({ twoFactor, codeAt }) => {
        const enrolment = await twoFactor.enrol('u1', 'alice@example.com');
        assert.match(enrolment.secret, /^[A-Z2-7]{32}$/);
        assert.match(enrolment.uri, /^otpauth:\/\/totp\/Apojwt%20Demo:alice%40example\.com\?/);
        assert.match(enrolment.uri, /secret=[A-Z2-7]{32}/);
        assert.match(enrolment.qrSvg, /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
        assert.equal(await twoFactor.isEnabled('u1'), false, 'not before a first code');
        await assert.rejects(twoFactor.verify('u1', codeAt(enrolment.secret)), invalid, 'an unconfirmed secret logs nobody in');
        await assert.rejects(twoFactor.confirm('u1', '000000'), invalid);
        const codes = await twoFactor.confirm('u1', codeAt(enrolment.secret));
        assert.equal(codes.length, BACKUP_CODE_COUNT);
        assert.equal(new Set(codes).size, BACKUP_CODE_COUNT);
        for (const code of codes) assert.match(code, /^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/);
        assert.equal(await twoFactor.isEnabled('u1'), true);
        assert.equal(await twoFactor.backupCodesLeft('u1'), 10);
      }));

    test('a TOTP code is accepted once: replayed within its window, refused; the next step works; old steps never', () =>
      withTwoFactor(async ({ twoFactor, clock, codeAt }) => {
        const { secret } = await twoFactor.enrol('u1', 'alice');
        await twoFactor.confirm('u1', codeAt(secret)); // uses the current step
        await assert.rejects(twoFactor.verify('u1', codeAt(secret)), invalid, 'the confirming code again');
        clock.ms += 30_000;
        const code = codeAt(secret);
        assert.deepEqual(await twoFactor.verify('u1', code), { kind: 'totp' });
        await assert.rejects(twoFactor.verify('u1', code), invalid, 'replayed in the same step');
        clock.ms += 10_000;
        await assert.rejects(twoFactor.verify('u1', code), invalid, 'replayed while still inside the window');
        await assert.rejects(twoFactor.verify('u1', codeAt(secret, clock.ms - 60_000)), invalid, 'an earlier step');
        clock.ms += 30_000;
        assert.deepEqual(await twoFactor.verify('u1', codeAt(secret)), { kind: 'totp' });
        clock.ms += 120_000;
        await assert.rejects(twoFactor.verify('u1', codeAt(secret, clock.ms - 120_000)), invalid, 'outside the window');
        for (const bad of ['', '12345', '1234567', 'abcdef', "' OR 1=1", 123456, null, undefined]) await assert.rejects(twoFactor.verify('u1', bad), invalid, String(bad));
      }));

    test('concurrent uses of one code: exactly one is accepted', () =>
      withTwoFactor(async ({ twoFactor, clock, codeAt }) => {
        const { secret } = await twoFactor.enrol('u1', 'alice');
        await twoFactor.confirm('u1', codeAt(secret));
        clock.ms += 30_000;
        const code = codeAt(secret);
        const results = await Promise.allSettled(Array.from({ length: 6 }, () => twoFactor.verify('u1', code)));
        assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      }));

    test('backup codes: single-use, typed in any case with or without dashes, stored only as hashes', () =>
      withTwoFactor(async ({ twoFactor, codeAt, db }) => {
        const { secret } = await twoFactor.enrol('u1', 'alice');
        const codes = await twoFactor.confirm('u1', codeAt(secret));
        const [first, second] = codes as [string, string];
        assert.deepEqual(await twoFactor.verify('u1', first), { kind: 'backup' });
        await assert.rejects(twoFactor.verify('u1', first), invalid, 'used');
        assert.deepEqual(await twoFactor.verify('u1', second.toUpperCase().replace(/-/g, ' ')), { kind: 'backup' });
        assert.equal(await twoFactor.backupCodesLeft('u1'), 8);
        const { rows } = await db.query<{ code_hash: string }>('SELECT code_hash FROM apojwt_backup_codes');
        for (const row of rows) for (const code of codes) assert.ok(!row.code_hash.includes(code.replace(/-/g, '')));
        await assert.rejects(twoFactor.verify('u2', codes[2]), invalid, "another account's code");
      }));

    test('disable needs a valid code; enrolling again while on is refused', () =>
      withTwoFactor(async ({ twoFactor, clock, codeAt }) => {
        const { secret } = await twoFactor.enrol('u1', 'alice');
        const codes = await twoFactor.confirm('u1', codeAt(secret));
        await assert.rejects(twoFactor.enrol('u1', 'alice'), apoError('ERR_TWO_FACTOR_ENABLED', 409));
        await assert.rejects(twoFactor.disable('u1', '000000'), invalid);
        assert.equal(await twoFactor.isEnabled('u1'), true);
        clock.ms += 30_000;
        await twoFactor.disable('u1', codes[0]);
        assert.equal(await twoFactor.isEnabled('u1'), false);
        assert.equal(await twoFactor.backupCodesLeft('u1'), 0);
        await assert.rejects(twoFactor.verify('u1', codes[1]), invalid);
        const again = await twoFactor.enrol('u1', 'alice');
        assert.notEqual(again.secret, secret, 'a new secret');
      }));

    test('options are checked at construction', () =>
      withTwoFactor(async ({ db }) => {
        assert.throws(() => new PostgresTwoFactor({ db, issuer: '' }), configError('issuer'));
        assert.throws(() => new PostgresTwoFactor({ db, issuer: 'a:b' }), configError('issuer'));
        assert.throws(() => new PostgresTwoFactor({ db, issuer: 'x', window: 3 } as never), configError('window'));
        assert.throws(() => new PostgresTwoFactor({ db: {} as never, issuer: 'x' }), configError('db'));
      }));
  });
}
