/**
 * A clock that moves only when the test moves it. It is a `Clock` (ms since
 * the epoch, as `Date.now`), so it goes straight into `createApoJwt({ now })`
 * and into `testIssuer({ clock })`: tokens minted and checked on one clock
 * expire exactly when the test says, with no sleep and no flake.
 */
export interface TestClock {
  (): number;
  /** The current time in whole seconds (the unit of `iat`, `exp`, `nbf`). */
  seconds(): number;
  /** Moves the clock forward (or back, with a negative number) by `seconds`. */
  advance(seconds: number): void;
  /** Sets the clock to `at` (ms since the epoch, or a Date). */
  set(at: number | Date): void;
}

/** Default start: a fixed instant, so two runs of a test see the same times. */
export const DEFAULT_TEST_START = Date.UTC(2026, 0, 1, 12, 0, 0);

export function testClock(start: number | Date = DEFAULT_TEST_START): TestClock {
  let now = toMillis(start, 'testClock(start)');
  const clock = (() => now) as TestClock;
  clock.seconds = () => Math.floor(now / 1000);
  clock.advance = (seconds: number) => {
    if (typeof seconds !== 'number' || !Number.isFinite(seconds)) throw new TypeError('advance(seconds) takes a finite number');
    now += seconds * 1000;
  };
  clock.set = (at: number | Date) => {
    now = toMillis(at, 'set(at)');
  };
  return Object.freeze(clock);
}

function toMillis(at: number | Date, label: string): number {
  const ms = at instanceof Date ? at.getTime() : at;
  if (typeof ms !== 'number' || !Number.isFinite(ms)) throw new TypeError(`${label} takes a finite number of milliseconds or a valid Date`);
  return ms;
}
