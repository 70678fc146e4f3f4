import { describe, expect, it } from 'vitest';
import { AutotraderError, ClientOrderIdFactory, mulberry32, sessionPrefix } from '@autotrader/core';
import { binanceClientOrderIds, coinbaseClientOrderIds, escapeCodec, IbOrderIdCodec, okxClientOrderIds, type ClientOrderIdCodec } from './codec';

/**
 * Property tests with a seeded generator (the same cases on every run; a failure names its seed and
 * case). Each property is checked on thousands of ids: ids as the engine makes them, ids of ASCII
 * punctuation, and ids with any Unicode (astral characters included).
 */
const RUNS = 3000;

const pick = (random: () => number, s: string): string => s[Math.floor(random() * s.length)]!;
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const ASCII = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');
const UNICODE = ['é', 'ß', '€', '中', '文', '😀', '𝔘', '\u00a0', 'Z', ':', '%'];

/** Ids as core's ClientOrderIdFactory makes them: a session prefix (or a short backtest one), `-`, a counter. */
function engineId(random: () => number): string {
  const prefix = random() < 0.5 ? sessionPrefix(1_700_000_000_000 + Math.floor(random() * 1e11)) : Array.from({ length: 1 + Math.floor(random() * 6) }, () => pick(random, ALNUM + '_-')).join('');
  const ids = new ClientOrderIdFactory(prefix);
  ids.skipPast(`${prefix}-${Math.floor(random() * 1e9)}`);
  return ids.create();
}

function anyId(random: () => number): string {
  const n = 1 + Math.floor(random() * 14);
  let out = '';
  for (let i = 0; i < n; i++) {
    const r = random();
    out += r < 0.45 ? pick(random, ALNUM) : r < 0.8 ? pick(random, ASCII) : UNICODE[Math.floor(random() * UNICODE.length)]!;
  }
  return out;
}

function forAll(seed: number, gen: (random: () => number) => string, check: (id: string) => void): void {
  const random = mulberry32(seed);
  for (let i = 0; i < RUNS; i++) {
    const id = gen(random);
    try {
      check(id);
    } catch (error) {
      throw new Error(`seed ${seed}, case ${i}, id ${JSON.stringify(id)}: ${(error as Error).message}`);
    }
  }
}

const codecs: Array<[string, ClientOrderIdCodec, RegExp, number]> = [
  ['Binance', binanceClientOrderIds, /^[.A-Z:/a-z0-9_-]{1,36}$/, 36],
  ['OKX', okxClientOrderIds, /^[A-Za-z0-9]{1,32}$/, 32],
];

describe.each(codecs)('%s client order ids', (_venue, codec, wireRule, maxLength) => {
  it('round-trips every id the engine makes, within the venue’s rule', () => {
    forAll(1, engineId, (id) => {
      const wire = codec.encode(id);
      expect(wire).toMatch(wireRule);
      expect(codec.decode(wire)).toBe(id);
      expect(codec.encode(id)).toBe(wire); // stable: a retry sends the same id
    });
  });

  it('round-trips any id that fits once encoded, and refuses the others with ORDER_INVALID (never cut short)', () => {
    forAll(2, anyId, (id) => {
      let wire: string;
      try {
        wire = codec.encode(id);
      } catch (error) {
        expect(error).toBeInstanceOf(AutotraderError);
        expect((error as AutotraderError).code).toBe('ORDER_INVALID');
        expect((error as AutotraderError).details.length).toBeGreaterThan(maxLength);
        return;
      }
      expect(wire).toMatch(wireRule);
      expect(codec.decode(wire)).toBe(id);
    });
  });

  it('gives distinct ids distinct wire ids', () => {
    const byWire = new Map<string, string>();
    forAll(3, (r) => (r() < 0.5 ? engineId(r) : anyId(r)), (id) => {
      let wire: string;
      try {
        wire = codec.encode(id);
      } catch {
        return;
      }
      const before = byWire.get(wire);
      if (before !== undefined) expect(before).toBe(id);
      byWire.set(wire, id);
    });
  });

  it('decodes only what it encodes: a foreign wire id that decodes encodes back to itself', () => {
    const alphabet = _venue === 'Binance' ? '.:/_-abcdefABZ0123456789' : 'ZabcdefABC0123456789';
    let decoded = 0;
    forAll(
      4,
      (r) => Array.from({ length: 1 + Math.floor(r() * 12) }, () => pick(r, alphabet)).join(''),
      (wire) => {
        const id = codec.decode(wire);
        if (id === undefined) return;
        decoded++;
        expect(codec.encode(id)).toBe(wire);
      },
    );
    expect(decoded).toBeGreaterThan(100);
  });
});

