// Every option is validated in the constructor (or configRefresh) with a
// precise ApoJwtConfigError; nothing waits for the first request to fail.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSecretKey, generateKeyPairSync } from 'node:crypto';
import { ApoJwt, ApoJwtConfigError, RemoteJwks, createApoJwt, registerTemplate, type ApoJwtOptions } from '@apojwt/core';
import { AUD, FrozenClock, ISS, REFRESH_SECRET, SECRET, isConfigError, makeApo, rejects } from '../support/core.js';

const base = { secret: SECRET, iss: ISS, serverAudience: AUD };
const make = (extra: Record<string, unknown>) => () => new ApoJwt({ ...base, ...extra } as unknown as ApoJwtOptions);

describe('constructor option validation', () => {
  test('no options object', () => {
    assert.throws(() => new ApoJwt(undefined as unknown as ApoJwtOptions), isConfigError(/needs an options object/));
    assert.throws(() => new ApoJwt(null as unknown as ApoJwtOptions), isConfigError(/needs an options object/));
  });

  for (const [alg, min] of [
    ['HS256', 32],
    ['HS384', 48],
    ['HS512', 64],
  ] as const) {
    test(`${alg}: a secret of ${min - 1} bytes is refused, ${min} accepted`, () => {
      assert.throws(make({ algorithm: alg, secret: 'k'.repeat(min - 1) }), isConfigError(new RegExp(`secret: ${alg} needs a secret of at least ${min} bytes, got ${min - 1}`)));
      assert.throws(make({ algorithm: alg, secret: Buffer.alloc(min - 1, 1) }), isConfigError(new RegExp(`at least ${min} bytes, got ${min - 1}`)));
      assert.throws(make({ algorithm: alg, secret: createSecretKey(Buffer.alloc(min - 1, 1)) }), isConfigError(new RegExp(`at least ${min} bytes, got ${min - 1}`)));
      assert.equal(new ApoJwt({ ...base, algorithm: alg, secret: 'k'.repeat(min) }).algorithm, alg);
    });
  }

  test('secret length is counted in UTF-8 bytes', () => {
    // 16 characters, 32 bytes.
    assert.equal(new ApoJwt({ ...base, secret: 'é'.repeat(16) }).algorithm, 'HS256');
    assert.throws(make({ secret: 'é'.repeat(15) }), isConfigError(/at least 32 bytes, got 30/));
  });

  test('missing, empty or mistyped secret', () => {
    assert.throws(make({ secret: undefined }), isConfigError(/secret is required for HS algorithms/));
    assert.throws(make({ secret: '' }), isConfigError(/^secret must not be empty$/));
    assert.throws(make({ secret: new Uint8Array(0) }), isConfigError(/^secret must not be empty$/));
    assert.throws(make({ secret: 12345 }), isConfigError(/^secret must be a string, a Uint8Array or a KeyObject$/));
  });

  test('an asymmetric key as HS secret is refused', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    assert.throws(make({ secret: publicKey }), isConfigError(/HS256 needs a secret key, got a public key/));
  });

  test('unknown algorithms, none and its case variants', () => {
    for (const algorithm of ['none', 'None', 'NONE', 'nOnE', 'hs256', 'HS', 'HS1024', 'RS1', '', null, 256]) {
      assert.throws(make({ algorithm }), isConfigError(/^algorithm must be one of HS256\/384\/512, RS256\/384\/512, PS256\/384\/512, ES256\/384\/512$/), String(algorithm));
    }
  });

  test('an asymmetric algorithm given a secret', () => {
    assert.throws(make({ algorithm: 'RS256' }), isConfigError(/^RS256 takes a private key, not a secret$/));
    assert.throws(make({ algorithm: 'ES256', secret: undefined }), isConfigError(/a signing key or a keyResolver is required/));
  });

  test('iss must be a non-empty string', () => {
    for (const iss of [undefined, '', 42, ['a']]) assert.throws(make({ iss }), isConfigError(/^iss must be a non-empty string$/));
  });

  test('serverAudience: empty string, empty array, non-strings', () => {
    assert.throws(make({ serverAudience: [] }), isConfigError(/^serverAudience must be a non-empty string or a non-empty array of strings$/));
    assert.throws(make({ serverAudience: undefined }), isConfigError(/^serverAudience must be a non-empty string or a non-empty array of strings$/));
    assert.throws(make({ serverAudience: '' }), isConfigError(/^serverAudience must contain only non-empty strings$/));
    assert.throws(make({ serverAudience: ['a', ''] }), isConfigError(/^serverAudience must contain only non-empty strings$/));
    assert.throws(make({ serverAudience: ['a', 7] }), isConfigError(/^serverAudience must contain only non-empty strings$/));
  });

  test('a string audience is one audience, never split; duplicates collapse', () => {
    assert.deepEqual(new ApoJwt({ ...base, serverAudience: 'a b,c' }).audience, ['a b,c']);
    assert.deepEqual(new ApoJwt({ ...base, serverAudience: ['a', 'b', 'a'] }).audience, ['a', 'b']);
  });

  test('expPeriod: non-finite, negative, zero, fractional, over a year', () => {
    for (const expPeriod of [NaN, Infinity, -Infinity, -1, 0, 1.5, 366 * 24 * 3600 + 1, '900', null]) {
      assert.throws(make({ expPeriod }), isConfigError(/^expPeriod must be a whole number from 1 to 31622400$/), String(expPeriod));
    }
    assert.equal(new ApoJwt({ ...base, expPeriod: 60 }).expPeriod, 60);
    assert.equal(new ApoJwt(base).expPeriod, 900);
  });

  test('clockTolerance: NaN, Infinity, negative and too large never turn a check off', () => {
    for (const clockTolerance of [NaN, Infinity, -Infinity, -1, -0.5, 301, '5', null]) {
      assert.throws(make({ clockTolerance }), isConfigError(/^clockTolerance must be a finite number from 0 to 300$/), String(clockTolerance));
    }
    assert.equal(new ApoJwt({ ...base, clockTolerance: 2.5 }).clockTolerance, 2.5);
    assert.equal(new ApoJwt(base).clockTolerance, 0);
  });

  test('maxTokenBytes', () => {
    for (const maxTokenBytes of [0, -1, NaN, Infinity, 1.5, (1 << 20) + 1]) {
      assert.throws(make({ maxTokenBytes }), isConfigError(/^maxTokenBytes must be a whole number from 1 to 1048576$/), String(maxTokenBytes));
    }
  });

  test('cache option', () => {
    for (const cache of [true, null, 'big', 5]) assert.throws(make({ cache }), isConfigError(/^cache must be false or \{ max \}$/), String(cache));
    for (const max of [0, -1, NaN, Infinity, 2.5, 10_000_001]) {
      assert.throws(make({ cache: { max } }), isConfigError(/^cache\.max must be a whole number from 1 to 10000000$/), String(max));
    }
    assert.ok(new ApoJwt({ ...base, cache: false }));
    assert.ok(new ApoJwt({ ...base, cache: { max: 5 } }));
  });

  test('adminPermission, realm, kid', () => {
    assert.throws(make({ adminPermission: '' }), isConfigError(/^adminPermission must be a non-empty string$/));
    assert.throws(make({ realm: 'a"b' }), isConfigError(/^realm must be printable ASCII without quotes or backslashes$/));
    assert.throws(make({ realm: 'a\\b' }), isConfigError(/^realm must be printable ASCII/));
    assert.throws(make({ realm: 'line\nbreak' }), isConfigError(/^realm must be printable ASCII/));
    assert.throws(make({ kid: '' }), isConfigError(/^kid must be a non-empty string$/));
  });

  test('functions, booleans and stores', () => {
    for (const name of ['now', 'tokenFinder', 'refreshFinder', 'exceptionHandler']) {
      assert.throws(make({ [name]: 'not a function' }), isConfigError(new RegExp(`^${name} must be a function$`)));
    }
    assert.throws(make({ failOpen: 'yes' }), isConfigError(/^failOpen must be a boolean$/));
    assert.throws(make({ pythonCompat: 1 }), isConfigError(/^pythonCompat must be a boolean$/));
    assert.throws(make({ revocationStore: {} }), isConfigError(/^revocationStore must implement isRevoked, revokeToken, revokeSubject, revokeFamily$/));
    assert.throws(make({ rotationStore: { consume: 1 } }), isConfigError(/^rotationStore must implement consume$/));
    assert.throws(make({ keyResolver: {} }), isConfigError(/^keyResolver must have a resolve\(kid, alg\) method$/));
    assert.throws(make({ template: 'no-such-framework' }), isConfigError(/^unknown template "no-such-framework"/));
    assert.throws(make({ template: 5 }), isConfigError(/^template must be a template name or a template object$/));
    assert.throws(make({ template: null }), isConfigError(/^template must be a template name or a template object$/));
    const fn = () => undefined;
    const template = { name: 'custom', tokenFinder: fn, refreshFinder: fn, exceptionHandler: fn, attach: fn };
    assert.equal(new ApoJwt({ ...base, template }).template, template);
    assert.throws(make({ template: { ...template, name: '' } }), isConfigError(/^template\.name must be a non-empty string$/));
    for (const slot of ['tokenFinder', 'refreshFinder', 'exceptionHandler', 'attach']) {
      assert.throws(make({ template: { ...template, [slot]: undefined } }), isConfigError(new RegExp(`^template\\.${slot} must be a function$`)), slot);
    }
    assert.throws(() => registerTemplate({ ...template, attach: 'no' } as never), isConfigError(/^template\.attach must be a function$/));
    registerTemplate({ ...template, name: 'core-test-template' });
    assert.equal(new ApoJwt({ ...base, template: 'core-test-template' }).template?.name, 'core-test-template');
    assert.throws(make({ refresh: 'yes' }), isConfigError(/^configRefresh needs an options object$/));
  });

  test('a clock that returns no number never turns the time checks off', async () => {
    const clock = new FrozenClock();
    const apo = makeApo(clock);
    const token = apo.createToken({ sub: 'u' });
    const broken = makeApo(clock, { now: () => undefined as unknown as number, cache: false });
    await assert.rejects(broken.verify(token), isConfigError(/^now\(\) must return a finite number of milliseconds$/));
    assert.throws(() => broken.createToken({ sub: 'u' }), isConfigError(/^now\(\) must return a finite number of milliseconds$/));
  });
});

