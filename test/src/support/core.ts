// Shared fixtures for the core tests: a frozen clock, distinctive secrets,
// a raw HMAC signer (node:crypto, not our code) for hand-made tokens, and
// assertions on rejections (code, status, and message hygiene).
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { ApoJwt, ApoJwtError, ApoJwtConfigError, STATUS_BY_CODE, type ApoJwtErrorCode, type ApoJwtOptions } from '@apojwt/core';

/** 2026-01-01T00:00:00Z, in ms. Every test starts from here. */
export const T0 = Date.UTC(2026, 0, 1);
export const T0_S = T0 / 1000;

/** A clock tests move by hand. */
export class FrozenClock {
  ms = T0;
  readonly now = (): number => this.ms;
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
  get seconds(): number {
    return Math.floor(this.ms / 1000);
  }
}

// Distinctive so a leak into a message is easy to spot.
export const SECRET = 'access-secret-Zq8v!access-secret-Zq8v!';
export const REFRESH_SECRET = 'refresh-secret-Kp3w#refresh-secret-Kp3w#';
export const ISS = 'https://auth.example.test';
export const AUD = 'orders-service';

export function makeApo(clock: FrozenClock, extra: Partial<ApoJwtOptions> = {}): ApoJwt {
  return new ApoJwt({ secret: SECRET, iss: ISS, serverAudience: AUD, now: clock.now, ...extra });
}

export function b64(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

/** Signs any header/payload with HMAC, bypassing apojwt, so hostile tokens can be made. */
export function signRaw(header: unknown, payload: unknown, secret: string | Buffer = SECRET, hash = 'sha256'): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac(hash, secret).update(input).digest('base64url')}`;
}

/** A well-formed access payload at the clock's time; override any claim. */
export function accessPayload(clock: FrozenClock, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = clock.seconds;
  return {
    sub: 'user-7731',
    iss: ISS,
    aud: [AUD],
    iat: now,
    nbf: now,
    exp: now + 900,
    perms: ['orders:read'],
    data: { tenant: 'tenant-4417' },
    jti: 'jti-0123456789abcdef',
    ...overrides,
  };
}

export function accessHeader(apo: ApoJwt, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const real = JSON.parse(Buffer.from(apo.createToken({ sub: 'x' }).split('.')[0]!, 'base64url').toString());
  return { ...real, ...overrides };
}

/**
 * Asserts an ApoJwtError with `code`, the status of STATUS_BY_CODE, and a
 * message that contains none of `secrets` (token, secret, claim values).
 */
export function isRejection(code: ApoJwtErrorCode, secrets: readonly string[] = []): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof ApoJwtError, `expected ApoJwtError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.equal(error.status, STATUS_BY_CODE[code]);
    for (const s of [SECRET, REFRESH_SECRET, ...secrets]) {
      if (s.length > 0) assert.ok(!error.message.includes(s), `message leaks a value: ${error.message}`);
      if (s.length > 0) assert.ok(!String(error.stack).includes(s), 'stack leaks a value');
    }
    return true;
  };
}

export async function rejects(promise: Promise<unknown>, code: ApoJwtErrorCode, secrets: readonly string[] = []): Promise<void> {
  await assert.rejects(promise, isRejection(code, secrets));
}

/** Asserts an ApoJwtConfigError (a TypeError) whose message matches `message`. */
export function isConfigError(message: RegExp): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof ApoJwtConfigError, `expected ApoJwtConfigError, got ${String(error)}`);
    assert.ok(error instanceof TypeError);
    assert.equal(error.code, 'ERR_APOJWT_CONFIG');
    assert.match(error.message, message);
    assert.ok(!error.message.includes(SECRET) && !error.message.includes(REFRESH_SECRET), 'config message leaks a secret');
    return true;
  };
}

/** Claim values of a decoded token, for message-hygiene checks. */
export function claimValues(token: string): string[] {
  const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
  const values: string[] = [token];
  for (const value of Object.values(payload)) {
    if (typeof value === 'string') values.push(value);
    else if (Array.isArray(value)) values.push(...value.filter((v): v is string => typeof v === 'string'));
    else if (value && typeof value === 'object') values.push(...Object.values(value).filter((v): v is string => typeof v === 'string'));
  }
  return values.filter((v) => v.length >= 6);
}
