/** Past this many empty slots ahead of the array, an id goes to the map instead (the array stays dense). */
const MAX_GAP = 4096;
/** Ids with more digits than this are not read as numbers (they would lose precision). */
const MAX_DIGITS = 15;

/**
 * A map keyed by order or trade id, tuned for ids made of a fixed prefix and a counter: `bt-17` (see
 * {@link ClientOrderIdFactory}) or `SIM-T17` (the simulated venue's trades). The first id that ends in
 * digits after a prefix fixes the prefix (`bt-`, `SIM-T`); ids with that prefix and a plain number
 * after it live in an array at that number, every other id (a venue's own numbering) in a `Map`. Why:
 * a backtest looks orders and trades up by id several times per order, and a string hash plus a probe
 * into a table of hundreds of thousands of entries cost more than reading the digits, while recent
 * ids sit next to each other in the array.
 */
export class IdIndex<V> {
  private prefix: string | undefined;
  private readonly byNumber: (V | undefined)[] = [];
  private readonly others = new Map<string, V>();
  private count = 0;

  /** How many ids are stored. */
  get size(): number {
    return this.count;
  }

  get(id: string): V | undefined {
    const n = this.numberOf(id);
    if (n >= 0 && n < this.byNumber.length) {
      const v = this.byNumber[n];
      if (v !== undefined) return v;
    }
    return this.others.size === 0 ? undefined : this.others.get(id);
  }

  has(id: string): boolean {
    return this.get(id) !== undefined;
  }

  /** Stores `value` under `id`, replacing what was there. */
  set(id: string, value: V): void {
    if (this.prefix === undefined) this.prefix = prefixOf(id);
    const n = this.numberOf(id);
    const a = this.byNumber;
    if (n >= 0 && n <= a.length + MAX_GAP && (this.others.size === 0 || !this.others.has(id))) {
      while (a.length <= n) a.push(undefined);
      if (a[n] === undefined) this.count++;
      a[n] = value;
      return;
    }
    const before = this.others.size;
    this.others.set(id, value);
    this.count += this.others.size - before;
  }

  /** The number after the prefix, or -1 when the id is not the prefix followed by a plain number. */
  private numberOf(id: string): number {
    const p = this.prefix;
    if (p === undefined) return -1;
    const start = p.length;
    const end = id.length;
    if (end <= start || end - start > MAX_DIGITS || !id.startsWith(p)) return -1;
    if (id.charCodeAt(start) === 48 && end - start > 1) return -1; // a leading zero: "x-01" is not "x-1"
    let n = 0;
    for (let i = start; i < end; i++) {
      const d = id.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return -1;
      n = n * 10 + d;
    }
    return n;
  }
}

/** `bt-` for `bt-17`, `SIM-T` for `SIM-T17`; undefined when the id does not end in digits after a prefix. */
function prefixOf(id: string): string | undefined {
  let k = id.length;
  while (k > 0 && id.charCodeAt(k - 1) >= 48 && id.charCodeAt(k - 1) <= 57) k--;
  return k === 0 || k === id.length ? undefined : id.slice(0, k);
}
