import { readFileSync } from 'node:fs';
import { createPrivateKey, createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { CliError, EXIT_USAGE } from './fail.js';
import { withoutFinalNewline } from './io.js';

/**
 * Where secrets and keys come from. Never from an argument: arguments are
 * visible to other users in `ps` and kept in shell history. A secret comes
 * from a file (`--secret-file`) or an environment variable (`--secret-env`,
 * default APOJWT_SECRET); a key pair from a PEM or JWK file (`--key-file`).
 */
export interface KeySourceOptions {
  secretFile?: string;
  secretEnv?: string;
  keyFile?: string;
}

export const DEFAULT_SECRET_ENV = 'APOJWT_SECRET';

/** The HMAC secret: file content (one trailing newline dropped) or an oct JWK, else the environment variable. */
export function loadSecret(options: KeySourceOptions): KeyObject {
  if (options.secretFile !== undefined) {
    const text = withoutFinalNewline(readText(options.secretFile, 'secret file'));
    const jwk = parseJwk(text);
    if (jwk !== undefined) {
      if (jwk['kty'] !== 'oct' || typeof jwk['k'] !== 'string') throw new CliError('the secret file holds a JWK that is not an oct (secret) key', EXIT_USAGE);
      return createSecretKey(Buffer.from(jwk['k'], 'base64url'));
    }
    if (text.length === 0) throw new CliError(`the secret file ${options.secretFile} is empty`, EXIT_USAGE);
    return createSecretKey(Buffer.from(text, 'utf8'));
  }
  const name = options.secretEnv ?? DEFAULT_SECRET_ENV;
  const value = process.env[name];
  if (value === undefined || value.length === 0) {
    throw new CliError(`no secret: set ${name}, or pass --secret-file <path> (secrets are never taken as arguments)`, EXIT_USAGE);
  }
  return createSecretKey(Buffer.from(value, 'utf8'));
}

/**
 * The private key as core takes it: a JWK stays a JWK (so its own `kid` is
 * kept), a PEM becomes a KeyObject.
 */
export function loadPrivateKeySpec(path: string): KeyObject | Record<string, unknown> {
  const key = loadPrivateKey(path);
  const jwk = parseJwk(readText(path, 'key file'));
  return jwk ?? key;
}

export function loadPrivateKey(path: string): KeyObject {
  const text = readText(path, 'key file');
  try {
    const jwk = parseJwk(text);
    return jwk === undefined ? createPrivateKey(text) : createPrivateKey({ key: jwk as never, format: 'jwk' });
  } catch {
    throw new CliError(`${path} does not hold a private key (PEM or JWK)`, EXIT_USAGE);
  }
}

/** A public key, or the public half of a private key or certificate. */
export function loadPublicKey(path: string): KeyObject {
  const text = readText(path, 'key file');
  try {
    const jwk = parseJwk(text);
    return jwk === undefined ? createPublicKey(text) : createPublicKey({ key: jwk as never, format: 'jwk' });
  } catch {
    throw new CliError(`${path} does not hold a public or private key (PEM or JWK)`, EXIT_USAGE);
  }
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new CliError(`cannot read the ${what} ${path} (${code})`, EXIT_USAGE);
  }
}

function parseJwk(text: string): Record<string, unknown> | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(trimmed);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    throw new CliError('the key file looks like JSON but does not parse', EXIT_USAGE);
  }
}
