import { ApoJwtConfigError } from './errors.js';

/** Small checks shared by every option validator; each names the option in its message. */

export function positiveInteger(name: string, value: unknown, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0 || value > max) {
    throw new ApoJwtConfigError(`${name} must be a whole number from 1 to ${max}`);
  }
  return value;
}

export function nonNegativeNumber(name: string, value: unknown, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > max) {
    throw new ApoJwtConfigError(`${name} must be a finite number from 0 to ${max}`);
  }
  return value;
}

export function nonEmptyString(name: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) throw new ApoJwtConfigError(`${name} must be a non-empty string`);
  return value;
}

export function optionalFunction<F>(name: string, value: unknown): F | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') throw new ApoJwtConfigError(`${name} must be a function`);
  return value as F;
}

export function audienceList(name: string, value: unknown): string[] {
  // A string is one audience, never split on spaces or commas.
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0) {
    throw new ApoJwtConfigError(`${name} must be a non-empty string or a non-empty array of strings`);
  }
  for (const entry of list) {
    if (typeof entry !== 'string' || entry.length === 0) {
      throw new ApoJwtConfigError(`${name} must contain only non-empty strings`);
    }
  }
  return [...new Set(list as string[])];
}

/** Refuses keys outside `known`, naming the first one (its name only: option values may be secrets). */
export function knownKeys(what: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new ApoJwtConfigError(`unknown ${what} option "${key}"`);
  }
}
