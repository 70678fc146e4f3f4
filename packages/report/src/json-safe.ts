/** A value that `JSON.stringify` writes without loss or surprise, and `JSON.parse` reads back equal. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * Converts anything into a {@link JsonValue}, so that output never holds NaN or Infinity (which
 * `JSON.stringify` silently turns into `null` in arrays but which other consumers reject) and never
 * throws. Rules: non-finite numbers → null; bigint → decimal string; Date → ISO string (null when
 * invalid); objects with a `toJSON` (such as Decimal) → what it returns, made safe; Map → object of its
 * entries; Set and typed arrays → arrays; `undefined`, functions and symbols are dropped from objects
 * and become null in arrays; a repeated reference on the current path (a cycle) → the string `[Circular]`.
 */
export function toJsonSafe(value: unknown): JsonValue {
  return convert(value, new Set());
}

function convert(value: unknown, path: Set<object>): JsonValue {
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'string':
    case 'boolean':
      return value;
    case 'bigint':
      return value.toString();
    case 'undefined':
    case 'function':
    case 'symbol':
      return null;
  }
  if (value === null) return null;
  const obj = value as object;
  if (path.has(obj)) return '[Circular]';
  if (obj instanceof Date) return Number.isFinite(obj.getTime()) ? obj.toISOString() : null;
  path.add(obj);
  try {
    if (typeof (obj as { toJSON?: unknown }).toJSON === 'function') {
      return convert((obj as { toJSON(): unknown }).toJSON(), path);
    }
    if (ArrayBuffer.isView(obj)) {
      // A DataView has no elements of its own type; raw bytes are not a meaningful JSON value.
      return obj instanceof DataView ? [] : Array.from(obj as unknown as ArrayLike<unknown>, (item) => convert(item, path));
    }
    if (Array.isArray(obj) || obj instanceof Set) return Array.from(obj as Iterable<unknown>, (item) => convert(item, path));
    const entries: Iterable<[unknown, unknown]> = obj instanceof Map ? obj.entries() : Object.entries(obj);
    const out: { [key: string]: JsonValue } = {};
    for (const [k, v] of entries) {
      if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
      out[String(k)] = convert(v, path);
    }
    return out;
  } finally {
    path.delete(obj);
  }
}
