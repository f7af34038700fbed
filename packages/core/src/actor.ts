/**
 * The `act` claim (RFC 8693 §4.1): who acts on behalf of the token's
 * subject. A service that exchanged a user's token for a downstream one is
 * named in it; a chain nests, the current actor outermost (§4.1: "the
 * nested act claims serve as a history trail"). The one shape apojwt issues
 * and accepts: `{ sub, act? }`, subjects non-empty strings, at most
 * MAX_ACTOR_DEPTH deep, so a hostile token cannot make a reader recurse
 * without end.
 */
export interface ActorClaim {
  readonly sub: string;
  readonly act?: ActorClaim;
}

export const MAX_ACTOR_DEPTH = 8;

/** True when `value` is an actor chain of the shape above. */
export function isActorClaim(value: unknown): value is ActorClaim {
  let current: unknown = value;
  for (let depth = 0; depth < MAX_ACTOR_DEPTH; depth += 1) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return false;
    const record = current as Record<string, unknown>;
    for (const name of Object.keys(record)) if (name !== 'sub' && name !== 'act') return false;
    if (typeof record['sub'] !== 'string' || record['sub'].length === 0) return false;
    if (record['act'] === undefined) return true;
    current = record['act'];
  }
  return false;
}

/** The actors of a chain, the current one first: `{ sub: 'a', act: { sub: 'b' } }` → ['a', 'b']. */
export function actorChain(act: ActorClaim | undefined): string[] {
  const chain: string[] = [];
  for (let current = act; current !== undefined; current = current.act) chain.push(current.sub);
  return chain;
}
