import { createHmac } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { ApoJwtConfigError, ApoJwtError } from '@apojwt/core';

/**
 * Password hashing: argon2id by default (RFC 9106; the `argon2` package),
 * bcrypt when asked for (`algorithm: 'bcrypt'`, or a bcrypt `cost` without
 * an algorithm), and both always verified, so stored bcrypt hashes keep
 * working and `needsRehash` + the login's `onRehash` move them to argon2id
 * at the next successful login. Both packages run on libuv's thread pool,
 * so hashing never blocks the event loop.
 *
 * argon2id defaults are OWASP's (Password Storage Cheat Sheet): 19 MiB of
 * memory, 2 iterations, 1 lane. argon2id reads the whole password (no
 * 72-byte limit).
 *
 * bcrypt reads at most 72 bytes of its input (OpenBSD bcrypt, see the
 * `bcrypt` README "Security Issues And Concerns"). A longer password is never
 * truncated: it is first reduced to HMAC-SHA-256(key = the bcrypt salt) in
 * base64 (44 ASCII bytes, no NUL), and the stored hash carries a marker
 * (`$apojwt-bcrypt-sha256$v=1`) so verification knows to do the same.
 * Keying the HMAC with the per-hash salt stops "password shucking": an
 * unsalted SHA-256 of the same password leaked elsewhere cannot be tested
 * against this hash. Passwords of up to 72 bytes give standard `$2b$` hashes,
 * readable by any bcrypt implementation.
 *
 * Passwords are NFC-normalised first (NIST SP 800-63B §5.1.1.2), so "é"
 * typed as one code point or as e + combining accent is the same password.
 */

export const DEFAULT_BCRYPT_COST = 12;
export const MIN_BCRYPT_COST = 4;
export const MAX_BCRYPT_COST = 31;
/** bcrypt ignores every byte after the 72nd. */
export const BCRYPT_MAX_BYTES = 72;
export const PREHASH_MARKER = '$apojwt-bcrypt-sha256$v=1';

export type PasswordAlgorithm = 'argon2id' | 'bcrypt';

export interface Argon2Options {
  /** Memory in KiB, 1 024 to 4 194 304. Default 19 456 (19 MiB). */
  memoryCost?: number;
  /** Iterations, 1 to 100. Default 2. */
  timeCost?: number;
  /** Lanes, 1 to 16. Default 1. */
  parallelism?: number;
}

export interface PasswordHashOptions {
  /** Algorithm of new hashes. Default `argon2id`; `bcrypt` when only `cost` is given. */
  algorithm?: PasswordAlgorithm;
  /** bcrypt cost (log2 of the rounds), 4 to 31. Default 12. */
  cost?: number;
  /** argon2id parameters. */
  argon2?: Argon2Options;
}

export const DEFAULT_ARGON2 = Object.freeze({ memoryCost: 19_456, timeCost: 2, parallelism: 1 });

/** Options checked once: what `hashPassword` makes and `needsRehash` compares with. */
export interface HashSettings {
  readonly algorithm: PasswordAlgorithm;
  readonly cost: number;
  readonly argon2: Readonly<Required<Argon2Options>>;
}

export function hashSettings(options: PasswordHashOptions | undefined, label = 'password hash'): HashSettings {
  if (options === undefined) return { algorithm: 'argon2id', cost: DEFAULT_BCRYPT_COST, argon2: DEFAULT_ARGON2 };
  if (options === null || typeof options !== 'object') throw new ApoJwtConfigError(`${label} options must be an object`);
  const { algorithm } = options;
  if (algorithm !== undefined && algorithm !== 'argon2id' && algorithm !== 'bcrypt') throw new ApoJwtConfigError(`${label}: algorithm must be 'argon2id' or 'bcrypt'`);
  const cost = bcryptCost(options.cost, `${label}: cost`);
  const argon2 = argon2Options(options.argon2, label);
  // A bcrypt cost alone means bcrypt: code written before argon2id keeps making the hashes it made.
  const chosen: PasswordAlgorithm = algorithm ?? (options.cost !== undefined && options.argon2 === undefined ? 'bcrypt' : 'argon2id');
  return { algorithm: chosen, cost, argon2 };
}

