import type { TargetState } from './target-state.js';

/** A 32-bit hash of a string: FNV-1a over its UTF-16 code units, finished with murmur3's fmix32 for avalanche. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A consistent-hash ring: each target owns `virtualNodes * weight` points (`hash32("<id>#<n>")`);
 * a key goes to the owner of the first point at or after its hash, walking on past targets that
 * cannot take it. Adding or losing a target moves only the keys of its own points.
 */
export class HashRing {
  private readonly points: Uint32Array;
  private readonly owners: Int32Array;

  constructor(
    private readonly targets: readonly TargetState[],
    virtualNodes: number,
  ) {
    const entries: Array<readonly [number, number]> = [];
    for (const target of targets) {
      for (let n = 0; n < virtualNodes * target.weight; n++) entries.push([hash32(`${target.id}#${n}`), target.index]);
    }
    entries.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    this.points = Uint32Array.from(entries, (e) => e[0]);
    this.owners = Int32Array.from(entries, (e) => e[1]);
  }

  /** The target for `key`: the first usable owner clockwise from the key's hash. */
  lookup(key: string, usable: (target: TargetState) => boolean): TargetState | undefined {
    const count = this.points.length;
    if (count === 0) return undefined;
    const h = hash32(key);
    let lo = 0;
    let hi = count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.points[mid] as number) < h) lo = mid + 1;
      else hi = mid;
    }
    const seen = new Set<number>();
    for (let step = 0; step < count && seen.size < this.targets.length; step++) {
      const owner = this.owners[(lo + step) % count] as number;
      if (seen.has(owner)) continue;
      seen.add(owner);
      const target = this.targets[owner] as TargetState;
      if (usable(target)) return target;
    }
    return undefined;
  }
}
