import type { KeyObject } from 'node:crypto';
import { ApoJwtConfigError, ApoJwtError } from './errors.js';
import { isAlgorithm, isSymmetric, type Algorithm, type AsymmetricAlgorithm } from './algorithms.js';
import { makeSigningKey, thumbprint, type KeyResolver, type SigningKey, type VerificationKey } from './keys.js';
import { publicHalf, splitKeySpec, toAsymmetricKey, type KeySpec } from './key-input.js';
import { publicJwk, type PublicJwk, type JwkSet } from './jwks.js';

export interface KeyRingOptions {
  /** The one algorithm every key of the ring serves: RS/PS/ES 256/384/512. */
  algorithm: AsymmetricAlgorithm;
  /** The private key that signs new tokens. Absent on a verifier. */
  signingKey?: KeySpec;
  /** Keys that still verify (older signing keys, or an issuer's public keys). Private keys are reduced to their public half. */
  verificationKeys?: readonly KeySpec[];
}

interface RingEntry extends VerificationKey {
  readonly jwk: PublicJwk;
}

/**
 * The asymmetric keys of one instance: at most one active signing key, and
 * every key that still verifies, by `kid`. Rotation without downtime:
 * `rotate(next)` makes `next` sign while the previous key keeps verifying
 * the tokens it signed; `retire(kid)` drops it once those tokens expired.
 * Only public halves are kept for verification and published in the JWKS.
 */
export class KeyRing implements KeyResolver {
  readonly algorithm: AsymmetricAlgorithm;
  private readonly byKid = new Map<string, RingEntry>();
  private current: SigningKey | undefined;
  private published: JwkSet | undefined;
  private retirements = 0;

  /** `names` (internal) only changes how error messages call the two options: ApoJwt's privateKey/previousKeys/publicKeys. */
  constructor(options: KeyRingOptions, names = { signingKey: 'signingKey', verificationKeys: 'verificationKeys' }) {
    if (options === null || typeof options !== 'object') throw new ApoJwtConfigError('KeyRing needs an options object');
    if (!isAlgorithm(options.algorithm) || isSymmetric(options.algorithm)) {
      throw new ApoJwtConfigError('KeyRing algorithm must be one of RS256/384/512, PS256/384/512, ES256/384/512');
    }
    this.algorithm = options.algorithm;
    const verificationKeys = options.verificationKeys ?? [];
    if (!Array.isArray(verificationKeys)) throw new ApoJwtConfigError(`${names.verificationKeys} must be an array of keys`);
    verificationKeys.forEach((spec, i) => this.addPublic(spec, `${names.verificationKeys}[${i}]`));
    if (options.signingKey !== undefined) this.install(options.signingKey, names.signingKey);
    if (this.byKid.size === 0) throw new ApoJwtConfigError('KeyRing needs a signingKey or at least one verification key');
  }

  /** The key new tokens are signed with, or undefined on a verifier. */
  get signingKey(): SigningKey | undefined {
    return this.current;
  }

  /** Changes whenever a key stops verifying (`retire`): verified-token caches drop what they hold. */
  get keyEpoch(): number {
    return this.retirements;
  }

  /** Every kid that currently verifies. */
  get kids(): string[] {
    return [...this.byKid.keys()];
  }

  /**
   * Makes `next` (a private key) the signing key. The previous one keeps
   * verifying until `retire(kid)`. Returns the new signing key (its kid).
   */
  rotate(next: KeySpec): SigningKey {
    return this.install(next, 'rotate');
  }

  /** Stops accepting tokens signed by `kid` and removes it from the JWKS. The signing key cannot be retired. */
  retire(kid: string): void {
    if (this.current?.kid === kid) throw new ApoJwtConfigError('retire: the active signing key cannot be retired; rotate first');
    if (!this.byKid.delete(kid)) throw new ApoJwtConfigError(`retire: no key with kid "${kid}" in the ring`);
    this.published = undefined;
    this.retirements += 1;
  }

  /** Adds a key that verifies but never signs (e.g. a peer's public key). Returns its kid. */
  addVerificationKey(spec: KeySpec): string {
    return this.addPublic(spec, 'addVerificationKey');
  }

  private install(next: KeySpec, label: string): SigningKey {
    const { input, kid } = splitKeySpec(next, label);
    const privateKey = toAsymmetricKey(input, 'private', label);
    const signing = makeSigningKey(privateKey, this.algorithm, kid ?? thumbprint(publicHalf(privateKey)), label);
    if (this.byKid.has(signing.kid)) throw new ApoJwtConfigError(`${label}: the kid "${signing.kid}" is already in the key ring`);
    this.add(signing.kid, publicHalf(privateKey), label);
    this.current = signing;
    return signing;
  }

  private addPublic(spec: KeySpec, label: string): string {
    const { input, kid } = splitKeySpec(spec, label);
    const key = publicHalf(toAsymmetricKey(input, 'any', label));
    const id = kid ?? thumbprint(key);
    if (this.byKid.has(id)) throw new ApoJwtConfigError(`${label}: the kid "${id}" is already in the key ring`);
    makeSigningKey(key, this.algorithm, id, label); // checks the key type fits the algorithm
    this.add(id, key, label);
    return id;
  }

  /** Key by kid. Tokens without a kid are refused: every token apojwt signs names its key. */
  resolve(kid: string | undefined, alg: Algorithm): KeyObject {
    const entry = kid === undefined ? undefined : this.byKid.get(kid);
    if (entry === undefined || alg !== this.algorithm) {
      throw new ApoJwtError('ERR_KEY_UNKNOWN', 'no verification key matches the token header');
    }
    return entry.key;
  }

  /** The public JWK Set (RFC 7517 §5): public members, kid, alg and use only. */
  jwks(): JwkSet {
    this.published ??= Object.freeze({ keys: Object.freeze([...this.byKid.values()].map((entry) => entry.jwk)) });
    return this.published;
  }

  private add(kid: string, key: KeyObject, label: string): void {
    this.byKid.set(kid, Object.freeze({ kid, alg: this.algorithm, key, jwk: publicJwk(key, kid, this.algorithm, label) }));
    this.published = undefined;
  }
}
