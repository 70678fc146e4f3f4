import { AutotraderError, Decimal, makeInstrument, type Instrument, type InstrumentProvider, type Logger, type OrderSnapshot } from '@autotrader/core';
import { InstrumentCache } from '@autotrader/venue-kit';
import type { OandaHttp } from './http';
import { instrumentsAnswerSchema, VENUE, type OandaInstrument, type WireRules } from './mapping';

/** The venue's rules of one instrument that orders must keep. */
export interface OandaInstrumentRules extends WireRules {
  readonly name: string;
  readonly type: string;
  readonly pipLocation: number;
  readonly minimumTradeSize: Decimal;
  readonly maximumOrderUnits?: Decimal;
  readonly marginRate: Decimal;
}

/** `0.00001` for 5 decimal places; `1` for 0. */
const step = (places: number): string => (places <= 0 ? '1' : `0.${'0'.repeat(places - 1)}1`);

/**
 * One v20 instrument as ours: `EUR_USD.OANDA`, asset class fx (CFDs too: they are quoted and margined
 * the same way), base and quote from the name (`EUR_USD` → EUR, USD; `SPX500_USD` → SPX500, USD),
 * the tick from `displayPrecision`, the lot from `tradeUnitsPrecision`, `minimumTradeSize`,
 * `maximumOrderUnits`, `marginRate` and `pipLocation`. Decimals are read from their strings.
 */
export function instrumentOf(i: OandaInstrument): { instrument: Instrument; rules: OandaInstrumentRules } {
  const cut = i.name.lastIndexOf('_');
  if (cut <= 0 || cut === i.name.length - 1) throw new AutotraderError('VENUE_MESSAGE_MALFORMED', `OANDA instrument name ${JSON.stringify(i.name)} is not BASE_QUOTE`);
  const lot = new Decimal(step(i.tradeUnitsPrecision));
  const min = Decimal.max(new Decimal(i.minimumTradeSize), lot);
  const max = i.maximumOrderUnits !== undefined && new Decimal(i.maximumOrderUnits).gt(0) ? new Decimal(i.maximumOrderUnits) : undefined;
  const instrument = makeInstrument({
    symbol: i.name,
    venue: VENUE,
    assetClass: 'fx',
    base: i.name.slice(0, cut),
    quote: i.name.slice(cut + 1),
    tickSize: step(i.displayPrecision),
    lotSize: lot.toString(),
    minQuantity: min.toString(),
    ...(max !== undefined ? { maxQuantity: max.toString() } : {}),
    minNotional: '0',
    marginRate: i.marginRate,
    pipLocation: i.pipLocation,
  });
  return {
    instrument,
    rules: {
      name: i.name,
      type: i.type,
      pipLocation: i.pipLocation,
      displayPrecision: i.displayPrecision,
      tradeUnitsPrecision: i.tradeUnitsPrecision,
      minimumTradeSize: min,
      ...(max !== undefined ? { maximumOrderUnits: max } : {}),
      marginRate: new Decimal(i.marginRate),
    },
  };
}

/** Refuses, before anything is sent, an order OANDA would refuse for its size. */
export function checkOrderSize(order: Pick<OrderSnapshot, 'clientOrderId' | 'quantity'>, rules: OandaInstrumentRules): void {
  if (order.quantity.lt(rules.minimumTradeSize)) {
    throw new AutotraderError('LOT_SIZE', `${rules.name}: ${order.quantity.toString()} units is below OANDA's minimum trade size ${rules.minimumTradeSize.toString()} (order ${order.clientOrderId})`, {
      details: { clientOrderId: order.clientOrderId, minimum: rules.minimumTradeSize.toString() },
    });
  }
  if (rules.maximumOrderUnits !== undefined && order.quantity.gt(rules.maximumOrderUnits)) {
    throw new AutotraderError('ORDER_INVALID', `${rules.name}: ${order.quantity.toString()} units is above OANDA's maximum order units ${rules.maximumOrderUnits.toString()} (order ${order.clientOrderId})`, {
      details: { clientOrderId: order.clientOrderId, maximum: rules.maximumOrderUnits.toString() },
    });
  }
}

/**
 * The instruments the account may trade, from `GET /v3/accounts/{id}/instruments` (the kit's cache: one
 * request for concurrent loads, INSTRUMENT_UNKNOWN for a name the account does not list).
 */
export class OandaInstruments extends InstrumentCache<OandaInstrumentRules> implements InstrumentProvider {
  constructor(http: OandaHttp, accountId: () => Promise<string>, logger: Logger) {
    super({
      venueName: 'OANDA',
      unknownHint: 'check the name (for example EUR_USD.OANDA) and that this account may trade it',
      logger,
      fetch: async () => {
        const id = await accountId();
        const answer = await http.request('GET', `/v3/accounts/${id}/instruments`, instrumentsAnswerSchema);
        const instruments: Instrument[] = [];
        const rules = new Map<string, OandaInstrumentRules>();
        for (const raw of answer.instruments) {
          const { instrument, rules: r } = instrumentOf(raw);
          instruments.push(instrument);
          rules.set(instrument.id, r);
        }
        return { instruments, rules };
      },
    });
  }

  /** The rules of an instrument, loading the list first when needed. */
  async requireRules(instrumentId: string): Promise<OandaInstrumentRules> {
    await this.require(instrumentId);
    return this.rules(instrumentId)!;
  }
}
