import type { RevocationQuery } from '@apojwt/core';

export type EntryKind = 'jti' | 'sub' | 'fam';

/** One revocation: `at` is the subject's revocation instant (sub only); `exp` when the entry may be forgotten. Seconds. */
export interface Entry {
  readonly exp: number;
  readonly at?: number;
}

/**
 * The process-local copy of every live revocation, so that a verification
 * answers without a network round trip. Merging keeps the larger `exp` and
 * `at`: revocations are only ever added, so applying the same fact twice, or
 * in any order, gives the same state (pub/sub and a full read may overlap).
 */
export class RevocationMirror {
  private readonly maps: Record<EntryKind, Map<string, Entry>> = { jti: new Map(), sub: new Map(), fam: new Map() };
  private sweepAt = 1024;

  isRevoked(query: RevocationQuery, now: number): boolean {
    if (query.jti !== undefined && live(this.maps.jti.get(query.jti), now)) return true;
    const subject = this.maps.sub.get(query.sub);
    if (live(subject, now) && query.iat <= (subject?.at ?? Number.NEGATIVE_INFINITY)) return true;
    return query.fam !== undefined && live(this.maps.fam.get(query.fam), now);
  }

  /** Merges one fact; returns true when it changed the mirror. */
  apply(kind: EntryKind, id: string, entry: Entry, now: number): boolean {
    if (entry.exp <= now) return false;
    const map = this.maps[kind];
    const previous = map.get(id);
    const merged: Entry = kind === 'sub'
      ? { exp: Math.max(previous?.exp ?? 0, entry.exp), at: Math.max(previous?.at ?? Number.NEGATIVE_INFINITY, entry.at ?? Number.NEGATIVE_INFINITY) }
      : { exp: Math.max(previous?.exp ?? 0, entry.exp) };
    if (previous !== undefined && previous.exp === merged.exp && previous.at === merged.at) return false;
    map.set(id, merged);
    if (this.size >= this.sweepAt) this.sweep(now);
    return true;
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
