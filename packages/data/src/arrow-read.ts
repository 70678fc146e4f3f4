import { CompressionType, MessageHeader, MessageReader, RecordBatchFileReader, Type, type Data, type Schema } from 'apache-arrow';
import { AutotraderError, instrumentSpecSchema, type InstrumentSpec } from '@autotrader/core';
import { FORMAT_VERSION, LAYOUT, META, type ColumnSpec } from './arrow-schema';
import { DataError } from './errors';
import { readBytes } from './files';
import { sliceByEventTime, type Series, type SeriesKind, type TimeRange } from './series';
import { unsortedError, valueError } from './text';
import { utf8Ids } from './trade-ids';
import { findBadRow } from './validate';

const MAGIC = 'ARROW1';

const corrupt = (path: string, why: string, details: Record<string, unknown> = {}, cause?: unknown): AutotraderError =>
  new DataError('DATA_CORRUPT', `${path}: ${why}; re-import it with \`pnpm data import\`.`, 'Import the CSV or JSON it was made from again: `pnpm data import <source> --out <file.arrow>` (see data/README.md).', {
    details: { path, ...details },
    cause,
  });

const ascii = (b: Uint8Array, from: number, n: number): string => String.fromCharCode(...b.subarray(from, from + n));

/** Says what a file that is not an Arrow IPC *file* looks like, so the message can name it. */
function checkMagic(path: string, b: Uint8Array): void {
  if (b.length >= 6 && ascii(b, 0, 6) === MAGIC) {
    if (b.length < 12 || ascii(b, b.length - 6, 6) !== MAGIC) throw corrupt(path, 'the Arrow file is truncated (its footer is missing)', { bytes: b.length });
    return;
  }
  if (b.length === 0) throw corrupt(path, 'the file is empty, not an Arrow file');
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xff && b[2] === 0xff && b[3] === 0xff) {
    throw corrupt(path, 'this is an Arrow IPC *stream*, not an Arrow IPC file (RecordBatchFile)');
  }
  if (b.length >= 4 && ascii(b, 0, 4) === 'PAR1') throw corrupt(path, 'this is a Parquet file, not an Arrow IPC file');
  throw corrupt(path, 'not an Arrow IPC file (no ARROW1 magic at the start)');
}

/** Checks the schema is the layout of its kind (names, types, no nulls allowed) and returns the kind. */
function checkSchema(path: string, schema: Schema): { kind: SeriesKind; instrument: InstrumentSpec; intervalMs?: number; source?: string } {
  const md = schema.metadata;
  const version = md.get(META.version);
  const kind = md.get(META.kind);
  if (version === undefined || kind === undefined) {
    throw corrupt(path, `the schema has no autotrader metadata (${META.version}, ${META.kind}), so it was not written by writeSeries`);
  }
  if (version !== FORMAT_VERSION) throw corrupt(path, `layout version ${version} is not supported (this build reads version ${FORMAT_VERSION})`, { version });
  if (kind !== 'bar' && kind !== 'trade' && kind !== 'quote') throw corrupt(path, `unknown series kind ${JSON.stringify(kind)}`, { kind });
  const layout = LAYOUT[kind];
  const names = schema.fields.map((f) => f.name);
  if (names.length !== layout.length || layout.some((c, i) => c.name !== names[i] || !typeMatches(c, schema.fields[i].type))) {
    throw corrupt(path, `the columns [${schema.fields.map((f) => `${f.name}: ${f.type}`).join(', ')}] are not the ${kind} layout [${layout.map((c) => `${c.name}: ${c.type}`).join(', ')}]`);
  }
  let instrument: InstrumentSpec;
  try {
    const parsed = instrumentSpecSchema.safeParse(JSON.parse(md.get(META.instrument) ?? 'null'));
    if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    instrument = parsed.data;
  } catch (cause) {
    throw corrupt(path, `${META.instrument} is not a valid instrument spec (${(cause as Error).message})`, {}, cause);
  }
  let intervalMs: number | undefined;
  if (kind === 'bar') {
    intervalMs = Number(md.get(META.intervalMs));
    if (!Number.isFinite(intervalMs) || intervalMs <= 0) throw corrupt(path, `${META.intervalMs} is missing or not a positive number of ms`);
  }
  const source = md.get(META.source);
  return { kind, instrument, ...(intervalMs === undefined ? {} : { intervalMs }), ...(source === undefined ? {} : { source }) };
}

