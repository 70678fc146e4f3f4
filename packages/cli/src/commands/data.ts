import type { Argv, CommandModule } from 'yargs';
import type { AssetClass } from '@autotrader/core';
import { IMPORT_FORMATS, REPAIR_MODES, formatImportSummary, importFile, type ImportFormat, type RepairMode } from '@autotrader/data';
import { progressBar } from '../progress-bar';
import { downloadCommand } from './download';

interface ImportArgs {
  input: string;
  out: string;
  format?: ImportFormat;
  symbol?: string;
  venue?: string;
  assetClass?: AssetClass;
  base?: string;
  quote?: string;
  tick?: string;
  lot?: string;
  minNotional?: string;
  interval?: string;
  priceScale?: number;
  source?: string;
  repair?: RepairMode;
  allowNonPositivePrices?: boolean;
}

const ASSET_CLASSES: readonly AssetClass[] = ['spot', 'perpetual', 'future', 'option', 'fx', 'equity'];

/** `data import <input> --out <file.arrow>`: convert CSV/JSON market data to an Arrow file. */
const importCommand: CommandModule<object, ImportArgs> = {
  command: 'import <input>',
  describe: 'Convert a CSV/JSON file (.csv .txt .json, optionally .gz; streamed, any size) to an uncompressed Arrow file, or check and repair one of our Arrow files',
  builder: (y: Argv) =>
    y
      .positional('input', { type: 'string', demandOption: true, describe: 'CSV or JSON file to import' })
      .option('out', { type: 'string', demandOption: true, describe: 'Arrow file to write (.arrow)' })
      .option('format', { choices: IMPORT_FORMATS, describe: 'Source layout (auto-detected when absent)' })
      .option('symbol', { type: 'string', describe: 'Instrument symbol (default: the file name, upper-cased)' })
      .option('venue', { type: 'string', describe: 'Venue name (default SIM)' })
      .option('asset-class', { choices: ASSET_CLASSES, describe: 'Asset class (default spot)' })
      .option('base', { type: 'string', describe: 'Base currency or asset' })
      .option('quote', { type: 'string', describe: 'Quote currency (default USD)' })
      // Strings, not numbers: 0.00000001 must reach the decimal parser as written.
      .option('tick', { type: 'string', describe: 'Tick size (price step)' })
      .option('lot', { type: 'string', describe: 'Lot size (quantity step)' })
      .option('min-notional', { type: 'string', describe: 'Minimum order notional' })
      .option('interval', { type: 'string', describe: 'Bar length: 1m, 1d, 15s or ms (default: the most common gap)' })
      .option('price-scale', { type: 'number', describe: 'Multiply every price, e.g. 0.0001 for deci-cents' })
      .option('source', { type: 'string', describe: 'Where the data came from (stored in the file)' })
      .option('allow-non-positive-prices', { type: 'boolean', describe: 'The instrument may trade at zero or negative prices (spreads, some futures); stored in the file' })
      .option('repair', { choices: REPAIR_MODES, describe: 'Keep a file with bad rows: drop removes them, clip moves open/close into [low, high]; every change is reported' }) as unknown as Argv<ImportArgs>,
  handler: async (args) => {
    const bar = progressBar(process.stderr, `importing ${args.input}`);
    const summary = await importFile({
      input: args.input,
      out: args.out,
      format: args.format,
      symbol: args.symbol,
      venue: args.venue,
      assetClass: args.assetClass,
      base: args.base,
      quote: args.quote,
      tickSize: args.tick,
      lotSize: args.lot,
      minNotional: args.minNotional,
      interval: args.interval,
      priceScale: args.priceScale,
      source: args.source,
      repair: args.repair,
      allowNonPositivePrices: args.allowNonPositivePrices,
      onProgress: (read, total) => bar.update(read, total),
    }).finally(() => bar.end());
    console.log(formatImportSummary(summary));
  },
};

/** `data <command>`: data management commands (`import`, `download`). */
export const dataCommand: CommandModule = {
  command: 'data <command>',
  describe: 'Manage market data files',
  builder: (y: Argv) =>
    y
      .command(importCommand)
      .command(downloadCommand)
      .demandCommand(1, 'Give a data command, e.g. `data import <file> --out <file.arrow>` or `data download --venue binance --symbol BTCUSDT --from 2024-01-01 --out <file.arrow>`.'),
  handler: () => {
    // The subcommand's handler does the work; yargs routes there.
  },
};
