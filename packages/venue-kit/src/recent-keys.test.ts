import { describe, expect, it } from 'vitest';
import { RecentKeys } from './recent-keys';

describe('RecentKeys', () => {
  it('passes a key once, and forgets the oldest beyond its capacity', () => {
    const keys = new RecentKeys(3);
    expect(keys.add('F:1')).toBe(true);
    expect(keys.add('F:1')).toBe(false);
    keys.add('F:2');
    keys.add('F:3');
    keys.add('F:4');
    expect(keys.size).toBe(3);
    expect(keys.has('F:1')).toBe(false);
    expect(keys.add('F:1')).toBe(true);
    keys.delete('F:3');
    expect(keys.has('F:3')).toBe(false);
  });
});
