/**
 * A clock the demo can move forward, given to every ApoJwt instance as `now`:
 * the script shows a grace period passing, a JWKS refetch cooldown ending and
 * a token expiring without waiting for any of them. Each process has its own;
 * the demo moves them all together (tokens stamped "in the future" by one
 * service would otherwise be refused by the others).
 */
export interface DemoClock {
  now(): number;
  advance(ms: number): void;
}

export function demoClock(): DemoClock {
  let offsetMs = 0;
  return {
    now: () => Date.now() + offsetMs,
    advance(ms) {
      offsetMs += ms;
    },
  };
}
