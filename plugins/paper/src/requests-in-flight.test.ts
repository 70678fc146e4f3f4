import { SimulatedClock } from '@autotrader/core';
import { describe, expect, it } from 'vitest';
import { RequestsInFlight } from './requests-in-flight';

describe('RequestsInFlight', () => {
  it('handles each request at its due time, in due order, ties in the order sent', () => {
    const clock = new SimulatedClock(0);
    const seen: string[] = [];
    const q = new RequestsInFlight<string>(clock, 'q', (r) => seen.push(`${r}@${clock.now()}`));
    q.send(30, 'c');
    q.send(10, 'a');
    q.send(20, 'b1');
    q.send(20, 'b2');
    q.send(10, 'a2');
    expect(q.size).toBe(5);
    clock.advanceTo(15);
    expect(seen).toEqual(['a@10', 'a2@10']);
    clock.advanceTo(100);
    expect(seen).toEqual(['a@10', 'a2@10', 'b1@20', 'b2@20', 'c@30']);
    expect(q.size).toBe(0);
  });

  it('handles in the same pass a request sent while handling, due now; later ones wait', () => {
    const clock = new SimulatedClock(0);
    const seen: string[] = [];
    const q: RequestsInFlight<string> = new RequestsInFlight<string>(clock, 'q', (r) => {
      seen.push(`${r}@${clock.now()}`);
      if (r === 'first') {
        q.send(clock.now(), 'now');
        q.send(clock.now() + 5, 'later');
      }
    });
    q.send(10, 'first');
    clock.advanceTo(10);
    expect(seen).toEqual(['first@10', 'now@10']);
    clock.advanceTo(20);
    expect(seen).toEqual(['first@10', 'now@10', 'later@15']);
  });

  it('matches a sorted reference over 20,000 random sends with jitter, across compactions', () => {
    let x = 7;
    const rand = (n: number): number => (x = (x * 1103515245 + 12345) % 2147483648) % n;
    const clock = new SimulatedClock(0);
    const seen: number[] = [];
    const q = new RequestsInFlight<number>(clock, 'q', (r) => seen.push(r));
    const sent: { at: number; id: number }[] = [];
    let id = 0;
    for (let step = 0; step < 20_000; step++) {
      // A burst of 1 500 requests now and then makes the queue compact its arrays.
      const n = step % 5_000 === 0 ? 1_500 : 1;
      for (let k = 0; k < n; k++) {
        const at = clock.now() + rand(4);
        sent.push({ at, id });
        q.send(at, id++);
      }
      if (rand(3) === 0) clock.advanceTo(clock.now() + rand(3));
    }
    clock.advanceTo(clock.now() + 10);
    const want = [...sent].sort((a, b) => a.at - b.at || a.id - b.id).map((s) => s.id);
    expect(seen).toEqual(want);
  });

  it('drops everything on clear', () => {
    const clock = new SimulatedClock(0);
    const seen: string[] = [];
    const q = new RequestsInFlight<string>(clock, 'q', (r) => seen.push(r));
    q.send(5, 'a');
    q.clear();
    clock.advanceTo(10);
    expect([seen, q.size]).toEqual([[], 0]);
  });
});
