import { ApoJwtConfigError } from '@apojwt/core';

/** Refuses keys outside `known`, naming the first one (its name only: option values may be secrets). */
export function knownKeys(what: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new ApoJwtConfigError(`unknown ${what} option "${key}"`);
  }
}
