import { AutotraderError, type Instrument, type InstrumentCatalog } from '@autotrader/core';

/** An {@link InstrumentCatalog} over a fixed list, with an error that says which ids exist. */
export class StaticInstrumentCatalog implements InstrumentCatalog {
  private readonly byId = new Map<string, Instrument>();

  constructor(instruments: readonly Instrument[]) {
    for (const i of instruments) this.add(i);
  }

  /** Adds (or replaces) an instrument, e.g. after the venue's list is reloaded. */
  add(instrument: Instrument): void {
    this.byId.set(instrument.id, instrument);
  }

  get(id: string): Instrument {
    const i = this.byId.get(id);
    if (i === undefined) {
      const known = [...this.byId.keys()].slice(0, 10).join(', ');
      throw new AutotraderError('INSTRUMENT_UNKNOWN', `unknown instrument '${id}' (known: ${known || 'none'})`, { details: { instrumentId: id } });
    }
    return i;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  list(): readonly Instrument[] {
    return [...this.byId.values()];
  }
}
