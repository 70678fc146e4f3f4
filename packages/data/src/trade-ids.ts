/**
 * Trade ids are the one string column. Held as Arrow holds them (UTF-8 bytes plus offsets) so that
 * reading a file never decodes ids nobody asks for; each id is decoded on demand.
 */

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** Reads trade id `i` out of UTF-8 bytes and Arrow-style offsets (`offsets[i]..offsets[i+1]`). */
export function utf8Ids(bytes: Uint8Array, offsets: Int32Array): (i: number) => string {
  return (i: number): string => {
    const a = offsets[i];
    const b = offsets[i + 1];
    if (a === b) return '';
    // ASCII fast path: most venue ids are digits, and String.fromCharCode beats TextDecoder on short runs.
    if (b - a <= 32) {
      let ascii = true;
      for (let k = a; k < b; k++) if (bytes[k] > 127) ascii = false;
      if (ascii) return String.fromCharCode.apply(null, bytes.subarray(a, b) as unknown as number[]);
    }
    return decoder.decode(bytes.subarray(a, b));
  };
}

/** Encodes `length` ids into UTF-8 bytes and offsets (`length + 1` of them). */
export function encodeIds(length: number, id: (i: number) => string): { bytes: Uint8Array; offsets: Int32Array } {
  const ids = new Array<string>(length);
  let capacity = 0;
  for (let i = 0; i < length; i++) {
    ids[i] = id(i);
    // UTF-8 needs at most 3 bytes per UTF-16 code unit.
    capacity += ids[i].length * 3;
  }
  const bytes = new Uint8Array(capacity);
  const offsets = new Int32Array(length + 1);
  let pos = 0;
  for (let i = 0; i < length; i++) {
    const s = ids[i];
    let ascii = true;
    for (let k = 0; k < s.length; k++) {
      const c = s.charCodeAt(k);
      if (c > 127) {
        ascii = false;
        break;
      }
      bytes[pos + k] = c;
    }
    pos += ascii ? s.length : encoder.encodeInto(s, bytes.subarray(pos)).written;
    if (pos > 0x7fffffff) throw new RangeError('trade ids exceed 2 GiB');
    offsets[i + 1] = pos;
  }
  return { bytes: bytes.subarray(0, pos), offsets };
}

/** Trade ids held as a plain string array (what the parsers produce); missing ids read as ''. */
export const arrayIds =
  (ids: readonly string[]): ((i: number) => string) =>
  (i: number): string =>
    ids[i] ?? '';
