import { LRUCache } from 'lru-cache';

/**
 * A key resolver that can withdraw keys (KeyRing.retire, a kid gone from a
 * refetched JWK Set) says so by changing `keyEpoch`. The cache then drops
 * every entry: a cached token must not outlive the key that signed it. One
 * number compared per hit keeps a hit free of promises and crypto.
 */
export interface KeyEpoch {
  readonly keyEpoch?: number;
}

/** What a hit serves: the frozen claims, and their grants as a list only the checks read. */
export interface CachedToken {
  readonly claims: Record<string, unknown>;
  /**
   * `claims.perms` copied into an array that is not frozen and never handed
   * out: Node 20's optimizing compiler reads a frozen array's elements
   * through an inline cache call, and the permission check reads them on
   * every request.
   */
  readonly grants: readonly string[];
}

interface Entry extends CachedToken {
  /** The whole token: a hit requires the presented token to equal it exactly. */
  readonly token: string;
  readonly exp: number;
  /**
   * The last Authorization header value this token was parsed from, when
   * the caller said: a header that equals it exactly carries this token
   * (the parse is a function of the header), so `getByHeader` serves it
   * without parsing again.
   */
  header: string | undefined;
}

/**
 * Verified access tokens, so a hit skips the signature check. Bounded by
 * `max` (least recently used first out). An entry is never served at or
 * after its token's `exp` on the instance's clock, and the caller still
 * checks revocation on every hit.
 *
 * Looked up by a small integer made of the token's last five characters
 * (its signature's, about 28 bits), then the whole token is compared: an
 * adapter hands over a fresh string per request, and V8 hashes a fresh
 * string in full on every lookup, which for a whole token dominated the cost
 * of a hit (bench/core.md); an integer key needs no substring and no string
 * hash. A different token with the same key is a miss (and then goes
 * through every check); two cached tokens with the same key take turns in
 * one entry, which costs a verification, never a wrong answer.
 *
 * Every entry was verified with the keys of one `keyEpoch` of the resolver;
 * when the epoch changes, no entry is served again.
 */
export class VerifiedTokenCache {
  private readonly lru: LRUCache<number, Entry>;
  private epoch: number | undefined;

  constructor(
    max: number,
    private readonly keys: KeyEpoch,
  ) {
    this.lru = new LRUCache<number, Entry>({ max });
    this.epoch = keys.keyEpoch;
  }

  /** The resolver's epoch now: read before a verification, handed to `set` after it. */
  keyEpoch(): number | undefined {
    return this.keys.keyEpoch;
  }

  /**
   * The claims (and the checks' grants list), or undefined on a miss or
   * when the entry has expired (it is dropped). Expired means `now >= exp + tolerance`: verify.ts's own test.
   */
  get(token: string, now: number, tolerance: number, header?: string): CachedToken | undefined {
    if (this.keys.keyEpoch !== this.epoch) this.withdraw();
    const key = keyOf(token);
    const entry = this.lru.get(key);
    if (entry === undefined || entry.token !== token || this.expired(key, entry, now, tolerance)) return undefined;
    if (header !== undefined) entry.header = header;
    return entry;
  }

  /**
   * `get` for the token of an Authorization header value, without parsing
   * it: a hit only when the header equals, character for character, one this
   * entry's token was parsed from. Anything else (another spelling of the
   * same token, trailing spaces, a header never seen) is undefined, and the
   * caller parses the header and asks `get`.
   */
  getByHeader(header: string, now: number, tolerance: number): CachedToken | undefined {
    if (this.keys.keyEpoch !== this.epoch) this.withdraw();
    // The header ends with its token unless it has trailing spaces: the same key as the token's.
    const key = keyOf(header);
    const entry = this.lru.get(key);
    return entry === undefined || entry.header !== header || this.expired(key, entry, now, tolerance) ? undefined : entry;
  }

  /** verify.ts's own test, `now >= exp + tolerance`; an expired entry is dropped. */
  private expired(key: number, entry: Entry, now: number, tolerance: number): boolean {
    if (now < entry.exp + tolerance) return false;
    this.lru.delete(key);
    return true;
  }

  /** Caches claims verified with the keys of `epoch`; a key withdrawn meanwhile means they are not kept. */
  set(token: string, claims: Record<string, unknown>, epoch: number | undefined, header?: string): void {
    if (epoch !== this.keys.keyEpoch) return;
    if (epoch !== this.epoch) this.withdraw();
    this.lru.set(keyOf(token), { token, claims, grants: [...(claims['perms'] as string[])], exp: claims['exp'] as number, header });
  }

  /** A key stopped verifying: which entries it signed is not worth tracking (retiring is rare), so all go. */
  private withdraw(): void {
    this.lru.clear();
    this.epoch = this.keys.keyEpoch;
  }

  get size(): number {
    return this.lru.size;
  }

  clear(): void {
    this.lru.clear();
  }
}

/**
 * Six bits of each of the last five characters (`& 63` keeps 53 distinct
 * values of base64url's 64), so a 30-bit integer: a small integer on every
 * platform V8 runs on, which a Map hashes without touching memory. A string
 * shorter than five characters reads NaN, which `& 63` makes 0: any key is
 * safe, as the whole token is compared after the lookup.
 */
function keyOf(token: string): number {
  const n = token.length;
  let key = token.charCodeAt(n - 1) & 63;
  key = (key << 6) | (token.charCodeAt(n - 2) & 63);
  key = (key << 6) | (token.charCodeAt(n - 3) & 63);
  key = (key << 6) | (token.charCodeAt(n - 4) & 63);
  return (key << 6) | (token.charCodeAt(n - 5) & 63);
}
