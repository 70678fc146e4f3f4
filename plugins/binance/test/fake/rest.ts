/**
 * The REST transport: reads an HTTP request exactly as sent (raw query string and body, for the
 * signature), hands it to the gateway, and writes Binance's headers (`X-MBX-USED-WEIGHT-1M`,
 * legacy `X-MBX-USED-WEIGHT`, `X-MBX-ORDER-COUNT-10S/-1D`, `Retry-After`).
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '@autotrader/testkit/fake-venue';
import { BinanceApiError } from './errors';
import type { Gateway, GatewayOutcome } from './gateway';
import type { RateLimiter } from './limits';
import { mergeQueryAndBody, parseUrlEncoded } from './params';
import { restSignaturePayload, stripSignature } from './signing';

/** REST transport wiring. */
export interface RestOptions {
  readonly gateway: Gateway;
  readonly limiter: RateLimiter;
  /** Keeps a response open, never answered (acceptThenTimeout); the server closes it on shutdown. */
  readonly hold: (res: ServerResponse) => void;
}

function signatureOf(query: Map<string, string>, body: Map<string, string>): string | undefined {
  return query.get('signature') ?? body.get('signature');
}

/** Builds the `request` listener of the venue's HTTP server. */
export function createRestHandler(o: RestOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const respond = (res: ServerResponse, outcome: GatewayOutcome): void => {
    if (outcome.kind === 'drop') {
      res.socket?.destroy();
      return;
    }
    if (outcome.kind === 'hold') {
      o.hold(res);
      return;
    }
    const used = String(o.limiter.usedWeight());
    const headers: Record<string, string> = { 'X-MBX-USED-WEIGHT-1M': used, 'X-MBX-USED-WEIGHT': used };
    if (outcome.placesOrder) {
      const c = o.limiter.orderCounts();
      headers['X-MBX-ORDER-COUNT-10S'] = String(c.tenSeconds);
      headers['X-MBX-ORDER-COUNT-1D'] = String(c.day);
    }
    if (outcome.retryAfterSec !== undefined) headers['Retry-After'] = String(outcome.retryAfterSec);
    const write = (): void => {
      if (res.destroyed) return;
      if (outcome.body === undefined) {
        res.writeHead(outcome.status, headers).end();
      } else {
        res.writeHead(outcome.status, { ...headers, 'Content-Type': 'application/json;charset=UTF-8' }).end(JSON.stringify(outcome.body));
      }
      outcome.after?.();
    };
    if (outcome.delayMs > 0) setTimeout(write, outcome.delayMs);
    else write();
  };

  return (req, res) => {
    void (async () => {
      const rawBody = await readBody(req);
      const target = req.url ?? '/';
      const q = target.indexOf('?');
      const path = q < 0 ? target : target.slice(0, q);
      const rawQuery = q < 0 ? '' : target.slice(q + 1);
      let params = new Map<string, string>();
      let parseError: BinanceApiError | undefined;
      let signature: string | undefined;
      try {
        const query = parseUrlEncoded(rawQuery);
        const body = parseUrlEncoded(rawBody);
        signature = signatureOf(query, body);
        params = mergeQueryAndBody(parseUrlEncoded(stripSignature(rawQuery)), parseUrlEncoded(stripSignature(rawBody)));
      } catch (e) {
        if (!(e instanceof BinanceApiError)) throw e;
        parseError = e;
      }
      const apiKeyHeader = req.headers['x-mbx-apikey'];
      const outcome = o.gateway.handle({
        transport: 'rest',
        method: req.method ?? 'GET',
        path,
        params,
        parseError,
        signature,
        signaturePayload: restSignaturePayload(rawQuery, rawBody),
        headerApiKey: Array.isArray(apiKeyHeader) ? apiKeyHeader[0] : apiKeyHeader,
      });
      respond(res, outcome);
    })().catch((e: unknown) => {
      // A bug in the fake, not a venue answer: make it loud in the test output.
      console.error('fake Binance REST handler failed', e);
      if (!res.headersSent) res.writeHead(500).end();
    });
  };
}
