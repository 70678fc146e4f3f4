import { AutotraderError } from '@autotrader/core';

/** What a command's options are, as yargs describes them (`yargs.getOptions()`), reduced to what the check needs. */
export interface OptionTable {
  /** Every option name the command knows (kebab-case as declared). */
  readonly key: Readonly<Record<string, unknown>>;
  readonly boolean: readonly string[];
  readonly count?: readonly string[];
  readonly array: readonly string[];
  readonly number: readonly string[];
}

/** A number as a user writes one: no NaN, Infinity, hex or empty text (yargs would turn those into NaN, 16 or 0). */
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;
/** A token that is a value, not a flag: anything not starting with '-', or a negative number (`--maker-fee -0.0001`). */
const isValue = (token: string): boolean => !token.startsWith('-') || NUMBER.test(token);
const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

const usage = (message: string, flag: string): AutotraderError => new AutotraderError('CONFIG_INVALID', message, { details: { usage: true, flag } });

/**
 * Checks the raw command-line tokens against a command's options before yargs' values are used.
 * yargs quietly falls back to the default for a flag with no value (`--cash` runs with 100000),
 * turns `--cash NaN` or `--cash abc` into NaN, `--cash=` and `--no-cash` into 0, and makes a value
 * flag given twice an array; each of those is an error here that names the flag as it was typed.
 * Boolean flags and positional arguments are left to yargs (`strict()` refuses unknown flags).
 */
export function checkOptionTokens(tokens: readonly string[], options: OptionTable): void {
  const known = new Set(Object.keys(options.key));
  const takesNoValue = new Set([...options.boolean, ...(options.count ?? [])]);
  const arrays = new Set(options.array);
  const numbers = new Set(options.number);
  const seen = new Map<string, string>();
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token === '--') break;
    if (!token.startsWith('--') || token.length === 2) continue;
    const eq = token.indexOf('=');
    const typed = eq < 0 ? token : token.slice(0, eq);
    const name = kebab(typed.slice(2));
    if (!known.has(name)) {
      // `--no-cash` is yargs' negation of a boolean; for a flag that takes a value it silently means 0.
      if (name.startsWith('no-') && known.has(name.slice(3)) && !takesNoValue.has(name.slice(3))) throw usage(`${typed} is not an option: --${name.slice(3)} takes a value, it cannot be negated`, typed);
      continue;
    }
    if (takesNoValue.has(name)) continue;
    const values: string[] = [];
    if (eq >= 0) values.push(token.slice(eq + 1));
    else {
      while (i + 1 < tokens.length && isValue(tokens[i + 1]!) && tokens[i + 1] !== '--') {
        values.push(tokens[++i]!);
        if (!arrays.has(name)) break;
      }
    }
    if (values.length === 0 || values.every((v) => v.trim() === '')) throw usage(`${typed} needs a value${eq >= 0 ? ` (nothing follows '=')` : ''}`, typed);
    if (numbers.has(name)) {
      for (const v of values) if (!NUMBER.test(v.trim())) throw usage(`${typed} '${v}' is not a number`, typed);
    }
    if (!arrays.has(name)) {
      const before = seen.get(name);
      if (before !== undefined) throw usage(`${typed} is given twice ('${before}' and '${values[0]}'); give it once`, typed);
      seen.set(name, values[0]!);
    }
  }
}
