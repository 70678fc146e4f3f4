import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isAutotraderError, price, quantity } from '@autotrader/core';
import { checkOrder, parseProducts } from './instruments';
import { resolveUrls } from './urls';
import { coinbaseConfigSchema } from './config';

const products = JSON.parse(readFileSync(new URL('./__fixtures__/http_products.json', import.meta.url), 'utf8')) as { products: Record<string, unknown>[] };

describe('products', () => {
  it('reads increments, minimums and status from /products (fixture)', () => {
    const { instruments, rules } = parseProducts(products);
    const btc = instruments.find((i) => i.id === 'BTC-USD.COINBASE')!;
    expect([btc.base, btc.quote, btc.tickSize.toFixed(), btc.lotSize.toFixed(), btc.minQuantity.toFixed(), btc.maxQuantity?.toFixed(), btc.minNotional.toFixed()]).toEqual([
      'BTC',
      'USD',
      '0.01',
      '0.00000001',
      '0.00000001',
      '3400',
      '1',
    ]);
    expect(rules.get(btc.id)?.tradable).toBe(true);
  });

  it('a product not online, disabled or cancel-only takes no order; futures are left out', () => {
    const p = products.products[0]!;
    const { instruments, rules } = parseProducts({
      products: [
        { ...p, product_id: 'A-USD', status: 'offline' },
        { ...p, product_id: 'B-USD', cancel_only: true },
        { ...p, product_id: 'C-USD', trading_disabled: true },
        { ...p, product_id: 'BIP-20DEC30-CDE', product_type: 'FUTURE' },
      ],
    });
    expect(instruments.map((i) => i.id)).toEqual(['A-USD.COINBASE', 'B-USD.COINBASE', 'C-USD.COINBASE']);
    for (const i of instruments) {
      expect(rules.get(i.id)!.tradable).toBe(false);
      try {
        checkOrder({ clientOrderId: 'x', type: 'limit', quantity: quantity('1'), price: price('100'), postOnly: false }, i, rules.get(i.id));
        expect.unreachable();
      } catch (error) {
        expect(isAutotraderError(error, 'VENUE_REJECTED')).toBe(true);
      }
    }
  });

  it('refuses sizes off the increment or under the minimum, prices off the tick, notionals under the minimum funds', () => {
    const { instruments, rules } = parseProducts(products);
    const btc = instruments[0]!;
    const check = (q: string, p: string | undefined) => () => checkOrder({ clientOrderId: 'x', type: p === undefined ? 'market' : 'limit', quantity: quantity(q), price: p === undefined ? undefined : price(p), postOnly: false }, btc, rules.get(btc.id));
    expect(check('0.000000001', '30000')).toThrow(/below the minimum/);
    expect(check('0.000000015', '30000')).toThrow(/base increment/);
    expect(check('0.1', '30000.005')).toThrow(/price increment/);
    expect(check('0.00001', '30000')).toThrow(/minimum funds/);
    expect(check('0.1', '30000')).not.toThrow();
    expect(check('0.1', undefined)).not.toThrow();
  });
});

describe('URLs', () => {
  it('uses production, the sandbox, or each override', () => {
    const parse = (x: unknown) => resolveUrls(coinbaseConfigSchema.parse(x));
    expect(parse({})).toEqual({ restUrl: 'https://api.coinbase.com', wsUrl: 'wss://advanced-trade-ws.coinbase.com', wsUserUrl: 'wss://advanced-trade-ws-user.coinbase.com' });
    expect(parse({ environment: 'sandbox' }).restUrl).toBe('https://api-sandbox.coinbase.com');
    expect(parse({ environment: 'sandbox' }).wsUserUrl).toBeUndefined();
    expect(parse({ restUrl: 'http://127.0.0.1:8080/', wsUrl: 'ws://127.0.0.1:8081/ws', wsUserUrl: 'ws://127.0.0.1:8081/u' })).toEqual({
      restUrl: 'http://127.0.0.1:8080',
      wsUrl: 'ws://127.0.0.1:8081/ws',
      wsUserUrl: 'ws://127.0.0.1:8081/u',
    });
    expect(() => coinbaseConfigSchema.parse({ timeouts: { requestMsx: 1 } })).toThrow(/requestMsx/);
    expect(() => coinbaseConfigSchema.parse({ restUrl: 'ftp://x' })).toThrow();
  });
});
