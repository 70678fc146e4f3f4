import { AutotraderError } from '@autotrader/core';
import { klineJsonRow, ohlcvCsvRows } from './bars';
import { BarBuilder, QuoteBuilder, TradeBuilder, type AnyBuilder, type RowRules } from './builders';
import { detectCsvFormat, detectJsonFormat, FORMAT_KIND, type ImportFormat } from './detect';
import { DataError, importCommand } from './errors';
import type { PriceScale } from './fields';
import { JsonArrayScanner } from './json-array';
import { LineSplitter } from './lines';
import { checkImportOptions, type ImportOptions } from './parse';
import { quotesCsvRows } from './quotes';
import type { RepairReport } from './repair';
import type { BarSeries, QuoteSeries, Series, SeriesMeta, TradeSeries } from './series';
import { csvHead, isBlank, parseError, splitFields, type CsvText, type RowLocation } from './text';
import { inferIntervalMs, parseInterval, parseTime } from './time';
import { binanceTradeJsonRow, binanceTradesCsvRows, freqtradeJsonRow, tradesCsvRows } from './trades';

/** What an import produced: the series, its layout, and what a repair changed. */
export interface ImportResult {
  readonly series: Series;
  /** The source layout (`arrow` for one of our Arrow files re-imported). */
  readonly format: ImportFormat | 'arrow';
  readonly repair?: RepairReport;
}

type CsvRows = (fields: string[], line: number) => void;
type JsonRow = (path: string, value: unknown, index: number, ps: PriceScale, b: never) => void;

const lineAt = (line: number): RowLocation => ({ line });
const elementAt = (element: number): RowLocation => ({ element });

/**
 * Turns the bytes of a CSV or JSON file, fed chunk by chunk, into a series held as typed columns: the
 * text is never held whole, so a file of any size can be imported (see {@link importFile}). JSON or CSV
 * is decided by the first character; the layout by `options.format` or detection from the header, the
 * first row or the first JSON element. Every row is checked with the market-data rules; a bad row is
 * refused with a coded error naming the file, row and column, unless `options.repair` says otherwise.
 */
export class Importer {
  private readonly options: ReturnType<typeof checkImportOptions>;
  private kind: 'unknown' | 'csv' | 'json' = 'unknown';
  private pending: Uint8Array[] = [];
  private splitter: LineSplitter | undefined;
  private scanner: JsonArrayScanner | undefined;
  private builder: AnyBuilder | undefined;
  private format: ImportFormat | undefined;
  private csvRows: CsvRows | undefined;
  private jsonRow: ((value: unknown, index: number) => void) | undefined;
  /** The first non-blank line, while we wait for the line after it (format detection needs both). */
  private firstLine: { text: string; lineNo: number } | undefined;
  private headerSeen = false;
  /** How many fields a row may have: the header's, or the first row's in a headerless file. */
  private width: number | undefined;
  private delimiter = ',';
  private bytesIn = 0;
  private reserved = false;

  /**
   * @param path the file, for messages
   * @param sizeHint the uncompressed size in bytes when known: the columns are sized from it once the
   *   first chunk shows how long a row is, instead of growing step by step
   */
  constructor(
    readonly path: string,
    options: ImportOptions,
    private readonly sizeHint?: number,
  ) {
    this.options = checkImportOptions(path, options);
  }

  /** Feeds the next chunk of the file's (uncompressed) bytes. */
  push(chunk: Uint8Array): void {
    this.bytesIn += chunk.length;
    if (this.kind === 'unknown') {
      const first = firstCharacter(chunk);
      if (first < 0) {
        this.pending.push(chunk.slice());
        return;
      }
      this.kind = first === 91 /* [ */ || first === 123 /* { */ ? 'json' : 'csv';
      if (this.kind === 'csv') this.splitter = new LineSplitter(this.path, (line, n) => this.onLine(line, n));
      else this.scanner = new JsonArrayScanner(this.path, (value, i) => this.onElement(value, i));
      const held = this.pending;
      this.pending = [];
      for (const p of held) this.feed(p);
    }
    this.feed(chunk);
    this.reserve();
  }