function typeMatches(spec: ColumnSpec, type: { typeId: Type }): boolean {
  switch (spec.type) {
    case 'timestamp':
      return type.typeId === Type.Timestamp && (type as unknown as { unit: number }).unit === 1; /* TimeUnit.MILLISECOND */
    case 'float64':
      return type.typeId === Type.Float && (type as unknown as { precision: number }).precision === 2; /* Precision.DOUBLE */
    case 'int8':
      return type.typeId === Type.Int && (type as unknown as { bitWidth: number; isSigned: boolean }).bitWidth === 8 && (type as unknown as { isSigned: boolean }).isSigned;
    case 'utf8':
      return type.typeId === Type.Utf8;
  }
}

/**
 * Refuses compressed record batches before Arrow decodes them: we read buffers in place, and a codec
 * registered elsewhere in the process must not silently change that.
 */
function checkUncompressed(path: string, bytes: Uint8Array, reader: RecordBatchFileReader): void {
  let compression: CompressionType | undefined;
  try {
    for (const block of reader.footer!.recordBatches()) {
      const message = new MessageReader(bytes.subarray(block.offset, block.offset + block.metaDataLength)).readMessage(MessageHeader.RecordBatch);
      compression ??= message?.header().compression?.type;
    }
  } catch (cause) {
    // A damaged footer or batch message (a block pointing at no message, a length too large for a
    // number): apache-arrow throws a plain Error or TypeError. Found by the fuzz suite's byte flips.
    throw corrupt(path, `a record batch cannot be read (${(cause as Error).message})`, {}, cause);
  }
  if (compression !== undefined) {
    throw corrupt(path, `its record batches are ${CompressionType[compression]}-compressed; autotrader reads only uncompressed Arrow files`, {
      compression: CompressionType[compression],
    });
  }
}

/** Timestamp (int64 ms) values as Float64 in one loop, via 32-bit halves to avoid a BigInt per row. */
function int64ToFloat64(values: BigInt64Array, out: Float64Array, at: number): void {
  const halves = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
  for (let i = 0; i < values.length; i++) out[at + i] = halves[2 * i + 1] * 4294967296 + (halves[2 * i] >>> 0);
}

/** Trade ids as read: the accessor, and the UTF-8 bytes and offsets a writer can copy as they are. */
interface IdColumn {
  readonly tradeId: (i: number) => string;
  readonly arrowIds: { readonly bytes: Uint8Array; readonly offsets: Int32Array };
}

/** One column out of every batch, as one typed array of its own. */
function readColumn(spec: ColumnSpec, chunks: Data[], total: number): Float64Array | Int8Array | IdColumn {
  if (spec.type === 'timestamp') {
    const out = new Float64Array(total);
    let at = 0;
    for (const d of chunks) {
      int64ToFloat64((d.values as BigInt64Array).subarray(d.offset, d.offset + d.length), out, at);
      at += d.length;
    }
    return out;
  }
  if (spec.type === 'utf8') {
    if (chunks.length === 1 && chunks[0].offset === 0 && (chunks[0].valueOffsets as Int32Array)[0] === 0) {
      const bytes = chunks[0].values as Uint8Array;
      const offsets = (chunks[0].valueOffsets as Int32Array).subarray(0, total + 1);
      return { tradeId: utf8Ids(bytes, offsets), arrowIds: { bytes, offsets } };
    }
    const offsets = new Int32Array(total + 1);
    const parts: Uint8Array[] = [];
    let row = 0;
    let base = 0;
    for (const d of chunks) {
      const o = d.valueOffsets as Int32Array;
      const first = o[d.offset];
      for (let i = 1; i <= d.length; i++) offsets[row + i] = base + o[d.offset + i] - first;
      const last = o[d.offset + d.length];
      parts.push((d.values as Uint8Array).subarray(first, last));
      base += last - first;
      row += d.length;
    }
    const bytes = new Uint8Array(base);
    let pos = 0;
    for (const p of parts) {
      bytes.set(p, pos);
      pos += p.length;
    }
    return { tradeId: utf8Ids(bytes, offsets), arrowIds: { bytes, offsets } };
  }
  // Always a copy into memory of our own, never a view on the file: replaying from views on the
  // buffer Node read the file into ran the 1M-bar backtest about 2x slower (pnpm bench), and the copy
  // lets that buffer be freed.
  const Ctor = spec.type === 'int8' ? Int8Array : Float64Array;
  const out = new Ctor(total);
  let at = 0;
  for (const d of chunks) {
    (out as Float64Array).set((d.values as Float64Array).subarray(d.offset, d.offset + d.length), at);
    at += d.length;
  }
  return out;
}

