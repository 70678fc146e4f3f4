/**
 * The wait a `Retry-After` header asks for, ms: delta-seconds (`"7"`, `"0.5"`) or an HTTP date
 * (RFC 9110 §10.2.3). Undefined when the header is absent or unreadable, so the caller can fall back
 * to the venue's own hint (a ban time in the body) or a default.
 */
export function retryAfterMs(header: string | readonly string[] | null | undefined, now: number): number | undefined {
  const raw = Array.isArray(header) ? header[0] : (header as string | null | undefined);
  if (raw === undefined || raw === null || raw.trim() === '') return undefined;
  const text = raw.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}