describe('configRefresh validation', () => {
  const clock = new FrozenClock();

  test('no options object, missing or short refresh secret', () => {
    const apo = makeApo(clock);
    assert.throws(() => apo.configRefresh(undefined as never), isConfigError(/^configRefresh needs an options object$/));
    assert.throws(() => apo.configRefresh({} as never), isConfigError(/^refreshSecret must be a string, a Uint8Array or a KeyObject$/));
    assert.throws(() => apo.configRefresh({ refreshSecret: '' }), isConfigError(/^refreshSecret must not be empty$/));
    assert.throws(() => apo.configRefresh({ refreshSecret: 'r'.repeat(31) }), isConfigError(/^refreshSecret: HS256 needs a secret of at least 32 bytes, got 31$/));
    assert.throws(() => apo.configRefresh({ refreshSecret: 'r'.repeat(63), refreshAlgorithm: 'HS512' }), isConfigError(/HS512 needs a secret of at least 64 bytes, got 63/));
    assert.equal(apo.refreshEnabled, false, 'a failed configRefresh leaves refresh off');
  });

  test('refreshAlgorithm must be HS*', () => {
    const apo = makeApo(clock);
    for (const refreshAlgorithm of ['RS256', 'none', 'hs256']) {
      assert.throws(() => apo.configRefresh({ refreshSecret: REFRESH_SECRET, refreshAlgorithm } as never), isConfigError(/^refreshAlgorithm must be HS256, HS384 or HS512$/));
    }
  });

  test('periods', () => {
    const apo = makeApo(clock);
    for (const refreshExpPeriod of [0, -5, NaN, Infinity, 1.5, 10 * 366 * 24 * 3600 + 1]) {
      assert.throws(
        () => apo.configRefresh({ refreshSecret: REFRESH_SECRET, refreshExpPeriod }),
        isConfigError(/^refreshExpPeriod must be a whole number from 1 to 316224000$/),
        String(refreshExpPeriod),
      );
    }
    for (const reuseGracePeriod of [-1, NaN, Infinity, 301]) {
      assert.throws(
        () => apo.configRefresh({ refreshSecret: REFRESH_SECRET, reuseGracePeriod }),
        isConfigError(/^reuseGracePeriod must be a finite number from 0 to 300$/),
        String(reuseGracePeriod),
      );
    }
    assert.throws(() => apo.configRefresh({ refreshSecret: REFRESH_SECRET, refreshFinder: 'cookie' as never }), isConfigError(/^refreshFinder must be a function$/));
  });

  test('with pythonCompat the refresh secret must differ from the access secret', () => {
    const apo = makeApo(clock, { pythonCompat: true });
    assert.throws(() => apo.configRefresh({ refreshSecret: SECRET }), isConfigError(/^with pythonCompat the refreshSecret must differ from the access secret$/));
    assert.throws(() => apo.configRefresh({ refreshSecret: Buffer.from(SECRET) }), isConfigError(/must differ from the access secret/));
    assert.throws(() => makeApo(clock, { pythonCompat: true, refresh: { refreshSecret: SECRET } }), isConfigError(/must differ from the access secret/));
    assert.equal(apo.configRefresh({ refreshSecret: REFRESH_SECRET }).refreshEnabled, true);
    // Without pythonCompat equal secrets are safe: the token types keep them apart.
    assert.equal(makeApo(clock).configRefresh({ refreshSecret: SECRET }).refreshEnabled, true);
  });

  test('createApoJwt validates the same way', () => {
    assert.throws(() => createApoJwt({ ...base, secret: 'short' }), isConfigError(/at least 32 bytes, got 5/));
    assert.throws(() => createApoJwt({ ...base, refresh: { refreshSecret: 'short' } }), isConfigError(/^refreshSecret: HS256 needs a secret of at least 32 bytes, got 5$/));
  });

  test('refresh methods without configRefresh are API misuse', async () => {
    const apo = makeApo(clock);
    const token = apo.createToken({ sub: 'u' });
    await assert.rejects(apo.verifyRefresh(token), isConfigError(/^verifyRefresh needs refresh tokens: call configRefresh first$/));
    await assert.rejects(apo.consumeRefresh(token), isConfigError(/^consumeRefresh needs refresh tokens/));
    await rejects(apo.verify(token.slice(0, -1)), 'ERR_SIGNATURE_INVALID');
  });
});

