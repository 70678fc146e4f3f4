/** The exit status of a process ended by SIGPIPE, as a shell reports it (128 + 13). */
export const EXIT_CLOSED_PIPE = 128 + 13;

/**
 * Ends the process quietly when the reader of stdout or stderr goes away (`pnpm backtest | head`,
 * `--json | head -c 100`). Node ignores SIGPIPE, so a write to a closed pipe fails with EPIPE, which
 * unhandled is an uncaught exception with a stack. What `seq 1e9 | head` does is what a user
 * expects: stop at once, print nothing more, and exit as a process killed by SIGPIPE (141).
 */
export function exitQuietlyOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') process.exit(EXIT_CLOSED_PIPE);
      throw error;
    });
  }
}
