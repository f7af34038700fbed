import type { RevocationQuery } from '@apojwt/core';

export type EntryKind = 'jti' | 'sub' | 'fam';

/** One revocation: `at` is the subject's revocation instant (sub only); `exp` when the entry may be forgotten. Seconds. */
export interface Entry {
  readonly exp: number;
  readonly at?: number;
}

/** What `apply` did: `full` means the fact is live and there is no room for it (nothing else was dropped). */
export type ApplyResult = 'changed' | 'same' | 'full';

/**
 * The process-local copy of every live revocation, so that a verification
 * answers without a network round trip. Merging keeps the larger `exp` and
 * `at`: revocations are only ever added, so applying the same fact twice, or
 * in any order, gives the same state (pub/sub and a full read may overlap).
 */
export class RevocationMirror {
  private readonly maps: Record<EntryKind, Map<string, Entry>> = { jti: new Map(), sub: new Map(), fam: new Map() };
  private sweepAt = 1024;
  /** The second of the last sweep of a full kind: a second sweep in the same second would find nothing more to drop. */
  private readonly fullSweptAt: Record<EntryKind, number> = { jti: Number.NaN, sub: Number.NaN, fam: Number.NaN };

  /** `maxEntries` bounds each kind (tokens, subjects, families), as in MemoryRevocationStore. */
  constructor(private readonly maxEntries: number) {}

  isRevoked(query: RevocationQuery, now: number): boolean {
    if (query.jti !== undefined && live(this.maps.jti.get(query.jti), now)) return true;
    const subject = this.maps.sub.get(query.sub);
    if (live(subject, now) && query.iat <= (subject?.at ?? Number.NEGATIVE_INFINITY)) return true;
    return query.fam !== undefined && live(this.maps.fam.get(query.fam), now);
  }

  /**
   * Merges one fact. A new id when its kind is full first drops expired
   * entries; when every entry is still live the fact is refused ('full'):
   * forgetting a live revocation would silently un-revoke a token.
   */
  apply(kind: EntryKind, id: string, entry: Entry, now: number): ApplyResult {
    if (entry.exp <= now) return 'same';
    const map = this.maps[kind];
    const previous = map.get(id);
    if (previous === undefined && map.size >= this.maxEntries && !this.makeRoom(kind, now)) return 'full';
    const merged: Entry =
      kind === 'sub'
        ? { exp: Math.max(previous?.exp ?? 0, entry.exp), at: Math.max(previous?.at ?? Number.NEGATIVE_INFINITY, entry.at ?? Number.NEGATIVE_INFINITY) }
        : { exp: Math.max(previous?.exp ?? 0, entry.exp) };
    if (previous !== undefined && previous.exp === merged.exp && previous.at === merged.at) return 'same';
    map.set(id, merged);
    if (this.size >= this.sweepAt) this.sweep(now);
    return 'changed';
  }

  get(kind: EntryKind, id: string): Entry | undefined {
    return this.maps[kind].get(id);
  }

  /** Live entries, for writing back what Redis lost (e.g. a restart without persistence). */
  *entries(now: number): Generator<[EntryKind, string, Entry]> {
    for (const kind of ['jti', 'sub', 'fam'] as const) {
      for (const [id, entry] of this.maps[kind]) if (entry.exp > now) yield [kind, id, entry];
    }
  }

  get size(): number {
    return this.maps.jti.size + this.maps.sub.size + this.maps.fam.size;
  }

  /** Drops the expired entries of a full kind; true when that made room. */
  private makeRoom(kind: EntryKind, now: number): boolean {
    const map = this.maps[kind];
    if (this.fullSweptAt[kind] !== now) {
      this.fullSweptAt[kind] = now;
      for (const [id, entry] of map) if (entry.exp <= now) map.delete(id);
    }
    return map.size < this.maxEntries;
  }

  /** Drops entries whose tokens have expired anyway; the threshold doubles so sweeps stay amortised O(1). */
  private sweep(now: number): void {
    for (const map of Object.values(this.maps)) {
      for (const [id, entry] of map) if (entry.exp <= now) map.delete(id);
    }
    this.sweepAt = Math.max(1024, this.size * 2);
  }
}

function live(entry: Entry | undefined, now: number): boolean {
  return entry !== undefined && entry.exp > now;
}
