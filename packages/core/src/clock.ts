/** Milliseconds since the epoch, like `Date.now`. Injected so tests can freeze time. */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();

export function toSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}
