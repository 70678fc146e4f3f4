import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { silentLogger } from '@autotrader/core';
import { ReconnectingSocket, socketSettings } from '@autotrader/venue-kit';
import banned from '../test/fixtures/docs/ws_api_ip_banned_418_response.json';
import subscribed from '../test/fixtures/docs/ws_api_userDataStream_subscribe_signature_response.json';
import executionReport from '../test/fixtures/docs/uds_execution_report.json';
import { parseBinanceConfig } from './config';
import { mapVenueFailure } from './http';
import { wsApiEventSchema, wsApiResponseSchema, WsApiCalls } from './ws';

describe('WebSocket API shapes', () => {
  it('reads answers and user data events as Binance documents them', () => {
    expect(wsApiResponseSchema.parse(subscribed)).toMatchObject({ status: 200, result: { subscriptionId: 0 } });
    const ban = wsApiResponseSchema.parse(banned);
    expect(ban.error).toMatchObject({ code: -1003, data: { retryAfter: 1659146400000 } });
    // A 418 ban over the WebSocket API waits until the ban ends.
    const e = mapVenueFailure({ status: ban.status, code: ban.error!.code, msg: ban.error!.msg, retryAfterEpochMs: ban.error!.data!.retryAfter, request: 'WS x', orderRequest: false }, 1659146000000);
    expect(e.code).toBe('RATE_LIMITED');
    expect(e.details.retryAfterMs).toBe(400_000);
    expect(wsApiEventSchema.parse(executionReport).event.e).toBe('executionReport');
  });
});

const servers: WebSocketServer[] = [];
const sockets: ReconnectingSocket[] = [];
afterEach(async () => {
  await Promise.all(sockets.splice(0).map((s) => s.close()));
  for (const s of servers.splice(0)) await new Promise<void>((r) => s.close(() => r()));
});

async function connected(answer: (frame: { id: string; method: string }) => unknown): Promise<WsApiCalls> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  servers.push(wss);
  await new Promise<void>((r) => wss.once('listening', () => r()));
  wss.on('connection', (ws) =>
    ws.on('message', (d) => {
      const reply = answer(JSON.parse(d.toString()) as { id: string; method: string });
      if (reply !== undefined) ws.send(JSON.stringify(reply));
    }),
  );
  const config = parseBinanceConfig({ timeouts: { wsRequestMs: 100 } });
  const calls: WsApiCalls = new WsApiCalls('Binance WebSocket API', config.timeouts.wsRequestMs, () => socket);
  const socket = new ReconnectingSocket({
    name: 'test',
    url: () => `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`,
    logger: silentLogger,
    ...socketSettings(config),
    onOpen: async () => {},
    onMessage: (text) => calls.answer(wsApiResponseSchema.parse(JSON.parse(text))),
    onState: () => {},
  });
  sockets.push(socket);
  await socket.start();
  return calls;
}

describe('WsApiCalls', () => {
  it('sends {id, method, params} and resolves with the answer carrying that id', async () => {
    const calls = await connected((f) => ({ id: f.id, status: 200, result: { method: f.method } }));
    const [a, b] = await Promise.all([calls.call('session.status', {}), calls.call('userDataStream.subscribe.signature', { apiKey: 'k' })]);
    expect(a.result).toEqual({ method: 'session.status' });
    expect(b.result).toEqual({ method: 'userDataStream.subscribe.signature' });
    expect(a.id).not.toBe(b.id);
  });

  it('a call with no answer within wsRequestMs is VENUE_TIMEOUT naming the method', async () => {
    const calls = await connected(() => undefined);
    await expect(calls.call('userDataStream.subscribe.signature', {})).rejects.toMatchObject({
      code: 'VENUE_TIMEOUT',
      message: 'Binance WebSocket API: no answer to userDataStream.subscribe.signature within 100 ms',
    });
  });

  it('an answer nobody waits for is not taken', async () => {
    const calls = await connected(() => undefined);
    expect(calls.answer({ id: 'at-99', status: 200 })).toBe(false);
    expect(calls.answer({ id: null, status: 400 })).toBe(false);
  });
});
