import { describe, expect, it } from 'vitest';
import { ConnectionPacer } from './pacing';

describe('connection pacing', () => {
  it('lets 2 new connections a second through per host (with a 150 ms margin for the way there) and says how long the third waits', () => {
    let now = 10_000;
    const pacer = new ConnectionPacer(2, () => now);
    expect(pacer.take('http://a:1')).toBe(0);
    now += 100;
    expect(pacer.take('http://a:1')).toBe(0);
    now += 100;
    // The oldest of the two opened 200 ms ago: 800 ms to its second, plus the margin.
    expect(pacer.take('http://a:1')).toBe(950);
    // Another host has its own allowance.
    expect(pacer.take('http://b:2')).toBe(0);
    now += 900;
    expect(pacer.take('http://a:1')).toBe(50);
    now += 50;
    expect(pacer.take('http://a:1')).toBe(0);
  });

  it('wait() resolves once a slot is free', async () => {
    const pacer = new ConnectionPacer(1);
    await pacer.wait('h');
    const t = Date.now();
    await pacer.wait('h');
    expect(Date.now() - t).toBeGreaterThanOrEqual(1_100);
  });
});
