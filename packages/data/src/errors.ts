import { AutotraderError, type ErrorCode } from '@autotrader/core';

/**
 * A coded error whose hint is written for the case at hand instead of the code's general hint: a file
 * missing for `data import` must not be told to run `pnpm data import`, and a bad row's hint names the
 * command that keeps the file (`--repair drop`). The code stays the stable one users match on.
 */
export class DataError extends AutotraderError {
  constructor(
    code: ErrorCode,
    message: string,
    private readonly fix: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(code, message, options);
  }

  /** What to do about it, naming a command that helps. */
  override get hint(): string {
    return this.fix;
  }
}

/** Shell-quotes a path for a command shown to the user, only when it needs it. */
export const shellPath = (path: string): string => (/^[\w./@%+=:,-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`);

/** The Arrow file a command suggests for `input`: the same name with `.arrow`. */
export function arrowNameFor(input: string): string {
  const base = input.replace(/\.gz$/i, '').replace(/\.(csv|txt|json|tsv|arrow|feather|ipc)$/i, '');
  return `${base}${/\.(arrow|feather|ipc)$/i.test(input) ? '-repaired' : ''}.arrow`;
}

/** The import command for `input`, with extra options: `pnpm data import x.csv --out x.arrow --repair drop`. */
export const importCommand = (input: string, extra = ''): string => `pnpm data import ${shellPath(input)} --out ${shellPath(arrowNameFor(input))}${extra ? ` ${extra}` : ''}`;

/** The hint for a row that breaks the market-data rules: fix it, or keep the file with a repair. */
export function badRowHint(path: string, clippable: boolean): string {
  const drop = `\`${importCommand(path, '--repair drop')}\` keeps the file without the bad rows`;
  const clip = clippable ? `, \`--repair clip\` moves open and close into [low, high]` : '';
  return `Fix the named row at its source, or ${drop}${clip}; the import reports every row it changed.`;
}