  /** Ends the input and returns the series. Errors: DATA_EMPTY, CONFIG_INVALID (a single bar without --interval). */
  finish(): ImportResult {
    this.splitter?.end();
    this.scanner?.end();
    const b = this.builder;
    if (b === undefined) {
      const why = this.kind === 'json' ? 'is an empty JSON array' : this.headerSeen ? 'has a header but no data rows' : 'is empty';
      throw new DataError('DATA_EMPTY', `${this.path} ${why}; there is nothing to import.`, `Check what the file holds (\`head ${this.path}\`); import a file with data rows.`, { details: { path: this.path } });
    }
    const repair = b.log?.report();
    if (b.length === 0) {
      throw new DataError('DATA_EMPTY', `${this.path}: every row was dropped by --repair drop (the first: ${repair?.first[0]}, ${repair?.firstReason}); there is nothing to import.`, `Check the file (\`head ${this.path}\`); it may need --format or its rows fixing.`, {
        details: { path: this.path },
      });
    }
    const o = this.options;
    const meta: SeriesMeta = { kind: FORMAT_KIND[this.format!], instrument: o.instrument };
    if (o.source !== undefined) meta.source = o.source;
    let series: Series;
    if (b instanceof BarBuilder) {
      const columns = b.columns();
      const intervalMs = o.interval !== undefined ? parseInterval(o.interval) : inferIntervalMs(columns.tsOpen);
      if (intervalMs === undefined) {
        throw new DataError('CONFIG_INVALID', `${this.path} has a single bar, so its interval cannot be inferred; pass --interval (e.g. 1m, 1d).`, `Give the bar length: \`${importCommand(this.path, '--interval 1d')}\`.`, { details: { path: this.path } });
      }
      meta.intervalMs = intervalMs;
      series = { meta: meta as BarSeries['meta'], length: b.length, columns } satisfies BarSeries;
    } else if (b instanceof TradeBuilder) {
      series = { meta: meta as TradeSeries['meta'], length: b.length, columns: b.columns() } satisfies TradeSeries;
    } else {
      series = { meta: meta as QuoteSeries['meta'], length: b.length, columns: b.columns() } satisfies QuoteSeries;
    }
    return { series, format: this.format!, ...(repair === undefined ? {} : { repair }) };
  }

  private feed(chunk: Uint8Array): void {
    if (this.splitter !== undefined) this.splitter.push(chunk);
    else this.scanner!.push(chunk);
  }

  /** Sizes the columns once, from the file size and the bytes per row seen so far. */
  private reserve(): void {
    if (this.reserved || this.builder === undefined || this.sizeHint === undefined) return;
    const rows = this.splitter?.lines ?? this.scanner!.elements;
    if (rows < 2) return;
    this.reserved = true;
    this.builder.reserve((this.sizeHint / this.bytesIn) * rows * 1.02 + 64);
  }

  private rules(locate: (position: number) => RowLocation): RowRules {
    return { path: this.path, repair: this.options.repair, allowNonPositivePrices: this.options.instrument.allowNonPositivePrices === true, locate };
  }

  private onLine(line: string, lineNo: number): void {
    if (isBlank(line)) return;
    const rows = this.csvRows;
    if (rows !== undefined) {
      const fields = splitFields(line, this.delimiter);
      const row = (): void => {
        this.checkWidth(fields, lineNo);
        rows(fields, lineNo);
      };
      if (this.options.repair !== 'drop') row();
      else this.dropping(row, { line: lineNo });
      return;
    }
    // The head of the file: the first line, and the next one too when the first is a header.
    if (this.firstLine === undefined) {
      this.firstLine = { text: line, lineNo };
      const head = csvHead(this.path, this.firstLine, undefined, parseTime);
      if (head.header === undefined) this.startCsv(head, [this.firstLine]);
      else this.headerSeen = true;
      return;
    }
    this.startCsv(csvHead(this.path, this.firstLine, line, parseTime), [{ text: line, lineNo }]);
  }

  /**
   * Refuses a row with more fields than the header (or, without one, than the first row), unless the
   * extra fields are empty (a trailing delimiter). Reading it by position would take a wrong value
   * without a word: `...,1,5` written for 1.5 with a decimal comma becomes a volume of 1.
   */
  private checkWidth(fields: string[], lineNo: number): void {
    this.width ??= fields.length;
    if (fields.length <= this.width) return;
    const extra = fields.slice(this.width);
    if (extra.every(isBlank)) return;
    const expected = this.headerSeen ? `the header has ${this.width}` : `the first row has ${this.width}`;
    throw parseError(this.path, { line: lineNo }, `${this.width + 1}`, extra.join(this.delimiter), `is an extra field: the row has ${fields.length} fields and ${expected} (a decimal comma, or a delimiter inside an unquoted value?)`);
  }

