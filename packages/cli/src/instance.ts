import { createPublicKey, type KeyObject } from 'node:crypto';
import { ApoJwt, ApoJwtConfigError, ApoJwtError, isAlgorithm, makeSigningKey, type Algorithm, type ApoJwtOptions, type KeyResolver } from '@apojwt/core';
import { CliError, EXIT_USAGE } from './fail.js';
import { DEFAULT_SECRET_ENV, loadPrivateKeySpec, loadPublicKey, loadSecret, type KeySourceOptions } from './key-input.js';

/** The options `sign` and `verify` share: they describe the issuer's configuration. */
export interface InstanceOptions extends KeySourceOptions {
  alg: string;
  iss: string;
  aud: string[];
  kid?: string;
  exp?: number;
  clockTolerance?: number;
  refresh?: boolean;
}

/**
 * The algorithm, and a refusal of a key source that does not go with it: an
 * HS secret and an RS/PS/ES key file are never substitutes, and an option
 * given but ignored would hide which key was really used.
 */
function algorithmOf(options: InstanceOptions): Algorithm {
  if (!isAlgorithm(options.alg)) throw new CliError('--alg is not an algorithm apojwt supports', EXIT_USAGE);
  const algorithm = options.alg;
  if (algorithm.startsWith('HS') && options.keyFile !== undefined) {
    throw new CliError(`--key-file is for RS/PS/ES keys; ${algorithm} takes a secret: --secret-file <path> or $${options.secretEnv ?? DEFAULT_SECRET_ENV}`, EXIT_USAGE);
  }
  if (!algorithm.startsWith('HS') && options.secretFile !== undefined) {
    throw new CliError(`--secret-file is for HS algorithms; ${algorithm} takes --key-file <path>`, EXIT_USAGE);
  }
  return algorithm;
}

function base(options: InstanceOptions, algorithm: Algorithm): ApoJwtOptions {
  return {
    algorithm,
    iss: options.iss,
    serverAudience: options.aud,
    cache: false,
    ...(options.kid !== undefined && { kid: options.kid }),
    ...(options.exp !== undefined && { expPeriod: options.exp }),
    ...(options.clockTolerance !== undefined && { clockTolerance: options.clockTolerance }),
  };
}

/** Option mistakes found by core (short secret, wrong key type) are usage errors. */
function construct(options: ApoJwtOptions): ApoJwt<string, Record<string, unknown>, Record<string, unknown>, boolean> {
  try {
    return new ApoJwt(options) as ApoJwt<string, Record<string, unknown>, Record<string, unknown>, boolean>;
  } catch (error) {
    if (error instanceof ApoJwtConfigError) throw new CliError(error.message, EXIT_USAGE);
    throw error;
  }
}

export function signingInstance(options: InstanceOptions) {
  const algorithm = algorithmOf(options);
  if (algorithm.startsWith('HS')) return construct({ ...base(options, algorithm), secret: loadSecret(options) });
  if (options.keyFile === undefined) throw new CliError(`${algorithm} signs with a private key: pass --key-file <path>`, EXIT_USAGE);
  return construct({ ...base(options, algorithm), privateKey: loadPrivateKeySpec(options.keyFile) as ApoJwtOptions['privateKey'] });
}

export function verifyingInstance(options: InstanceOptions) {
  const algorithm = algorithmOf(options);
  if (algorithm.startsWith('HS')) {
    const secret = loadSecret(options);
    return construct({
      ...base(options, algorithm),
      secret,
      ...(options.refresh === true && { refresh: { refreshSecret: secret, refreshAlgorithm: algorithm as 'HS256' | 'HS384' | 'HS512' } }),
    });
  }
  if (options.refresh === true) throw new CliError('refresh tokens are always HS: verify them with --alg HS256/384/512', EXIT_USAGE);
  if (options.keyFile === undefined) throw new CliError(`${algorithm} verifies with a public key: pass --key-file <path>`, EXIT_USAGE);
  return construct({ ...base(options, algorithm), keyResolver: fixedKey(loadPublicKey(options.keyFile), algorithm) });
}

/** One key for any `kid`: the operator chose the key, the token's header does not. The algorithm stays pinned. */
function fixedKey(key: KeyObject, algorithm: Algorithm): KeyResolver {
  let checked;
  try {
    checked = makeSigningKey(key, algorithm, 'cli', '--key-file');
  } catch (error) {
    if (error instanceof ApoJwtConfigError) throw new CliError(error.message, EXIT_USAGE);
    throw error;
  }
  // A private key given to verify: check with its public half.
  const verifyKey = checked.key.type === 'private' ? createPublicKey(checked.key) : checked.key;
  return {
    resolve(_kid, alg) {
      if (alg !== algorithm) throw new ApoJwtError('ERR_KEY_UNKNOWN', 'no verification key matches the token header');
      return verifyKey;
    },
  };
}
