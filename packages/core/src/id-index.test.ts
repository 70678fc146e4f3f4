import { describe, expect, it } from 'vitest';
import { IdIndex } from './id-index';

describe('IdIndex', () => {
  it('behaves like a Map over 50,000 random operations on our ids, foreign ids and look-alikes', () => {
    let x = 99;
    const rand = (n: number): number => (x = (x * 1103515245 + 12345) % 2147483648) % n;
    const shapes = [
      () => `bt-${1 + rand(3000)}`,
      () => `bt-${rand(2) === 0 ? 0 : 10_000 + rand(100_000)}`, // far ahead: kept in the map
      () => `bt-0${rand(50)}`, // leading zero: a different id from bt-N
      () => `b-${rand(50)}`,
      () => `bt-x${rand(50)}`,
      () => `bt-${rand(50)}-1`,
      () => `BT-${rand(50)}`,
      () => `foreign${rand(50)}`,
      () => `bt-`,
      () => `bt-${'9'.repeat(16)}`,
    ];
    const index = new IdIndex<number>();
    const map = new Map<string, number>();
    index.set('bt-1', 1); // the prefix is fixed by the first id of the form <prefix>-<n>
    map.set('bt-1', 1);
    for (let step = 0; step < 50_000; step++) {
      const id = shapes[rand(10) < 6 ? 0 : rand(shapes.length)]!();
      if (rand(3) === 0) {
        index.set(id, step);
        map.set(id, step);
      }
      expect(index.get(id)).toBe(map.get(id));
      expect(index.has(id)).toBe(map.has(id));
    }
    expect(index.size).toBe(map.size);
    for (const [id, v] of map) expect(index.get(id)).toBe(v);
  });

  it('reads the counter of trade ids like SIM-T17, and keeps look-alikes apart', () => {
    const index = new IdIndex<number>();
    const map = new Map<string, number>();
    const ids = ['SIM-T1', 'SIM-T2', 'SIM-T02', 'SIM-T', 'SIM-X3', 'SIM-T3x', 'sim-T3', 'SIM-T3', '17', 'SIM-T1'];
    ids.forEach((id, k) => {
      index.set(id, k);
      map.set(id, k);
    });
    for (const id of [...ids, 'SIM-T4', 'SIM-T0']) expect(index.get(id)).toBe(map.get(id));
    expect(index.size).toBe(map.size);
  });

  it('works with no id of the <prefix>-<n> form at all', () => {
    const index = new IdIndex<string>();
    index.set('abc', 'a');
    index.set('x-y', 'b');
    expect([index.get('abc'), index.get('x-y'), index.get('bt-1'), index.size]).toEqual(['a', 'b', undefined, 2]);
  });
});
