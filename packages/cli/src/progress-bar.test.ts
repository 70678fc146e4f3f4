import { describe, expect, it } from 'vitest';
import { progressBar } from './progress-bar';

/** A stream that records what is written to it. */
const stream = (isTTY: boolean) => {
  const writes: string[] = [];
  return { isTTY, columns: 100, writes, write: (s: string) => (writes.push(s), true) };
};

describe('progressBar', () => {
  it('draws on a terminal, at most every everyMs and always at 100%, then clears its line', () => {
    const s = stream(true);
    let now = 0;
    const bar = progressBar(s, 'importing x.csv', { everyMs: 100, now: () => now });
    bar.update(0, 4 * 2 ** 20);
    now = 50;
    bar.update(2 ** 20, 4 * 2 ** 20); // too soon: not drawn
    now = 150;
    bar.update(2 * 2 ** 20, 4 * 2 ** 20);
    now = 160;
    bar.update(4 * 2 ** 20, 4 * 2 ** 20); // done: drawn at once
    bar.end();
    expect(s.writes).toHaveLength(4);
    expect(s.writes[1]).toBe(`\rimporting x.csv [${'#'.repeat(20)}${'-'.repeat(20)}]  50% 2 MiB of 4 MiB, 0 s\x1b[K`);
    expect(s.writes[2]).toMatch(/\[#{40}\] 100% 4 MiB of 4 MiB/);
    expect(s.writes[3]).toBe('\r\x1b[K');
  });

  it('writes nothing at all when the stream is not a terminal', () => {
    const s = stream(false);
    const bar = progressBar(s, 'importing x.csv');
    bar.update(1, 2);
    bar.update(2, 2);
    bar.end();
    expect(s.writes).toEqual([]);
  });
});
