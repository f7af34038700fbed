import { createHmac } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { ApoJwtConfigError, ApoJwtError } from '@apojwt/core';

/**
 * Password hashing on bcrypt. The `bcrypt` package runs `hash` and `compare`
 * on libuv's thread pool, so a login never blocks the event loop.
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

export interface PasswordHashOptions {
  /** bcrypt cost (log2 of the rounds), 4 to 31. Default 12. */
  cost?: number;
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
 * bcrypt runs on libuv's thread pool, which fs, dns.lookup and zlib share. A
 * login burst could fill every pool thread for seconds and stall them, and
 * more bcrypt threads than cores only compete with the event loop for CPU.
 * So at most min(pool size - 1, cores) bcrypt operations run at once; the
 * rest wait in order. Raise UV_THREADPOOL_SIZE to allow more.
 */
export const MAX_CONCURRENT_HASHES = Math.max(1, Math.min(threadPoolSize() - 1, availableParallelism()));
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
export async function hashPassword(password: string, options: PasswordHashOptions = {}): Promise<string> {
  const cost = bcryptCost(options.cost);
  const plain = normalise(password, 'hashPassword');
  if (plain.length === 0) throw new ApoJwtError('ERR_PASSWORD_INVALID', 'the password must not be empty');
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
 * True when the stored hash should be replaced after a successful login: its
 * cost differs from the configured one, it is an older `$2a$`/`$2y$` variant,
 * or it is not a hash this module can read.
 */
export function needsRehash(stored: string, options: PasswordHashOptions = {}): boolean {
  const cost = bcryptCost(options.cost);
  const parsed = parseHash(stored);
  return parsed === undefined || parsed.variant !== 'b' || parsed.cost !== cost;
}

/** True when `stored` is a hash `verifyPassword` can check. */
export function isPasswordHash(stored: unknown): boolean {
  return parseHash(stored) !== undefined;
}
