import { ApoJwtConfigError } from './errors.js';
import { isSymmetric, type Algorithm } from './algorithms.js';
import { LocalKeyRing, makeSigningKey, secretToKeyObject, soleKeyForMissingKid, type KeyResolver, type SigningKey } from './keys.js';
import { KeyRing } from './key-ring.js';
import { RemoteJwks } from './remote-jwks.js';
import type { Clock } from './clock.js';
import { splitKeySpec, type KeyInput, type KeySpec } from './key-input.js';
import type { ApoJwtOptions } from './options.js';
import { nonEmptyString } from './validate.js';

export interface ConfiguredKeys {
  /** HS instances: the one secret key. */
  readonly hmacKey: SigningKey | undefined;
  /** RS/PS/ES instances with local keys: the ring that signs (issuer) and verifies. */
  readonly keyRing: KeyRing | undefined;
  /** What verification asks for a key by kid. */
  readonly resolver: KeyResolver;
}

// Each of these says where an asymmetric instance gets its keys; exactly one may be given.
const ASYMMETRIC_SOURCES = ['privateKey', 'publicKeys', 'jwksUri', 'keyRing', 'keyResolver'] as const;

/**
 * Turns the key options into signing and verification keys, or throws an
 * ApoJwtConfigError naming the option at fault. HS takes `secret`;
 * RS/PS/ES take exactly one of: `privateKey` (+ `previousKeys`), an issuer;
 * `publicKeys` or `jwksUri`, a verifier; a `keyRing`; or a `keyResolver`.
 */
export function configureKeys(options: ApoJwtOptions, algorithm: Algorithm, clock: Clock): ConfiguredKeys {
  if (options.kid !== undefined) nonEmptyString('kid', options.kid);
  if (options.keyResolver !== undefined && typeof options.keyResolver?.resolve !== 'function') {
    throw new ApoJwtConfigError('keyResolver must have a resolve(kid, alg) method');
  }
  const given = ASYMMETRIC_SOURCES.filter((name) => options[name] !== undefined);

  if (isSymmetric(algorithm)) {
    const misplaced = given.find((name) => name !== 'keyResolver') ?? (options.previousKeys !== undefined ? 'previousKeys' : undefined);
    if (misplaced !== undefined) throw new ApoJwtConfigError(`${misplaced} is for RS/PS/ES algorithms; ${algorithm} takes a secret`);
    const hmacKey = options.secret === undefined ? undefined : makeSigningKey(secretToKeyObject(options.secret, 'secret'), algorithm, options.kid, 'secret');
    const resolver = options.keyResolver ?? (hmacKey && new LocalKeyRing([hmacKey]));
    if (resolver === undefined) throw new ApoJwtConfigError('secret is required for HS algorithms');
    return { hmacKey, keyRing: undefined, resolver };
  }

  if (options.secret !== undefined) throw new ApoJwtConfigError(`${algorithm} takes a private key, not a secret`);
  if (given.length === 0) {
    throw new ApoJwtConfigError(`a signing key or a keyResolver is required: ${algorithm} takes privateKey (to issue), publicKeys or jwksUri (to verify), keyRing or keyResolver`);
  }
  if (given.length > 1) throw new ApoJwtConfigError(`give only one of ${given.join(', ')}`);
  if (options.previousKeys !== undefined && options.privateKey === undefined) throw new ApoJwtConfigError('previousKeys goes with privateKey');
  if (options.kid !== undefined && options.privateKey === undefined) throw new ApoJwtConfigError('kid names the privateKey; give kids of public keys as { key, kid }');
  if (options.jwksOptions !== undefined && options.jwksUri === undefined) throw new ApoJwtConfigError('jwksOptions goes with jwksUri');

  if (options.keyResolver !== undefined) return { hmacKey: undefined, keyRing: undefined, resolver: options.keyResolver };
  if (options.jwksUri !== undefined) {
    const remote = new RemoteJwks(options.jwksUri, { now: clock, ...options.jwksOptions });
    return { hmacKey: undefined, keyRing: undefined, resolver: remote };
  }
  let ring: KeyRing;
  if (options.keyRing !== undefined) {
    if (!(options.keyRing instanceof KeyRing)) throw new ApoJwtConfigError('keyRing must be a KeyRing');
    if (options.keyRing.algorithm !== algorithm) throw new ApoJwtConfigError(`keyRing serves ${options.keyRing.algorithm}, but algorithm is ${algorithm}`);
    ring = options.keyRing;
  } else if (options.privateKey !== undefined) {
    if (options.previousKeys !== undefined && !Array.isArray(options.previousKeys)) throw new ApoJwtConfigError('previousKeys must be an array of keys');
    ring = new KeyRing(
      {
        algorithm,
        verificationKeys: options.previousKeys ?? [],
        signingKey: options.kid === undefined ? options.privateKey : { key: keyWithoutKid(options.privateKey), kid: options.kid },
      },
      { signingKey: 'privateKey', verificationKeys: 'previousKeys' },
    );
  } else {
    if (!Array.isArray(options.publicKeys) || options.publicKeys.length === 0) throw new ApoJwtConfigError('publicKeys must be a non-empty array of keys');
    ring = new KeyRing({ algorithm, verificationKeys: options.publicKeys }, { signingKey: 'privateKey', verificationKeys: 'publicKeys' });
  }
  // Local keys only: a remote JWK Set changes under us, so there a token must name its key.
  return { hmacKey: undefined, keyRing: ring, resolver: soleKeyForMissingKid(ring) };
}

/** `kid` and a kid inside `privateKey` would disagree sooner or later: one place only. */
function keyWithoutKid(spec: KeySpec): KeyInput {
  const { input, kid } = splitKeySpec(spec, 'privateKey');
  if (kid !== undefined) throw new ApoJwtConfigError('give the kid once: either the kid option or inside privateKey');
  return input;
}
