import { timeoutProvider } from 'rxjs/internal/scheduler/timeoutProvider';

/*
 * RxJS catches an error thrown by a subscriber's `next` and rethrows it later from a setTimeout
 * (reportUnhandledError). The bus must see that error at the event that caused it, so while the bus
 * is dispatching we run RxJS's deferred error reports synchronously: the error then propagates out of
 * `subscriber.next()` into the bus, which stops the backtest or isolates the subscriber. Outside a
 * dispatch RxJS behaves exactly as usual. Only error reports use timeoutProvider; RxJS schedulers
 * use intervalProvider and are unaffected.
 */
let depth = 0;

type Delegate = NonNullable<typeof timeoutProvider.delegate>;
const previous = timeoutProvider.delegate;

const syncWhileDispatching: Delegate = {
  setTimeout(handler: (...args: unknown[]) => void, timeout?: number, ...args: unknown[]) {
    if (depth > 0 && timeout === undefined) {
      handler(...args);
      return 0 as unknown as ReturnType<typeof setTimeout>;
    }
    return (previous?.setTimeout ?? setTimeout)(handler, timeout, ...args) as ReturnType<typeof setTimeout>;
  },
  clearTimeout(handle) {
    (previous?.clearTimeout ?? clearTimeout)(handle as ReturnType<typeof setTimeout>);
  },
} as Delegate;

timeoutProvider.delegate = syncWhileDispatching;

/** Marks the start of a bus dispatch. */
export function enterDispatch(): void {
  depth++;
}

/** Marks the end of a bus dispatch. */
export function leaveDispatch(): void {
  depth--;
}
