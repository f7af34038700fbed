import { constants, createHmac, timingSafeEqual, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import type { Algorithm } from './algorithms.js';

/**
 * JWS signature check (RFC 7515 §5.2, algorithms of RFC 7518 §3) on node:crypto
 * with a KeyObject built once. jsonwebtoken signs our tokens; verification is
 * done here because verify.ts must run its own steps in its own order, and
 * letting jsonwebtoken parse the token a second time would do that work twice
 * (the figures are in bench/core.md).
 * Cross-checked against jsonwebtoken and jose in the tests.
 */
export function signatureMatches(alg: Algorithm, key: KeyObject, signingInput: string, signature: Buffer): boolean {
  const hash = `sha${alg.slice(2)}`;
  switch (alg.slice(0, 2)) {
    case 'HS': {
      const expected = createHmac(hash, key).update(signingInput).digest();
      return expected.length === signature.length && timingSafeEqual(expected, signature);
    }
    case 'RS':
      return cryptoVerify(hash, Buffer.from(signingInput), key, signature);
    case 'PS':
      return cryptoVerify(
        hash,
        Buffer.from(signingInput),
        {
          key,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
        },
        signature,
      );
    case 'ES':
      // JWS carries ECDSA signatures as r||s (RFC 7518 §3.4), not DER.
      return cryptoVerify(hash, Buffer.from(signingInput), { key, dsaEncoding: 'ieee-p1363' }, signature);
    default:
      return false;
  }
}
