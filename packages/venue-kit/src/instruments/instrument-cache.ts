import { AutotraderError, type Instrument, type InstrumentProvider, type Logger } from '@autotrader/core';

/** What one load of a venue's instrument list gives: the instruments in the venue's order, each one's venue rules by id. */
export interface LoadedInstruments<Rules> {
  readonly instruments: Instrument[];
  readonly rules: ReadonlyMap<string, Rules>;
}

/** How a plugin's instrument list is fetched and named. */
export interface InstrumentSource<Rules> {
  /** The venue as the user knows it, for messages (`Binance`). */
  readonly venueName: string;
  /** What to check when an id is unknown, with an example (`check the symbol (for example BTCUSDT.BINANCE)`). */
  readonly unknownHint: string;
  readonly logger: Logger;
  /** One request for the whole list, parsed and checked. */
  fetch(): Promise<LoadedInstruments<Rules>>;
}

/**
 * The instruments a plugin loaded, with each one's venue rules (tick, lot, notional filters, status):
 * concurrent loads share one request, look-ups are by instrument id, and an id the venue does not list
 * is INSTRUMENT_UNKNOWN naming the venue and what to check. A plugin gives only the fetch.
 */
export class InstrumentCache<Rules> implements InstrumentProvider {
  private byId = new Map<string, Instrument>();
  private rulesById: ReadonlyMap<string, Rules> = new Map();
  private list: Instrument[] = [];
  private loading: Promise<Instrument[]> | undefined;

  constructor(private readonly source: InstrumentSource<Rules>) {}

  /** Fetches the list. Concurrent calls share one request. */
  load(): Promise<Instrument[]> {
    this.loading ??= this.fetch().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  /** The instruments loaded so far, in the venue's order. */
  loaded(): readonly Instrument[] {
    return this.list;
  }

  /** One instrument, if loaded. */
  get(instrumentId: string): Instrument | undefined {
    return this.byId.get(instrumentId);
  }

  /** One instrument's venue rules, if loaded. */
  rules(instrumentId: string): Rules | undefined {
    return this.rulesById.get(instrumentId);
  }

  /** The instrument, loading the list first if it has not been; INSTRUMENT_UNKNOWN when the venue does not list it. */
  async require(instrumentId: string): Promise<Instrument> {
    if (!this.byId.has(instrumentId) && this.list.length === 0) await this.load();
    const instrument = this.byId.get(instrumentId);
    if (instrument === undefined) {
      throw new AutotraderError('INSTRUMENT_UNKNOWN', `${this.source.venueName} does not list ${instrumentId}; ${this.source.unknownHint}`, { details: { instrumentId } });
    }
    return instrument;
  }

  private async fetch(): Promise<Instrument[]> {
    const { instruments, rules } = await this.source.fetch();
    this.list = instruments;
    this.byId = new Map(instruments.map((i) => [i.id, i]));
    this.rulesById = rules;
    this.source.logger.info(`${this.source.venueName} instruments loaded`, { count: instruments.length });
    return instruments;
  }
}
