import { Field, Float64, Int8, TimestampMillisecond, Utf8, type DataType } from 'apache-arrow';
import type { SeriesKind } from './series';

/** Version of our Arrow layout, stored as `autotrader.version`. Bump it when the layout changes. */
export const FORMAT_VERSION = '1';

/** Schema metadata keys. */
export const META = {
  version: 'autotrader.version',
  kind: 'autotrader.kind',
  instrument: 'autotrader.instrument',
  intervalMs: 'autotrader.interval_ms',
  source: 'autotrader.source',
} as const;

/** How one column is stored: its Arrow name and type, and the name of the typed array it fills. */
export interface ColumnSpec {
  readonly name: string;
  readonly key: string;
  readonly type: 'timestamp' | 'float64' | 'int8' | 'utf8';
}

/** The column layout of each kind, in file order. */
export const LAYOUT: Readonly<Record<SeriesKind, readonly ColumnSpec[]>> = {
  bar: [
    { name: 'ts_open', key: 'tsOpen', type: 'timestamp' },
    { name: 'open', key: 'open', type: 'float64' },
    { name: 'high', key: 'high', type: 'float64' },
    { name: 'low', key: 'low', type: 'float64' },
    { name: 'close', key: 'close', type: 'float64' },
    { name: 'volume', key: 'volume', type: 'float64' },
  ],
  trade: [
    { name: 'ts', key: 'ts', type: 'timestamp' },
    { name: 'price', key: 'price', type: 'float64' },
    { name: 'size', key: 'size', type: 'float64' },
    { name: 'aggressor', key: 'aggressor', type: 'int8' },
    { name: 'trade_id', key: 'tradeId', type: 'utf8' },
  ],
  quote: [
    { name: 'ts', key: 'ts', type: 'timestamp' },
    { name: 'bid', key: 'bid', type: 'float64' },
    { name: 'ask', key: 'ask', type: 'float64' },
    { name: 'bid_size', key: 'bidSize', type: 'float64' },
    { name: 'ask_size', key: 'askSize', type: 'float64' },
  ],
};

/** The Arrow type of a column spec. Timestamps carry the UTC zone so that pandas/pyarrow read instants. */
export function arrowType(spec: ColumnSpec): DataType {
  switch (spec.type) {
    case 'timestamp':
      return new TimestampMillisecond('UTC');
    case 'float64':
      return new Float64();
    case 'int8':
      return new Int8();
    case 'utf8':
      return new Utf8();
  }
}

/** The Arrow fields of a kind (all non-nullable). */
export const arrowFields = (kind: SeriesKind): Field[] => LAYOUT[kind].map((c) => new Field(c.name, arrowType(c), false));