function argon2Options(value: unknown, label: string): Readonly<Required<Argon2Options>> {
  if (value === undefined) return DEFAULT_ARGON2;
  if (value === null || typeof value !== 'object') throw new ApoJwtConfigError(`${label}: argon2 must be an object`);
  const given = value as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!['memoryCost', 'timeCost', 'parallelism'].includes(key)) throw new ApoJwtConfigError(`${label}: unknown argon2 option "${key}"`);
  }
  const integer = (name: keyof Argon2Options, min: number, max: number): number => {
    const v = given[name] ?? DEFAULT_ARGON2[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new ApoJwtConfigError(`${label}: argon2.${name} must be an integer from ${min} to ${max}`);
    return v;
  };
  const parallelism = integer('parallelism', 1, 16);
  const memoryCost = integer('memoryCost', 1024, 4_194_304);
  // RFC 9106 §3.1: at least 8 KiB per lane.
  if (memoryCost < 8 * parallelism) throw new ApoJwtConfigError(`${label}: argon2.memoryCost must be at least 8 KiB per lane`);
  return Object.freeze({ memoryCost, timeCost: integer('timeCost', 1, 100), parallelism });
}

/**
 * `$argon2id$v=19$m=…,t=…,p=…$salt$hash` (PHC string format, unpadded
 * base64): a salt of at least 8 bytes and a tag of at least 16 (RFC 9106
 * §3.1 allows shorter tags; no library makes them for passwords).
 */
const ARGON2_HASH = /^\$argon2(id|i|d)\$v=(\d+)\$m=(\d+),t=(\d+),p=(\d+)\$[A-Za-z0-9+/]{11,}\$[A-Za-z0-9+/]{22,}$/;

function parseArgon2(stored: unknown): { variant: string; version: number; m: number; t: number; p: number } | undefined {
  if (typeof stored !== 'string') return undefined;
  const match = ARGON2_HASH.exec(stored);
  if (match === null) return undefined;
  return { variant: match[1] as string, version: Number(match[2]), m: Number(match[3]), t: Number(match[4]), p: Number(match[5]) };
}

type Argon2Module = typeof import('argon2');
let argon2Module: Promise<Argon2Module> | undefined;

/** Loaded on first use, like bcrypt. */
function loadArgon2(): Promise<Argon2Module> {
  argon2Module ??= import('argon2').then((m) => (m as { default?: Argon2Module }).default ?? m);
  return argon2Module;
}

/** `$2a$`/`$2b$`/`$2y$`, two-digit cost, 22 salt characters, 31 hash characters. */
const BCRYPT_HASH = /^\$2([aby])\$(\d\d)\$([./A-Za-z0-9]{22})[./A-Za-z0-9]{31}$/;

interface ParsedHash {
  /** The plain bcrypt string handed to the library. */
  readonly bcrypt: string;
  readonly variant: string;
  readonly cost: number;
  readonly salt: string;
  readonly prehashed: boolean;
}

type BcryptModule = typeof import('bcrypt');
let bcryptModule: Promise<BcryptModule> | undefined;

/** Loaded on first use, so services that never hash a password never load the native addon. */
function loadBcrypt(): Promise<BcryptModule> {
  bcryptModule ??= import('bcrypt').then((m) => (m as { default?: BcryptModule }).default ?? m);
  return bcryptModule;
}

/**
 * bcrypt and argon2 run on libuv's thread pool, which fs, dns.lookup and zlib
 * share. A login burst could fill every pool thread for seconds and stall
 * them; and a hash on every core leaves the event loop (every other request
 * of the service) waiting for a CPU: on two cores, 50 argon2id logins in
 * flight put its delay p99 at 5.7 ms with two hashes at once, 3.1 ms with
 * one (bench/accounts.md). So at most min(pool size - 1, cores - 1) hashes
 * run at once, never fewer than one; the rest wait in order. Raise
 * UV_THREADPOOL_SIZE to allow more on large machines.
 */
export const MAX_CONCURRENT_HASHES = Math.max(1, Math.min(threadPoolSize() - 1, availableParallelism() - 1));
let runningHashes = 0;
const waitingHashes: Array<() => void> = [];

function threadPoolSize(): number {
  const size = Number(process.env['UV_THREADPOOL_SIZE']);
  return Number.isInteger(size) && size > 0 ? size : 4;
}

async function inHashSlot<T>(operation: () => Promise<T>): Promise<T> {
  if (runningHashes < MAX_CONCURRENT_HASHES) runningHashes++;
  else await new Promise<void>((resolve) => waitingHashes.push(resolve));
  try {
    return await operation();
  } finally {
    // Hand the slot straight to the next waiter, or give it back.
    const next = waitingHashes.shift();
    if (next) next();
    else runningHashes--;
  }
}

export function bcryptCost(value: unknown, label = 'cost'): number {
  if (value === undefined) return DEFAULT_BCRYPT_COST;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < MIN_BCRYPT_COST || value > MAX_BCRYPT_COST) {
    throw new ApoJwtConfigError(`${label} must be an integer from ${MIN_BCRYPT_COST} to ${MAX_BCRYPT_COST}`);
  }
  return value;
}

