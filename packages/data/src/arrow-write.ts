import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Float64, Int8, RecordBatch, Schema, Struct, Table, TimestampMillisecond, Utf8, makeData, tableToIPC, type Data } from 'apache-arrow';
import { AutotraderError } from '@autotrader/core';
import { FORMAT_VERSION, LAYOUT, META, arrowFields } from './arrow-schema';
import { barInterval, firstUnsortedRow, isBarSeries, isTradeSeries, type Series } from './series';
import { encodeIds } from './trade-ids';

function timestampData(name: string, ts: Float64Array): Data {
  const values = new BigInt64Array(ts.length);
  for (let i = 0; i < ts.length; i++) {
    // Sub-millisecond digits are truncated, as the importers do; floor keeps the order of the rows.
    const v = Math.floor(ts[i]);
    if (!Number.isSafeInteger(v)) {
      throw new AutotraderError('DATA_CORRUPT', `Column ${name} row ${i} is ${ts[i]}, not an epoch time in ms; fix the times before writing.`, {
        details: { column: name, row: i, value: ts[i] },
      });
    }
    values[i] = BigInt(v);
  }
  return makeData({ type: new TimestampMillisecond('UTC'), length: ts.length, nullCount: 0, data: values });
}

/** Builds the Arrow columns of a series in {@link LAYOUT} order, checking every column has `length` rows. */
function columnData(series: Series): Data[] {
  const n = series.length;
  const cols = series.columns as unknown as Record<string, unknown>;
  return LAYOUT[series.meta.kind].map((spec): Data => {
    if (spec.type === 'utf8') {
      const { bytes, offsets } = encodeIds(n, (i) => (series.columns as { tradeId(i: number): string }).tradeId(i));
      return makeData({ type: new Utf8(), length: n, nullCount: 0, data: bytes, valueOffsets: offsets });
    }
    const values = cols[spec.key] as Float64Array | Int8Array | undefined;
    if (values === undefined || values.length !== n) {
      throw new AutotraderError('DATA_CORRUPT', `Column ${spec.key} has ${values?.length ?? 'no'} rows but the series has ${n}; every column must have one value per row.`, {
        details: { column: spec.key, rows: values?.length, length: n },
      });
    }
    if (spec.type === 'timestamp') return timestampData(spec.name, values as Float64Array);
    // Arrow takes the bytes of whatever typed array it is given, so a column of the wrong array type
    // would be reinterpreted, not converted: convert it here.
    if (spec.type === 'int8') {
      return makeData({ type: new Int8(), length: n, nullCount: 0, data: values instanceof Int8Array ? values : Int8Array.from(values) });
    }
    return makeData({ type: new Float64(), length: n, nullCount: 0, data: values instanceof Float64Array ? values : Float64Array.from(values) });
  });
}

/** The schema metadata that makes a file ours (see data/README.md). */
function schemaMetadata(series: Series): Map<string, string> {
  const m = new Map<string, string>([
    [META.version, FORMAT_VERSION],
    [META.kind, series.meta.kind],
    [META.instrument, JSON.stringify(series.meta.instrument)],
  ]);
  if (isBarSeries(series)) m.set(META.intervalMs, String(barInterval(series)));
  if (series.meta.source !== undefined) m.set(META.source, series.meta.source);
  return m;
}

/** The series as the bytes of an uncompressed Arrow IPC file (one record batch). */
export function seriesToArrow(series: Series): Uint8Array {
  const bad = firstUnsortedRow(series);
  if (bad >= 0) {
    const field = isBarSeries(series) ? 'tsOpen' : 'ts';
    const strict = isBarSeries(series) ? ' (bars need strictly increasing open times)' : '';
    throw new AutotraderError('DATA_UNSORTED', `Row ${bad} goes back in time${strict}; sort the series by ${field} before writing.`, {
      details: { row: bad },
    });
  }
  if (isTradeSeries(series) && typeof series.columns.tradeId !== 'function') {
    throw new AutotraderError('DATA_CORRUPT', 'Trade series columns need a tradeId(i) function.');
  }
  const fields = arrowFields(series.meta.kind);
  const schema = new Schema(fields, schemaMetadata(series));
  const data = makeData({ type: new Struct(fields), length: series.length, nullCount: 0, children: columnData(series) });
  return tableToIPC(new Table(schema, [new RecordBatch(schema, data)]), 'file');
}

/**
 * Writes an UNCOMPRESSED Arrow IPC file (RecordBatchFile), creating the folder if needed. Times are
 * stored as whole ms (sub-ms fractions are truncated). The file is written beside the target and renamed
 * into place, so a crash never leaves half a file behind. Errors: DATA_UNSORTED (rows out of time order),
 * DATA_CORRUPT (ragged columns, times that are not epoch ms), CONFIG_INVALID (bars without intervalMs, an
 * unwritable path).
 */
export function writeSeries(path: string, series: Series): void {
  const bytes = seriesToArrow(series);
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(tmp, bytes);
    renameSync(tmp, path);
  } catch (cause) {
    rmSync(tmp, { force: true });
    throw new AutotraderError('CONFIG_INVALID', `Cannot write ${path}: ${(cause as Error).message}. Choose a writable --out path.`, {
      cause,
      details: { path },
    });
  }
}
