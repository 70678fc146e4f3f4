import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgressBar, renderLine } from './progress';

/** A writable that records what is written and says whether it is a terminal. */
class CaptureStream extends Writable {
  readonly chunks: string[] = [];
  constructor(readonly isTTY: boolean, readonly columns = 100) {
    super();
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.chunks.push(chunk.toString());
    done();
  }
}
const asStream = (s: CaptureStream) => s as unknown as NodeJS.WriteStream;

describe('createProgressBar', () => {
  it('writes nothing when the stream is not a terminal', () => {
    const out = new CaptureStream(false);
    const bar = createProgressBar(100, asStream(out));
    for (let i = 0; i <= 100; i++) bar.update(i);
    bar.finish();
    expect(out.chunks).toEqual([]);
  });

  it('redraws about ten times a second and ends with the final state and a newline', () => {
    const out = new CaptureStream(true);
    let t = 0;
    const bar = createProgressBar(2000, asStream(out), { now: () => t });
    for (let i = 1; i <= 2000; i++) {
      t += 1; // 1 ms per update: 2 s in all
      bar.update(i);
    }
    bar.finish();
    const draws = out.chunks.filter((c) => c.startsWith('\r'));
    expect(draws.length).toBeGreaterThanOrEqual(10);
    expect(draws.length).toBeLessThanOrEqual(23);
    expect(draws[draws.length - 1]).toContain('100.0%');
    expect(draws[draws.length - 1]).toContain('2,000/2,000');
    expect(out.chunks[out.chunks.length - 1]).toBe('\n');
  });

  it('reads the clock only every so many updates on a hot path', () => {
    const out = new CaptureStream(true);
    let clockReads = 0;
    const bar = createProgressBar(1_000_000, asStream(out), { now: () => (clockReads++, 0) });
    for (let i = 1; i <= 1_000_000; i++) bar.update(i);
    expect(clockReads).toBeLessThan(100);
    expect(out.chunks.filter((c) => c.startsWith('\r'))).toHaveLength(1);
    bar.finish();
    bar.finish();
    expect(out.chunks.filter((c) => c === '\n')).toHaveLength(1);
  });
});

describe('renderLine', () => {
  it('shows the bar, percentage, counts, rate and ETA within the terminal width', () => {
    const line = renderLine(450, 1000, 1000, 80);
    expect(line).toMatch(/^\[#{18}-{22}\] +45\.0% {2}450\/1,000 {2}450\/s {2}ETA 1s$/);
    expect(line.length).toBeLessThan(80);
  });
  it('drops the bar on a narrow terminal and copes with an unknown total', () => {
    expect(renderLine(5, 10, 0, 20)).not.toContain('[');
    expect(renderLine(1234, 0, 1000, 80)).toBe('1,234  1.2k/s');
  });
});
