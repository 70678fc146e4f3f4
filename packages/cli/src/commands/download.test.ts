import { describe, expect, it } from 'vitest';
import { VENUE_PLUGINS } from '../venues';
import { historyOptions } from './download';

describe('historyOptions: where pnpm data download reads past bars', () => {
  it("reads the real venue's candles where a testnet's are its own thin trades (Binance, OKX), unless the user says which", () => {
    expect(historyOptions(VENUE_PLUGINS.binance!, {})).toEqual({ mainnet: true });
    expect(historyOptions(VENUE_PLUGINS.okx!, { restUrl: 'http://127.0.0.1:1' })).toEqual({ restUrl: 'http://127.0.0.1:1', mainnet: true });
    expect(historyOptions(VENUE_PLUGINS.binance!, { mainnet: false })).toEqual({ mainnet: false });
  });

  it('stays on the default environment of a venue that declares it (OANDA: practice candles are its prices, and a practice token cannot read the live host)', () => {
    expect(historyOptions(VENUE_PLUGINS.oanda!, {})).toEqual({});
    expect(historyOptions(VENUE_PLUGINS.oanda!, { mainnet: true })).toEqual({ mainnet: true });
  });
});
