import { AutotraderError, isAutotraderError, redact } from '@autotrader/core';

/** Exit code for a coded error; 2 is kept for command-line usage errors. */
export const EXIT_ERROR = 1;
/** Exit code for a usage error (unknown option, bad value). */
export const EXIT_USAGE = 2;

/**
 * One line for the user: the code, what went wrong, and what to do. With `verbose`, the stack and the
 * chain of causes follow. Secrets are masked in both.
 */
export function formatError(error: unknown, options: { verbose?: boolean; secrets?: readonly string[] } = {}): string {
  const secrets = options.secrets ?? [];
  const e = isAutotraderError(error) ? error : new AutotraderError('INTERNAL', error instanceof Error ? error.message : String(error), { cause: error });
  let line = `error ${e.code}: ${e.message.replace(/\s*\n\s*/g, ' ')} (${e.hint})`;
  if (options.verbose) {
    const parts = [line, e.stack ?? ''];
    let cause: unknown = e.cause;
    while (cause instanceof Error) {
      parts.push(`caused by: ${cause.stack ?? cause.message}`);
      cause = cause.cause;
    }
    line = parts.join('\n');
  }
  return redact(line, secrets);
}
