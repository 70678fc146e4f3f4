import { constants } from 'node:os';

/** The signals that stop a session: Ctrl-C in a terminal, and `kill`/service managers. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;
type StopSignal = (typeof STOP_SIGNALS)[number];

/** What {@link watchStopSignals} reports. */
export interface StopSignals {
  /** Resolves with the first stop signal. */
  readonly requested: Promise<StopSignal>;
  /** The first stop signal, once one came. */
  readonly received: StopSignal | undefined;
  /** Stops listening (the default action of the signals applies again). */
  dispose(): void;
}

/** The exit code of a process ended by `signal`, by the shell's convention (128 + its number: 130 for SIGINT). */
export const signalExitCode = (signal: StopSignal): number => 128 + constants.signals[signal];

/**
 * Ctrl-C handling for a long-running session. The first SIGINT or SIGTERM calls `onStop` (a graceful
 * shutdown); a second one, from a user who will not wait, calls `onForce`, which exits at once.
 *
 * The CLI runs in a single process (`node --import tsx`, not the tsx CLI, which relays signals to a
 * child and SIGKILLs it when it is slow to confirm them), so a SIGINT sent to the whole process
 * group by a terminal reaches this process once, and nothing between the terminal and the program
 * can cut the shutdown short.
 */
export function watchStopSignals(onStop: (signal: StopSignal) => void, onForce: (signal: StopSignal) => void): StopSignals {
  let received: StopSignal | undefined;
  let resolveRequested: (signal: StopSignal) => void = () => {};
  const requested = new Promise<StopSignal>((r) => (resolveRequested = r));
  const handlers = STOP_SIGNALS.map((signal) => {
    const handler = (): void => {
      if (received !== undefined) return onForce(signal);
      received = signal;
      resolveRequested(signal);
      onStop(signal);
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  return {
    requested,
    get received() {
      return received;
    },
    dispose: () => {
      for (const [signal, handler] of handlers) process.off(signal, handler);
    },
  };
}