  private startCsv(head: CsvText, dataLines: { text: string; lineNo: number }[]): void {
    this.width = head.header?.length;
    const f = this.options.format ?? detectCsvFormat(head);
    const ps = this.options.priceScale;
    const rules = this.rules(lineAt);
    this.delimiter = head.delimiter;
    this.format = f;
    switch (f) {
      case 'ohlcv-csv':
      case 'binance-kline': {
        const b = new BarBuilder(rules);
        this.builder = b;
        this.csvRows = ohlcvCsvRows(head, ps, b);
        break;
      }
      case 'trades-csv':
      case 'binance-trades': {
        if (f === 'trades-csv' && !head.header) {
          throw new DataError('DATA_FORMAT_UNKNOWN', `${this.path}: trades-csv needs a header (ts, price, qty[, side][, id]).`, `For Binance's headerless dumps: \`${importCommand(this.path, '--format binance-trades')}\`.`, {
            details: { path: this.path },
          });
        }
        const b = new TradeBuilder(rules);
        this.builder = b;
        this.csvRows = f === 'trades-csv' ? tradesCsvRows(head, ps, b) : binanceTradesCsvRows(head, ps, b);
        break;
      }
      case 'quotes-csv': {
        const b = new QuoteBuilder(rules);
        this.builder = b;
        this.csvRows = quotesCsvRows(head, ps, b);
        break;
      }
      case 'freqtrade-trades':
        throw new DataError('DATA_FORMAT_UNKNOWN', `${this.path}: freqtrade-trades is a JSON layout but the file is not JSON.`, `Give the file's own layout with --format, or let \`${importCommand(this.path)}\` detect it.`, { details: { path: this.path } });
    }
    for (const l of dataLines) this.onLine(l.text, l.lineNo);
  }

  private onElement(value: unknown, index: number): void {
    if (this.jsonRow === undefined) this.startJson(value);
    const row = this.jsonRow!;
    if (this.options.repair !== 'drop') row(value, index);
    else this.dropping(() => row(value, index), { element: index });
  }

  private startJson(first: unknown): void {
    const f = this.options.format ?? detectJsonFormat(this.path, [first]);
    const ps = this.options.priceScale;
    const rules = this.rules(elementAt);
    this.format = f;
    let row: JsonRow;
    let b: AnyBuilder;
    switch (f) {
      case 'binance-kline':
        b = new BarBuilder(rules);
        row = klineJsonRow as JsonRow;
        break;
      case 'binance-trades':
        b = new TradeBuilder(rules);
        row = binanceTradeJsonRow as JsonRow;
        break;
      case 'freqtrade-trades':
        b = new TradeBuilder(rules);
        row = freqtradeJsonRow as JsonRow;
        break;
      default:
        throw new DataError('DATA_FORMAT_UNKNOWN', `${this.path} is JSON, but --format ${f} is a CSV layout.`, `Use --format binance-kline, binance-trades or freqtrade-trades, or give a CSV file: \`${importCommand(this.path)}\`.`, {
          details: { path: this.path, format: f },
        });
    }
    this.builder = b;
    this.jsonRow = (value, index) => row(this.path, value, index, ps, b as never);
  }

  /** Runs one row under `--repair drop`: a row that cannot be read is dropped and noted, not refused. */
  private dropping(run: () => void, at: RowLocation): void {
    try {
      run();
    } catch (e) {
      if (!(e instanceof AutotraderError) || e.code !== 'DATA_PARSE') throw e;
      const d = e.details as { column?: string; text?: string };
      this.builder!.log!.dropped(at, d.column === undefined ? e.message : `column ${d.column} ${JSON.stringify(d.text ?? '')} cannot be read`);
    }
  }
}

/** The first byte that is not whitespace or a UTF-8 byte-order mark, or -1. */
function firstCharacter(chunk: Uint8Array): number {
  for (let i = 0; i < chunk.length; i++) {
    const c = chunk[i];
    if (c === 32 || c === 9 || c === 10 || c === 13 || (i < 3 && (c === 0xef || c === 0xbb || c === 0xbf))) continue;
    return c;
  }
  return -1;
}
