import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { EventBus, SimulatedClock, silentLogger, type BusEvents } from '@autotrader/core';
import { checkFrame, parseJsonFrame, reportSkippedFrame } from './frames';

describe('frames', () => {
  it('parses JSON and checks a schema, describing problems with the one formatter', () => {
    expect(parseJsonFrame('{"a":1}')).toEqual({ success: true, data: { a: 1 } });
    expect(parseJsonFrame('{oops')).toEqual({ success: false, problem: 'frame is not JSON (5 bytes)' });
    const schema = z.object({ p: z.string(), q: z.string() });
    expect(checkFrame(schema, { p: '1', q: '2' })).toEqual({ success: true, data: { p: '1', q: '2' } });
    expect(checkFrame(schema, { p: 1 })).toEqual({
      success: false,
      problem: 'p: Invalid input: expected string, received number; q: Invalid input: expected string, received undefined',
    });
  });

  it('reports a skipped frame on the bus as VENUE_MESSAGE_MALFORMED', () => {
    const bus = new EventBus();
    const errors: Array<BusEvents['error']> = [];
    bus.on('error', (e) => errors.push(e));
    reportSkippedFrame({ name: 'Acme stream', source: 'acme:data', logger: silentLogger, bus, clock: new SimulatedClock(5) }, 'bad trade');
    expect(errors).toEqual([{ source: 'acme:data', code: 'VENUE_MESSAGE_MALFORMED', message: 'Acme stream: bad trade', tsEvent: 5, error: undefined }]);
  });
});