/** Options found wrong when the object is made, with a message naming the option: never at the first request. */
const configError = (pattern: RegExp) => (error: unknown) => error instanceof ApoJwtConfigError && pattern.test(error.message);

test('a misspelt option is refused by name, not silently left at its default', () => {
  const base = { secret: 's'.repeat(40), iss: 'i', serverAudience: 'a' };
  // The typo would have kept the unshared in-memory revocation store: revocations invisible to other instances.
  assert.throws(() => new ApoJwt({ ...base, revocationstore: {} } as never), configError(/^unknown ApoJwt option "revocationstore"$/));
  assert.throws(() => new ApoJwt({ ...base, failopen: false } as never), configError(/unknown ApoJwt option "failopen"/));
  assert.throws(() => new ApoJwt({ ...base, refresh: { refreshSecret: 'r'.repeat(40), reuseGrace: 0 } } as never), configError(/unknown refresh option "reuseGrace"/));
  assert.throws(() => new ApoJwt(base).configRefresh({ refreshSecret: 'r'.repeat(40), expPeriod: 60 } as never), configError(/unknown refresh option "expPeriod"/));
  assert.throws(() => new ApoJwt({ ...base, cache: { size: 10 } } as never), configError(/unknown cache option "size"/));
  assert.throws(() => new RemoteJwks('https://issuer.example/jwks', { timeoutMs: 100 } as never), configError(/unknown jwksOptions option "timeoutMs"/));
  // The message names the option, never its value.
  assert.throws(
    () => new ApoJwt({ ...base, secretKey: 'top-secret-value' } as never),
    (error: unknown) => error instanceof ApoJwtConfigError && !error.message.includes('top-secret-value'),
  );
  assert.ok(new ApoJwt({ ...base, cache: { max: 10 }, refresh: { refreshSecret: 'r'.repeat(40), reuseGracePeriod: 0 } }));
});