function normalise(password: unknown, what: string): string {
  if (typeof password !== 'string') throw new ApoJwtConfigError(`${what}: the password must be a string`);
  return password.normalize('NFC');
}

function parseHash(stored: unknown): ParsedHash | undefined {
  if (typeof stored !== 'string') return undefined;
  const prehashed = stored.startsWith(PREHASH_MARKER);
  const bcrypt = prehashed ? stored.slice(PREHASH_MARKER.length) : stored;
  const match = BCRYPT_HASH.exec(bcrypt);
  if (match === null) return undefined;
  const cost = Number(match[2]);
  if (cost < MIN_BCRYPT_COST || cost > MAX_BCRYPT_COST) return undefined;
  const variant = match[1] as string;
  // $2y$ (PHP crypt_blowfish) is the same algorithm as $2b$; the bcrypt package only reads the latter.
  return { bcrypt: variant === 'y' ? `$2b$${bcrypt.slice(4)}` : bcrypt, variant, cost, salt: match[3] as string, prehashed };
}

function prehash(password: string, salt: string): string {
  return createHmac('sha256', salt).update(password, 'utf8').digest('base64');
}

/**
 * Hashes a password for storage. Throws ApoJwtError `ERR_PASSWORD_INVALID`
 * (400) for an empty password, ApoJwtConfigError for a non-string or a bad cost.
 */
export async function hashPassword(password: string, options?: PasswordHashOptions): Promise<string> {
  const settings = hashSettings(options, 'hashPassword');
  const plain = normalise(password, 'hashPassword');
  if (plain.length === 0) throw new ApoJwtError('ERR_PASSWORD_INVALID', 'the password must not be empty');
  if (settings.algorithm === 'argon2id') {
    const argon2 = await loadArgon2();
    return inHashSlot(() => argon2.hash(plain, { type: argon2.argon2id, ...settings.argon2 }));
  }
  const cost = settings.cost;
  const bcrypt = await loadBcrypt();
  const salt = await bcrypt.genSalt(cost, 'b');
  if (Buffer.byteLength(plain, 'utf8') <= BCRYPT_MAX_BYTES) return inHashSlot(() => bcrypt.hash(plain, salt));
  // salt is "$2b$NN$" + 22 characters: the 22 characters key the HMAC.
  return PREHASH_MARKER + (await inHashSlot(() => bcrypt.hash(prehash(plain, salt.slice(7)), salt)));
}

/**
 * True when `password` matches `stored`. A malformed or missing stored hash,
 * or an empty password, gives `false` (no account can have either). A password
 * over 72 bytes never matches a plain `$2b$` hash: that hash could only have
 * come from a truncating implementation.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const plain = normalise(password, 'verifyPassword');
  if (parseArgon2(stored)?.variant === 'id') {
    if (plain.length === 0) return false;
    const argon2 = await loadArgon2();
    return inHashSlot(() => argon2.verify(stored, plain)).catch(() => false);
  }
  const parsed = parseHash(stored);
  if (parsed === undefined || plain.length === 0) return false;
  const bcrypt = await loadBcrypt();
  const compare = (input: string) => inHashSlot(() => bcrypt.compare(input, parsed.bcrypt)).catch(() => false);
  if (parsed.prehashed) return compare(prehash(plain, parsed.salt));
  if (Buffer.byteLength(plain, 'utf8') > BCRYPT_MAX_BYTES) {
    // Spend the same time as a real check, so a long password does not reveal
    // (by a fast answer) which kind of hash an account holds.
    await compare(prehash(plain, parsed.salt));
    return false;
  }
  return compare(plain);
}

/**
 * True when the stored hash should be replaced after a successful login: it
 * is of another algorithm than the configured one (a bcrypt hash when new
 * hashes are argon2id), its parameters differ (bcrypt cost; argon2 memory,
 * iterations, lanes, version), it is an older `$2a$`/`$2y$` variant, or it is
 * not a hash this module can read.
 */
export function needsRehash(stored: string, options?: PasswordHashOptions): boolean {
  const settings = hashSettings(options, 'needsRehash');
  if (settings.algorithm === 'argon2id') {
    const parsed = parseArgon2(stored);
    const { memoryCost, timeCost, parallelism } = settings.argon2;
    return parsed === undefined || parsed.variant !== 'id' || parsed.version !== 19 || parsed.m !== memoryCost || parsed.t !== timeCost || parsed.p !== parallelism;
  }
  const parsed = parseHash(stored);
  return parsed === undefined || parsed.variant !== 'b' || parsed.cost !== settings.cost;
}

/** True when `stored` is a hash `verifyPassword` can check (argon2id or bcrypt). */
export function isPasswordHash(stored: unknown): boolean {
  return parseArgon2(stored)?.variant === 'id' || parseHash(stored) !== undefined;
}
