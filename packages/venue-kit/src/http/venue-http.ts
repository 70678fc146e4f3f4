import type { z } from 'zod';
import type { AutotraderError } from '@autotrader/core';
import type { QueryParams } from './query';
import { SignedHttpClient, type HttpMethod, type PreparedRequest, type RequestKind, type SignedHttpOptions, type TrackedUsage } from './signed-http';

/** What one call of a plugin's REST client may add to its method, path and schema. */
export interface VenueRequestOptions {
  readonly query?: QueryParams;
  readonly body?: unknown;
  /** Authenticated (default: the client's `signedByDefault`). */
  readonly signed?: boolean;
  readonly kind?: RequestKind;
}

/**
 * The base of a plugin's REST client: the kit's {@link SignedHttpClient} and the calls every plugin
 * makes of it (a request by method, path and schema; usage; close). A plugin extends it with only what
 * is its venue's: `sign` (its authentication), and `recover` where a failure can be repaired (a clock
 * re-sync). They are methods rather than options so that they can use the plugin's own fields.
 */
export abstract class VenueHttp {
  protected readonly client: SignedHttpClient;

  constructor(
    options: Omit<SignedHttpOptions, 'sign' | 'recover'>,
    /** Whether a request is signed when its call does not say (a venue whose every endpoint needs the key). */
    private readonly signedByDefault = false,
  ) {
    this.client = new SignedHttpClient({ ...options, sign: (request) => this.sign(request), recover: (error, request) => this.recover(error, request) });
  }

  /** Adds the venue's authentication to a request about to be sent (called on every attempt). */
  protected abstract sign(request: PreparedRequest): PreparedRequest | Promise<PreparedRequest>;

  /** Repairs what made a request fail and says whether to send it once more (default: nothing to repair). */
  protected recover(_error: AutotraderError, _request: PreparedRequest): Promise<boolean> | boolean {
    return false;
  }

  /** Sends a request; the answer is checked with `schema`. */
  request<S extends z.ZodType>(method: HttpMethod, path: string, schema: S, options: VenueRequestOptions = {}): Promise<z.output<S>> {
    return this.client.request({ method, path, schema, query: options.query, body: options.body, signed: options.signed ?? this.signedByDefault, kind: options.kind });
  }

  /** The usage counters from the latest responses (empty at a venue that sends none). */
  usage(): TrackedUsage {
    return this.client.usage();
  }

  /** Calls `listener` after every response that carried usage headers. */
  onUsage(listener: (usage: TrackedUsage) => void): () => void {
    return this.client.onUsage(listener);
  }

  /** Closes the connection pool if this client created it. */
  close(): Promise<void> {
    return this.client.close();
  }
}
