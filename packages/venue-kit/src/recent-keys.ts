/**
 * Remembers the most recent keys, so that a report seen twice (in a REST answer and on the stream, or
 * in a duplicated frame) is passed on once. The oldest key is forgotten when `capacity` is exceeded,
 * so memory stays bounded on a session that runs for weeks.
 */
export class RecentKeys {
  private readonly keys = new Set<string>();

  constructor(private readonly capacity = 50_000) {}

  /** Adds the key; false when it was already there. */
  add(key: string): boolean {
    if (this.keys.has(key)) return false;
    this.keys.add(key);
    if (this.keys.size > this.capacity) this.keys.delete(this.keys.values().next().value!);
    return true;
  }

  has(key: string): boolean {
    return this.keys.has(key);
  }

  delete(key: string): void {
    this.keys.delete(key);
  }

  /** Keys held now. */
  get size(): number {
    return this.keys.size;
  }
}
