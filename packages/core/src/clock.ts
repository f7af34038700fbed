import { ApoJwtConfigError } from './errors.js';

/** Milliseconds since the epoch, like `Date.now`. Injected so tests can freeze time. */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();

export function toSeconds(ms: number): number {
  // A clock answering NaN or undefined would make every `now >= exp`
  // comparison false, i.e. turn expiry off: refuse it instead.
  if (typeof ms !== 'number' || !Number.isFinite(ms)) throw new ApoJwtConfigError('now() must return a finite number of milliseconds');
  return Math.floor(ms / 1000);
}
