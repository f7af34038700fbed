import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { ApoJwtError, type ApoJwtErrorCode, type AsymmetricAlgorithm } from '@apojwt/core';

export const ASYMMETRIC: readonly AsymmetricAlgorithm[] = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'];

export interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

const CURVES = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' } as const;
const made = new Map<string, KeyPair>();

/** A fresh key pair for `alg` (RSA keys are 2048-bit). `slot` gives distinct keys for one algorithm. */
export function keyPairFor(alg: AsymmetricAlgorithm, slot = 0): KeyPair {
  const family = alg.startsWith('ES') ? alg : 'RSA';
  const id = `${family}/${slot}`;
  let pair = made.get(id);
  if (pair === undefined) {
    pair = alg.startsWith('ES') ? generateKeyPairSync('ec', { namedCurve: CURVES[alg as keyof typeof CURVES] }) : generateKeyPairSync('rsa', { modulusLength: 2048 });
    made.set(id, pair);
  }
  return pair;
}

export function pem(key: KeyObject): string {
  return key.export({ format: 'pem', type: key.type === 'private' ? 'pkcs8' : 'spki' }) as string;
}

/** A predicate for assert.rejects/throws: an ApoJwtError with this code and its status. */
export function apoError(code: ApoJwtErrorCode, status: number) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof ApoJwtError, `expected ApoJwtError ${code}, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.equal(error.status, status);
    return true;
  };
}

export function configError(fragment: string) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof TypeError, `expected a config error, got ${String(error)}`);
    assert.equal((error as { code?: string }).code, 'ERR_APOJWT_CONFIG');
    assert.ok((error as Error).message.includes(fragment), `message "${(error as Error).message}" lacks "${fragment}"`);
    return true;
  };
}

export function headerOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** Fails the test file when any promise rejection goes unhandled. */
export function failOnUnhandledRejections(): { check(): void } {
  const seen: unknown[] = [];
  process.on('unhandledRejection', (reason) => {
    seen.push(reason);
  });
  return {
    check() {
      assert.deepEqual(seen, [], 'unhandled promise rejections');
    },
  };
}
