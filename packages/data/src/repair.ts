import { AutotraderError } from '@autotrader/core';
import { locationText, type RowLocation } from './text';

/**
 * How an import treats a row that breaks the market-data rules (see `@autotrader/core`'s
 * market-data-check): refuse the file (no repair, the default), `drop` the row, or `clip` a bar's open
 * and close into [low, high]. `clip` refuses what it cannot repair (a non-finite or non-positive price,
 * high below low, a bad volume or time), naming the row.
 */
export type RepairMode = 'drop' | 'clip';

/** The repair modes, for option parsing. */
export const REPAIR_MODES: readonly RepairMode[] = ['drop', 'clip'];

/** How many row locations a repair report keeps, to name the first few. */
const KEPT = 10;

/** What a repair changed: how many rows were dropped or clipped, and where the first ones were. */
export interface RepairReport {
  readonly mode: RepairMode;
  /** Rows removed (`drop`). */
  readonly dropped: number;
  /** Rows whose open or close was moved into [low, high] (`clip`). */
  readonly clipped: number;
  /** The first rows changed, as the user counts them (`line 12`, `row 5`), in file order. */
  readonly first: readonly string[];
  /** Why the first row was changed (`close 1e9 is above high 101`). */
  readonly firstReason?: string;
}

/** Collects what a repair changes while rows stream past. */
export class RepairLog {
  private droppedRows = 0;
  private clippedRows = 0;
  private readonly first: string[] = [];
  private firstReason: string | undefined;

  constructor(readonly mode: RepairMode) {}

  /** Notes one dropped row. */
  dropped(at: RowLocation, reason: string): void {
    this.droppedRows++;
    this.keep(at, reason);
  }

  /** Notes one clipped row. */
  clipped(at: RowLocation, reason: string): void {
    this.clippedRows++;
    this.keep(at, reason);
  }

  private keep(at: RowLocation, reason: string): void {
    if (this.first.length < KEPT) this.first.push(locationText(at));
    this.firstReason ??= reason;
  }

  /** The report so far. */
  report(): RepairReport {
    return { mode: this.mode, dropped: this.droppedRows, clipped: this.clippedRows, first: [...this.first], ...(this.firstReason === undefined ? {} : { firstReason: this.firstReason }) };
  }
}

/** One line for the user: `--repair drop: dropped 3 rows (line 5, line 9, line 12; first: close NaN is not a finite number)`. */
export function formatRepair(r: RepairReport): string {
  const changed = r.dropped + r.clipped;
  if (changed === 0) return `--repair ${r.mode}: every row was good, nothing changed`;
  const what = r.mode === 'drop' ? `dropped ${r.dropped} row${r.dropped === 1 ? '' : 's'}` : `clipped ${r.clipped} row${r.clipped === 1 ? '' : 's'} (open/close moved into [low, high])`;
  const more = changed > r.first.length ? `, … ${changed - r.first.length} more` : '';
  return `--repair ${r.mode}: ${what}: ${r.first.join(', ')}${more}${r.firstReason === undefined ? '' : `; the first: ${r.firstReason}`}`;
}

/** Checks a `--repair` value (the CLI's choices do this too; this guards the library). */
export function checkRepairMode(mode: unknown): RepairMode | undefined {
  if (mode === undefined) return undefined;
  if (mode === 'drop' || mode === 'clip') return mode;
  throw new AutotraderError('CONFIG_INVALID', `--repair ${JSON.stringify(mode)} is not one of ${REPAIR_MODES.join(', ')}.`, { details: { repair: mode } });
}