describe('the codecs on examples', () => {
  it('Binance passes our ids through and escapes with ":"', () => {
    expect(binanceClientOrderIds.encode('atm1x2y3z-17')).toBe('atm1x2y3z-17');
    expect(binanceClientOrderIds.encode('a b:c')).toBe('a:20b:3ac');
    expect(binanceClientOrderIds.decode('a:20b:3ac')).toBe('a b:c');
    // Orders placed elsewhere keep their ids; non-canonical escapes are not ours.
    expect(binanceClientOrderIds.decode('web_5f3e9a')).toBe('web_5f3e9a');
    expect(binanceClientOrderIds.decode('x:41')).toBeUndefined();
    expect(binanceClientOrderIds.decode('x:3A')).toBeUndefined();
    expect(binanceClientOrderIds.decode('x:3')).toBeUndefined();
    expect(binanceClientOrderIds.decode('x'.repeat(37))).toBeUndefined();
  });

  it('OKX escapes "-", "_" and its escape letter', () => {
    expect(okxClientOrderIds.encode('at-7')).toBe('atZ2d7');
    expect(okxClientOrderIds.encode('t_Z')).toBe('tZ5fZ5a');
    expect(okxClientOrderIds.decode('atZ2d7')).toBe('at-7');
    expect(okxClientOrderIds.decode('b1a2c3')).toBe('b1a2c3');
    expect(() => okxClientOrderIds.encode('x'.repeat(33))).toThrow(expect.objectContaining({ code: 'ORDER_INVALID' }));
  });

  it('refuses empty ids and ids that are not well-formed Unicode', () => {
    expect(() => binanceClientOrderIds.encode('')).toThrow(expect.objectContaining({ code: 'ORDER_INVALID' }));
    expect(() => okxClientOrderIds.encode('a\ud800b')).toThrow(expect.objectContaining({ code: 'ORDER_INVALID' }));
    expect(() => coinbaseClientOrderIds.encode('')).toThrow(expect.objectContaining({ code: 'ORDER_INVALID' }));
  });

  it('Coinbase sends any string as it is', () => {
    forAll(5, anyId, (id) => expect(coinbaseClientOrderIds.decode(coinbaseClientOrderIds.encode(id))).toBe(id));
  });

  it('an escape codec checks that its escape and hex digits are the venue’s characters', () => {
    expect(() => escapeCodec({ venue: 'X', rule: 'digits', maxLength: 10, allowed: /^[0-9]$/, escape: '0' })).toThrow(expect.objectContaining({ code: 'INTERNAL' }));
  });
});

describe('Interactive Brokers order ids', () => {
  it('gives each of our ids one integer above nextValidId, the same on every retry, and our id as orderRef', () => {
    const ib = new IbOrderIdCodec();
    ib.setNextValidId(1000);
    const a = ib.encode('at1-1');
    const b = ib.encode('at1-2');
    expect(a).toEqual({ orderId: 1000, orderRef: 'at1-1' });
    expect(b).toEqual({ orderId: 1001, orderRef: 'at1-2' });
    expect(ib.encode('at1-1')).toEqual(a);
    // A later, lower nextValidId never reuses an id.
    ib.setNextValidId(900);
    expect(ib.encode('at1-3').orderId).toBe(1002);
  });

  it('recovers our id from the echo: orderRef when given, else the integer', () => {
    const ib = new IbOrderIdCodec(50);
    const w = ib.encode('at9-4');
    expect(ib.decode(w)).toBe('at9-4');
    expect(ib.decode({ orderId: w.orderId, orderRef: '' })).toBe('at9-4');
    expect(ib.decode({ orderId: 7, orderRef: '' })).toBeUndefined();
  });

  it('learns pairs from open orders after a restart and never hands their integers out again', () => {
    const ib = new IbOrderIdCodec(1);
    ib.remember('at9-4', 77);
    expect(ib.encode('at9-4')).toEqual({ orderId: 77, orderRef: 'at9-4' });
    expect(ib.encode('at9-5').orderId).toBe(78);
  });

  it('round-trips thousands of ids, each integer used once', () => {
    const ib = new IbOrderIdCodec(10);
    const integers = new Set<number>();
    const ids = new Set<string>();
    forAll(6, (r) => (r() < 0.5 ? engineId(r) : anyId(r)), (id) => {
      const w = ib.encode(id);
      expect(ib.decode(w)).toBe(id);
      expect(ib.decode({ orderId: w.orderId, orderRef: '' })).toBe(id);
      integers.add(w.orderId);
      ids.add(id);
    });
    expect(integers.size).toBe(ids.size);
    expect(() => ib.setNextValidId(-1)).toThrow(expect.objectContaining({ code: 'VENUE_MESSAGE_MALFORMED' }));
  });
});
