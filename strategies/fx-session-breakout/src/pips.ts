import { Decimal, type Instrument } from '@autotrader/core';

/** The pip location used when an instrument does not give one: −4, the pip of EUR/USD and most majors (0.0001). */
export const DEFAULT_PIP_LOCATION = -4;

/** The size of one pip of an instrument in price units: 10^pipLocation (0.0001 for EUR/USD, 0.01 for USD/JPY). */
export function pipSize(instrument: Pick<Instrument, 'pipLocation'>): Decimal {
  return new Decimal(`1e${instrument.pipLocation ?? DEFAULT_PIP_LOCATION}`);
}

/** A distance in pips as a price distance. */
export function pipsToPrice(instrument: Pick<Instrument, 'pipLocation'>, pips: number): Decimal {
  return pipSize(instrument).mul(pips);
}

/** A price distance in pips. */
export function priceToPips(instrument: Pick<Instrument, 'pipLocation'>, distance: Decimal | number): number {
  return new Decimal(distance).div(pipSize(instrument)).toNumber();
}
