/**
 * Every request a fake venue received, oldest first, for tests that check what a plugin sent (and
 * what it did not send: an order type refused before anything left the process).
 * @module
 */
import type { FakeRequest } from './faults';

/** A request with its wall-clock receive time. */
export type LoggedFakeRequest<R extends FakeRequest = FakeRequest> = R & { readonly at: number };

/** An append-only log of requests. */
export class RequestLog<R extends FakeRequest = FakeRequest> {
  private readonly entries: LoggedFakeRequest<R>[] = [];

  /** Records `request` as received now; returns it. */
  record(request: R): R {
    this.entries.push({ ...request, params: { ...request.params }, at: Date.now() });
    return request;
  }

  /** Every request, oldest first (copies: changing them changes nothing here). */
  list(): LoggedFakeRequest<R>[] {
    return this.entries.map((r) => ({ ...r, params: { ...r.params } }));
  }

  /** How many requests `matches` selects. */
  count(matches: (request: R) => boolean = () => true): number {
    let n = 0;
    for (const r of this.entries) if (matches(r)) n++;
    return n;
  }
}
