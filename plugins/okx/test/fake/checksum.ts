/**
 * OKX's order book checksum (books channel): the best 25 bids and asks interleaved as
 * `bid1Px:bid1Sz:ask1Px:ask1Sz:bid2Px:...` (a side with fewer levels simply stops contributing),
 * CRC32 of that string, as a signed 32-bit integer. The prices and sizes are the strings sent on
 * the wire. The CRC here is table-driven, independent of node:zlib (the tests check it with zlib).
 * @module
 */

const TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** CRC32 (IEEE) of the UTF-8 bytes of `text`, as a signed 32-bit integer. */
export function crc32Signed(text: string): number {
  let c = -1;
  for (const byte of Buffer.from(text, 'utf8')) c = TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) | 0;
}

/** The string OKX checksums: top 25 levels of each side, interleaved. */
export function checksumString(bids: readonly (readonly [string, string])[], asks: readonly (readonly [string, string])[]): string {
  const parts: string[] = [];
  for (let i = 0; i < 25; i++) {
    const b = bids[i];
    const a = asks[i];
    if (b !== undefined) parts.push(`${b[0]}:${b[1]}`);
    if (a !== undefined) parts.push(`${a[0]}:${a[1]}`);
  }
  return parts.join(':');
}

/** The `checksum` of a books message for the book (best first on each side) after it is applied. */
export function bookChecksum(bids: readonly (readonly [string, string])[], asks: readonly (readonly [string, string])[]): number {
  return crc32Signed(checksumString(bids, asks));
}
