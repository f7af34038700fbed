// The hostile-input list: each entry is rejected with its own code, and no
// message carries the token, the secret or a claim value.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, createSign, generateKeyPairSync } from 'node:crypto';
import { ApoJwt, LocalKeyRing, type ApoJwtErrorCode } from '@apojwt/core';
import { AUD, FrozenClock, ISS, SECRET, accessHeader, accessPayload, b64, claimValues, makeApo, rejects, signRaw } from '../support/core.js';

const clock = new FrozenClock();
const apo = makeApo(clock, { cache: false });
const header = accessHeader(apo);
const payload = accessPayload(clock);
const good = signRaw(header, payload);
const [goodH, goodP, goodS] = good.split('.') as [string, string, string];

function safeClaims(token: string): string[] {
  try {
    return claimValues(token);
  } catch {
    return [token];
  }
}

async function expectCode(name: string, token: string, code: ApoJwtErrorCode, verifier: ApoJwt = apo): Promise<void> {
  await test(name, async () => {
    await rejects(verifier.verify(token), code, safeClaims(token));
  });
}

describe('hostile input', async () => {
  test('the control token is valid', async () => {
    assert.equal((await apo.verify(good)).sub, 'user-7731');
  });

  // alg none and its case variants: an empty signature is not a JWS segment
  // (malformed); any signature with alg none is refused by the allow-list.
  for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
    const unsigned = `${b64({ ...header, alg })}.${goodP}`;
    await expectCode(`alg ${alg}, empty signature`, `${unsigned}.`, 'ERR_TOKEN_MALFORMED');
    await expectCode(`alg ${alg}, non-empty signature`, `${unsigned}.${goodS}`, 'ERR_ALGORITHM_NOT_ALLOWED');
    await expectCode(`alg ${alg}, no signature segment`, unsigned, 'ERR_TOKEN_MALFORMED');
  }
  await expectCode('alg missing', signRaw({ typ: 'at+jwt' }, payload), 'ERR_TOKEN_MALFORMED');
  await expectCode('alg not a string', signRaw({ alg: ['HS256'], typ: 'at+jwt' }, payload), 'ERR_TOKEN_MALFORMED');
  await expectCode('alg lower case hs256', signRaw({ ...header, alg: 'hs256' }, payload), 'ERR_ALGORITHM_NOT_ALLOWED');

  // HS/RS confusion (CVE-2015-9235).
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
  await expectCode(
    'HS instance, RS256-headed token',
    (() => {
      const input = `${b64({ ...header, alg: 'RS256' })}.${goodP}`;
      return `${input}.${createSign('RSA-SHA256').update(input).sign(privateKey, 'base64url')}`;
    })(),
    'ERR_ALGORITHM_NOT_ALLOWED',
  );
  const rsVerifier = new ApoJwt({
    algorithm: 'RS256',
    iss: ISS,
    serverAudience: AUD,
    now: clock.now,
    cache: false,
    keyResolver: new LocalKeyRing([{ kid: 'rsa-1', alg: 'RS256', key: publicKey }]),
  });
  await expectCode(
    'RS instance, HS256 token signed with the RSA public key PEM as secret',
    signRaw({ alg: 'HS256', typ: 'at+jwt', kid: 'rsa-1' }, payload, publicPem),
    'ERR_ALGORITHM_NOT_ALLOWED',
    rsVerifier,
  );
  await expectCode(
    'RS instance, RS256-headed token HMAC-signed with the public key PEM',
    (() => {
      const input = `${b64({ alg: 'RS256', typ: 'at+jwt', kid: 'rsa-1' })}.${goodP}`;
      return `${input}.${createHmac('sha256', publicPem).update(input).digest('base64url')}`;
    })(),
    'ERR_SIGNATURE_INVALID',
    rsVerifier,
  );
  test('RS instance accepts a real RS256 token (control)', async () => {
    const input = `${b64({ alg: 'RS256', typ: 'at+jwt', kid: 'rsa-1' })}.${goodP}`;
    const token = `${input}.${createSign('RSA-SHA256').update(input).sign(privateKey, 'base64url')}`;
    assert.equal((await rsVerifier.verify(token)).sub, 'user-7731');
  });

  // An embedded key in the header is never trusted.
  const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 });
  await expectCode(
    'embedded jwk header',
    (() => {
      const input = `${b64({ alg: 'RS256', typ: 'at+jwt', jwk: attacker.publicKey.export({ format: 'jwk' }) })}.${goodP}`;
      return `${input}.${createSign('RSA-SHA256').update(input).sign(attacker.privateKey, 'base64url')}`;
    })(),
    'ERR_SIGNATURE_INVALID',
    rsVerifier,
  );

  // Shape.
  await expectCode('two segments', `${goodH}.${goodP}`, 'ERR_TOKEN_MALFORMED');
  await expectCode('four segments', `${good}.${goodS}`, 'ERR_TOKEN_MALFORMED');
  await expectCode('one segment', goodH, 'ERR_TOKEN_MALFORMED');
  await expectCode('empty header', `.${goodP}.${goodS}`, 'ERR_TOKEN_MALFORMED');
  await expectCode('empty payload', `${goodH}..${goodS}`, 'ERR_TOKEN_MALFORMED');
  await expectCode('empty signature', `${goodH}.${goodP}.`, 'ERR_TOKEN_MALFORMED');
  await expectCode('only dots', '..', 'ERR_TOKEN_MALFORMED');
  await expectCode('1000 dots', '.'.repeat(1000), 'ERR_TOKEN_MALFORMED');
  await expectCode('segments joined by 1000 dots', `${goodH}${'.'.repeat(1000)}${goodS}`, 'ERR_TOKEN_MALFORMED');
  await expectCode('JWE-like five segments', `${goodH}.a.b.c.d`, 'ERR_TOKEN_MALFORMED');

  // Non-object payloads, correctly signed: the payload must be a JSON object.
  for (const [label, value] of [
    ['array', [payload]],
    ['string', 'a string'],
    ['number', 42],
    ['null', null],
    ['true', true],
  ] as const) {
    await expectCode(`payload is ${label}`, signRaw(header, value), 'ERR_TOKEN_MALFORMED');
  }
  test('payload that is not JSON, correctly signed', async () => {
    const input = `${goodH}.${Buffer.from('{"sub":').toString('base64url')}`;
    await rejects(apo.verify(`${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`), 'ERR_TOKEN_MALFORMED');
  });
  for (const [label, value] of [
    ['array', [header]],
    ['string', 'HS256'],
    ['number', 1],
    ['null', null],
  ] as const) {
    await expectCode(`header is ${label}`, signRaw(value, payload), 'ERR_TOKEN_MALFORMED');
  }
  await expectCode('header not JSON', `${b64('{alg:HS256}')}.${goodP}.${goodS}`, 'ERR_TOKEN_MALFORMED');
  await expectCode('crit header', signRaw({ ...header, crit: ['exp'] }, payload), 'ERR_TOKEN_MALFORMED');
  await expectCode('crit header with b64 false', signRaw({ ...header, crit: ['b64'], b64: false }, payload), 'ERR_TOKEN_MALFORMED');
  await expectCode('typ not a string', signRaw({ ...header, typ: 1 }, payload), 'ERR_TOKEN_MALFORMED');
  await expectCode('kid not a string', signRaw({ ...header, kid: { k: 1 } }, payload), 'ERR_TOKEN_MALFORMED');

  // Parser abuse before the signature check: deep nesting, duplicate keys.
  await expectCode('header of 2500 nested arrays', `${b64('['.repeat(2500) + ']'.repeat(2500))}.${goodP}.${goodS}`, 'ERR_TOKEN_MALFORMED');
  await expectCode('header of 700 nested objects', `${b64('{"a":'.repeat(700) + '1' + '}'.repeat(700))}.${goodP}.${goodS}`, 'ERR_TOKEN_MALFORMED');
  const roomy = makeApo(clock, { cache: false, maxTokenBytes: 1 << 20 });
  await expectCode('header of 300 000 nested arrays (maxTokenBytes 1 MiB)', `${b64('['.repeat(300_000) + ']'.repeat(300_000))}.${goodP}.${goodS}`, 'ERR_TOKEN_MALFORMED', roomy);
  await expectCode('duplicate alg keys, none last', `${b64(`{"alg":"HS256","typ":"at+jwt","kid":"${String(header['kid'])}","alg":"none"}`)}.${goodP}.${goodS}`, 'ERR_ALGORITHM_NOT_ALLOWED');
  await expectCode(
    'duplicate alg keys, HS256 last, unsigned',
    `${b64(`{"alg":"none","typ":"at+jwt","kid":"${String(header['kid'])}","alg":"HS256"}`)}.${goodP}.${goodS}`,
    'ERR_SIGNATURE_INVALID',
  );
  await expectCode(
    '__proto__ in the header does not supply typ',
    signRaw(JSON.parse(`{"alg":"HS256","kid":"${String(header['kid'])}","__proto__":{"typ":"at+jwt"}}`), payload),
    'ERR_TOKEN_TYPE_INVALID',
  );
  test('__proto__ in the payload does not supply perms', async () => {
    const { perms: _perms, ...rest } = payload;
    const raw = JSON.stringify(rest).replace(/^\{/, '{"__proto__":{"perms":["*"]},');
    const input = `${goodH}.${Buffer.from(raw).toString('base64url')}`;
    await rejects(apo.verify(`${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`), 'ERR_CLAIM_INVALID');
  });

  // Claims with the wrong shape, correctly signed.
  await expectCode('perms not an array', signRaw(header, { ...payload, perms: 'orders:*' }), 'ERR_CLAIM_INVALID');
  await expectCode('perms an object', signRaw(header, { ...payload, perms: { 0: '*', length: 1 } }), 'ERR_CLAIM_INVALID');
  await expectCode('exp as a string', signRaw(header, { ...payload, exp: '99999999999' }), 'ERR_CLAIM_INVALID');
  await expectCode(
    'exp as a huge exponent literal (Infinity after parse)',
    (() => {
      const input = `${goodH}.${Buffer.from(JSON.stringify(payload).replace(/"exp":\d+/, '"exp":1e999')).toString('base64url')}`;
      return `${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`;
    })(),
    'ERR_CLAIM_INVALID',
  );

  // Size.
  await expectCode('oversized (> 8 KiB)', signRaw(header, { ...payload, data: { blob: 'A'.repeat(9000) } }), 'ERR_TOKEN_TOO_LARGE');
  await expectCode('oversized garbage, not even a JWS', 'x'.repeat(100_000), 'ERR_TOKEN_TOO_LARGE');
  await expectCode('oversized for maxTokenBytes 64', good, 'ERR_TOKEN_TOO_LARGE', makeApo(clock, { maxTokenBytes: 64 }));

  // Encoding.
  await expectCode('standard base64 "+" in payload', `${goodH}.${goodP.slice(0, -1)}+.${goodS}`, 'ERR_TOKEN_MALFORMED');
  await expectCode('standard base64 "/" in signature', `${goodH}.${goodP}.${goodS.slice(0, -1)}/`, 'ERR_TOKEN_MALFORMED');
  await expectCode('padding "=" on the signature', `${good}=`, 'ERR_TOKEN_MALFORMED');
  await expectCode('padding "=" on the header', `${goodH}=.${goodP}.${goodS}`, 'ERR_TOKEN_MALFORMED');
  await expectCode('non-ASCII in the payload', `${goodH}.${goodP}é.${goodS}`, 'ERR_TOKEN_MALFORMED');
  await expectCode('non-ASCII look-alike dot', `${goodH}\u2024${goodP}.${goodS}`, 'ERR_TOKEN_MALFORMED');
  await expectCode('NUL byte', `${good}\u0000`, 'ERR_TOKEN_MALFORMED');
  await expectCode('leading space', ` ${good}`, 'ERR_TOKEN_MALFORMED');
  await expectCode('trailing newline', `${good}\n`, 'ERR_TOKEN_MALFORMED');
  await expectCode('space inside', `${goodH}. ${goodP}.${goodS}`, 'ERR_TOKEN_MALFORMED');
  await expectCode('"Bearer " prefix left on', `Bearer ${good}`, 'ERR_TOKEN_MALFORMED');

  // Signature tampering: one changed byte, a truncated or extended signature,
  // and non-canonical base64url (same bytes, different text).
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const lastIndex = alphabet.indexOf(goodS.at(-1)!);
  await expectCode('signature truncated by one char', good.slice(0, -1), 'ERR_SIGNATURE_INVALID');
  await expectCode('signature extended by one char', `${good}A`, 'ERR_SIGNATURE_INVALID');
  await expectCode('signature of another token', `${goodH}.${goodP}.${apo.createToken({ sub: 'other' }).split('.')[2]}`, 'ERR_SIGNATURE_INVALID');
  await expectCode('signature, unused low bits of the last char set (non-canonical)', `${good.slice(0, -1)}${alphabet[lastIndex ^ 1]}`, 'ERR_SIGNATURE_INVALID');
  await expectCode('signature, other unused low bit set (non-canonical)', `${good.slice(0, -1)}${alphabet[lastIndex ^ 2]}`, 'ERR_SIGNATURE_INVALID');
  await expectCode('non-string token (number)', 42 as never, 'ERR_TOKEN_MALFORMED');
  await expectCode('non-string token (object)', { toString: () => good } as never, 'ERR_TOKEN_MALFORMED');
});
