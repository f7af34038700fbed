import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_EMAIL_BYTES, normaliseEmail, normaliseIdentifier, normaliseUsername } from '@apojwt/postgres';
import { apoError } from '../support/helpers.js';

describe('normaliseIdentifier: NFKC, then lower-case', () => {
  test('compatibility forms, composed and decomposed accents and case become one value', () => {
    assert.equal(normaliseIdentifier('Ｂｏｂ'), 'bob', 'full-width letters');
    assert.equal(normaliseIdentifier('Ｅ\u0301lise'), normaliseIdentifier('Élise'), 'e + combining acute is é');
    assert.equal(normaliseIdentifier('ﬁona'), 'fiona', 'the fi ligature');
    assert.equal(normaliseIdentifier('ALICE@EXAMPLE.COM'), 'alice@example.com');
    assert.equal(normaliseIdentifier('ǅ'), 'dž', 'the title-case digraph is d + ž');
  });
});

describe('normaliseEmail', () => {
  test('stores the normalised address', () => {
    assert.equal(normaliseEmail('Alice.Smith+news@Example.COM'), 'alice.smith+news@example.com');
    assert.equal(normaliseEmail('ｂｏｂ@ｅｘａｍｐｌｅ．ｃｏｍ'), 'bob@example.com', 'full-width, including the dot');
    assert.equal(normaliseEmail('jörg@müller.de'), 'jörg@müller.de', 'internationalised address');
  });

  test('malformed addresses are ERR_EMAIL_INVALID (400)', () => {
    const bad: unknown[] = [
      '',
      'plain',
      '@example.com',
      'alice@',
      'alice@localhost',
      'alice@@example.com',
      'al ice@example.com',
      ' alice@example.com',
      'alice@example.com ',
      '"quoted"@example.com',
      'a<b>@example.com',
      '.alice@example.com',
      'alice.@example.com',
      'al..ice@example.com',
      'alice@-example.com',
      'alice@example..com',
      'alice@[127.0.0.1]',
      'ali\u200bce@example.com',
      'alice\u202e@example.com',
      'alice\n@example.com',
      `${'a'.repeat(65)}@example.com`,
      `a@${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.${'e'.repeat(70)}.com`,
      "x'; DROP TABLE apojwt_users; --@example.com",
      42,
      null,
      undefined,
      { email: 'a@b.c' },
    ];
    for (const input of bad) assert.throws(() => normaliseEmail(input), apoError('ERR_EMAIL_INVALID', 400), String(input));
    assert.ok(Buffer.byteLength(`a@${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.${'e'.repeat(70)}.com`) > MAX_EMAIL_BYTES);
  });
});

describe('normaliseUsername', () => {
  test('letters and digits of any script, ".", "_", "-"; normalised', () => {
    assert.equal(normaliseUsername('Alice_01'), 'alice_01');
    assert.equal(normaliseUsername('ＡＬＩＣＥ'), 'alice');
    assert.equal(normaliseUsername('José'), normaliseUsername('Jose\u0301'), 'composed and decomposed é are one name');
    assert.equal(normaliseUsername('Ἀθηνᾶ'), 'ἀθηνᾶ');
    assert.equal(normaliseUsername('ユーザー'), 'ユーザー');
  });

  test('invisible, spacing, bidi-control and punctuation characters, wrong lengths: ERR_USERNAME_INVALID (400)', () => {
    const bad: unknown[] = [
      'ab',
      'a'.repeat(33),
      '',
      'ali ce',
      'ali\u200bce',
      'ali\u200dce',
      'ali\u202ece',
      '\u00a0alice',
      'alice@example',
      "alice'--",
      'alice;drop',
      '_alice',
      '.alice',
      'al\tice',
      'alice\u0000',
      7,
      null,
    ];
    for (const input of bad) assert.throws(() => normaliseUsername(input), apoError('ERR_USERNAME_INVALID', 400), JSON.stringify(input));
  });
});