/**
 * Reads a whole file written by {@link writeSeries} into a series without checking its rows (no
 * slicing, no rule checks): for `pnpm data import <file.arrow> --repair`, which checks them itself.
 */
export function readSeriesUnchecked(path: string): Series {
  return decodeSeries(path, readBytes(path, 'arrow'));
}

function decodeSeries(path: string, bytes: Uint8Array): Series {
  checkMagic(path, bytes);
  let reader: RecordBatchFileReader;
  try {
    const opened = RecordBatchFileReader.from(bytes);
    if (!opened.isFile()) throw new Error('Arrow did not recognise the file format');
    reader = opened;
    reader.open();
  } catch (cause) {
    throw corrupt(path, `the Arrow footer or schema cannot be read (${(cause as Error).message})`, {}, cause);
  }
  const meta = checkSchema(path, reader.schema);
  checkUncompressed(path, bytes, reader);
  const layout = LAYOUT[meta.kind];
  const chunks: Data[][] = layout.map(() => []);
  let total = 0;
  try {
    for (let b = 0; b < reader.numRecordBatches; b++) {
      const batch = reader.readRecordBatch(b);
      if (batch === null) throw new Error(`record batch ${b} is missing`);
      batch.data.children.forEach((d, j) => {
        if (d.nullCount > 0) throw new Error(`column ${layout[j].name} has ${d.nullCount} nulls`);
        chunks[j].push(d);
      });
      total += batch.numRows;
    }
  } catch (cause) {
    if (cause instanceof AutotraderError) throw cause;
    throw corrupt(path, `a record batch cannot be read (${(cause as Error).message})`, {}, cause);
  }
  const columns: Record<string, unknown> = {};
  layout.forEach((spec, j) => {
    const column = readColumn(spec, chunks[j], total);
    if (column instanceof Float64Array || column instanceof Int8Array) columns[spec.key] = column;
    else Object.assign(columns, column);
  });
  return { meta, length: total, columns } as unknown as Series;
}

/**
 * Reads an uncompressed Arrow IPC file written by {@link writeSeries}, column by column into typed
 * arrays, and checks every row with the market-data rules (in one pass over the columns) before anything
 * can use it. `from`/`to` (epoch ms, inclusive/exclusive) keep the rows whose EVENT time is in range, by
 * binary search and without copying.
 *
 * Errors: DATA_NOT_FOUND (missing file), DATA_CORRUPT (not Arrow, wrong schema, no autotrader metadata,
 * compressed batches), DATA_PARSE (a row breaks the rules: a non-finite or non-positive price, high below
 * low, a close above the high...; names the 1-based row and the column), DATA_UNSORTED (time goes
 * backwards: names the row), DATA_EMPTY (no rows after slicing), RANGE_INVALID (from > to),
 * CONFIG_INVALID (a file larger than this platform can read at once).
 */
export function readSeries(path: string, options: TimeRange = {}): Series {
  const series = decodeSeries(path, readBytes(path, 'arrow'));
  const bad = findBadRow(series);
  if (bad !== undefined) {
    const at = { row: bad.index + 1 };
    if ('unsorted' in bad) throw unsortedError(path, at, bad.unsorted.ts, bad.unsorted.prev, bad.unsorted.strict);
    throw valueError(path, at, bad.problem);
  }
  return sliceByEventTime(series, options, path);
}
