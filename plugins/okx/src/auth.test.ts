import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { hmacBase64, isoTimestamp, restAuthHeaders, restPrehash, wsLoginArgs, wsLoginPrehash } from './auth';

const creds = { apiKey: 'test-key', secret: 'okx-test-secret', passphrase: 'test-passphrase' };

/** The same HMAC computed by stock openssl, independently of our code. */
const opensslHmac = (secret: string, text: string): string =>
  execFileSync('openssl', ['dgst', '-sha256', '-hmac', secret, '-binary'], { input: text }).toString('base64');

describe('OKX signing', () => {
  // OKX publishes the composition, not an expected output (VENUES.md §3.2 and §7): "sign=CryptoJS.enc.Base64.stringify(
  // CryptoJS.HmacSHA256(timestamp + 'GET' + '/api/v5/account/balance?ccy=BTC', SecretKey))" with the timestamp
  // example 2020-12-08T09:08:57.715Z. The expected values were computed with openssl (and are checked against it again below).
  it('signs the documented GET example (query in the request path, no body)', () => {
    const text = restPrehash('2020-12-08T09:08:57.715Z', 'GET', '/api/v5/account/balance', 'ccy=BTC', '');
    expect(text).toBe('2020-12-08T09:08:57.715ZGET/api/v5/account/balance?ccy=BTC');
    expect(hmacBase64('okx-test-secret', text)).toBe('zoyYBAbbthbWS/lMxs58ldmr49iLIYLocgewx2gd6g8=');
  });

  it('signs a POST over the exact body bytes', () => {
    const body = '{"instId":"BTC-USDT","tdMode":"cash","side":"buy","ordType":"limit","px":"30000","sz":"0.01"}';
    const text = restPrehash('2020-12-08T09:08:57.715Z', 'post', '/api/v5/trade/order', '', body);
    expect(hmacBase64('okx-test-secret', text)).toBe('g47FnI4F4X3kdwsEqxQOZJGww0FV2xVJbgFE98GU1M4=');
    // One space more in the body is another signature.
    expect(hmacBase64('okx-test-secret', text.replace(':"0.01"', ': "0.01"'))).not.toBe('g47FnI4F4X3kdwsEqxQOZJGww0FV2xVJbgFE98GU1M4=');
  });

  it('agrees with openssl on arbitrary text', () => {
    const text = restPrehash(isoTimestamp(1_700_000_000_123), 'GET', '/api/v5/trade/order', 'instId=BTC-USDT&clOrdId=abc', '');
    expect(hmacBase64(creds.secret, text)).toBe(opensslHmac(creds.secret, text));
  });

  it('stamps REST requests in ISO 8601 UTC with milliseconds', () => {
    expect(isoTimestamp(Date.UTC(2020, 11, 8, 9, 8, 57, 715))).toBe('2020-12-08T09:08:57.715Z');
    const h = restAuthHeaders(creds, Date.UTC(2020, 11, 8, 9, 8, 57, 715), { method: 'GET', path: '/api/v5/account/balance', query: 'ccy=BTC', body: '' });
    expect(h).toEqual({
      'ok-access-key': 'test-key',
      'ok-access-sign': 'zoyYBAbbthbWS/lMxs58ldmr49iLIYLocgewx2gd6g8=',
      'ok-access-timestamp': '2020-12-08T09:08:57.715Z',
      'ok-access-passphrase': 'test-passphrase',
    });
  });

  it('logs in on the socket with Unix seconds and GET /users/self/verify', () => {
    expect(wsLoginPrehash('1538054050')).toBe('1538054050GET/users/self/verify');
    const args = wsLoginArgs(creds, 1_538_054_050_975);
    expect(args).toEqual({ apiKey: 'test-key', passphrase: 'test-passphrase', timestamp: '1538054050', sign: 'glDzkdxsbPQQjWTlU42gCcktsrKcEmquRBno72XX5Mk=' });
    expect(args.sign).toBe(opensslHmac(creds.secret, '1538054050GET/users/self/verify'));
  });
});
