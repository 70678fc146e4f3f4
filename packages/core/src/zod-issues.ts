import type { z } from 'zod';

/**
 * One shared way to validate user-written settings (venue options, config files, risk limits, strategy
 * parameters) with zod and to say what is wrong. A misspelled key must never be dropped in silence (a
 * typo in an endpoint option would fall back to the default endpoint), so keys an object schema does not
 * know are refused even where the schema itself would strip them, and the message names the key and
 * lists the keys valid at that level. Only a level that declares it accepts other keys (passthrough,
 * loose, or a typed catchall) takes them.
 */

type AnySchema = z.core.$ZodType;
type Def = z.core.$ZodTypeDef & Record<string, unknown>;

/** How an object level treats keys its shape does not list. */
type ExtraKeys = 'strip' | 'strict' | 'open';

/** An object level of a schema: its keys' schemas and what it does with other keys. */
interface ObjectLevel {
  readonly shape: Readonly<Record<string, AnySchema>>;
  readonly extra: ExtraKeys;
}

/** Keys that a schema level does not know, where they are, and what that level does know. */
export interface UnknownKeys {
  /** Where the object with the unknown keys sits in the input (empty: the top level). */
  readonly path: readonly PropertyKey[];
  readonly keys: readonly string[];
  /** The keys valid at that level, in the schema's order. */
  readonly validKeys: readonly string[];
}

const defOf = (schema: AnySchema): Def => schema._zod.def as Def;

const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};

/**
 * Follows wrappers that leave the input's shape as it is (optional, nullable, default, prefault,
 * readonly, catch, nonoptional, lazy, and the input side of a pipe, which is where `.transform()` and
 * `.pipe()` put the original schema; `.refine()` is a check on the schema itself). Returns undefined
 * when the input is rewritten before it reaches an object (`z.preprocess`): its raw keys cannot be
 * checked against the shape.
 */
function unwrap(schema: AnySchema, depth = 0): AnySchema | undefined {
  if (depth > 64) return undefined;
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      return unwrap(def.innerType as AnySchema, depth + 1);
    case 'lazy':
      return unwrap((def.getter as () => AnySchema)(), depth + 1);
    case 'pipe': {
      const input = def.in as AnySchema;
      return defOf(input).type === 'transform' ? undefined : unwrap(input, depth + 1);
    }
    default:
      return schema;
  }
}

function objectLevel(schema: AnySchema): ObjectLevel | undefined {
  const def = defOf(schema);
  if (def.type !== 'object') return undefined;
  const catchall = def.catchall as AnySchema | undefined;
  const extra: ExtraKeys = catchall === undefined ? 'strip' : defOf(catchall).type === 'never' ? 'strict' : 'open';
  return { shape: def.shape as Record<string, AnySchema>, extra };
}

/**
 * Which option of a union the value is meant for: by the discriminator where there is one, else the
 * only option that accepts the value. Undefined when that cannot be told (zod then reports the union).
 */
function unionOption(schema: AnySchema, value: Record<string, unknown>): AnySchema | undefined {
  const def = defOf(schema);
  const options = def.options as readonly AnySchema[];
  const discriminator = def.discriminator as string | undefined;
  if (discriminator !== undefined) {
    return options.find((option) => {
      const inner = unwrap(option);
      const field = inner === undefined ? undefined : objectLevel(inner)?.shape[discriminator];
      return field !== undefined && (field as z.ZodType).safeParse(value[discriminator]).success;
    });
  }
  const objects = options.filter((option) => {
    const inner = unwrap(option);
    return inner !== undefined && objectLevel(inner) !== undefined;
  });
  if (objects.length === 1) return objects[0];
  const accepting = options.filter((option) => (option as z.ZodType).safeParse(value).success);
  return accepting.length === 1 ? accepting[0] : undefined;
}

function walk(schema: AnySchema, value: unknown, path: PropertyKey[], found: UnknownKeys[]): void {
  const node = unwrap(schema);
  if (node === undefined || value === undefined || value === null) return;
  const def = defOf(node);
  if (def.type === 'object' && isPlainObject(value)) {
    const level = objectLevel(node)!;
    const validKeys = Object.keys(level.shape);
    const unknown = Object.keys(value).filter((key) => !Object.hasOwn(level.shape, key));
    if (unknown.length > 0 && level.extra !== 'open') found.push({ path: [...path], keys: unknown, validKeys });
    for (const key of Object.keys(value)) {
      // Own keys only: JSON.parse makes `__proto__` (or `constructor`) an own key of the input, and the shape's inherited members are not schemas.
      const field = Object.hasOwn(level.shape, key) ? level.shape[key] : undefined;
      if (field !== undefined) walk(field, value[key], [...path, key], found);
    }
  } else if (def.type === 'array' && Array.isArray(value)) {
    value.forEach((item, i) => walk(def.element as AnySchema, item, [...path, i], found));
  } else if (def.type === 'record' && isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) walk(def.valueType as AnySchema, item, [...path, key], found);
  } else if (def.type === 'union' && isPlainObject(value)) {
    const option = unionOption(node, value);
    if (option !== undefined) walk(option, value, path, found);
  }
}

/**
 * Every key of `value` that the object levels of `schema` do not list, at any depth the schema's
 * shape can be read (objects, arrays, records, unions that say which option applies). Levels that
 * accept other keys (passthrough, loose, catchall) are skipped.
 */
export function findUnknownKeys(schema: AnySchema, value: unknown): UnknownKeys[] {
  const found: UnknownKeys[] = [];
  walk(schema, value, [], found);
  return found;
}

/** Edit distance counting a swap of two neighbouring letters as one edit (optimal string alignment), case-blind, for "did you mean". */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const d: number[][] = Array.from({ length: x.length + 1 }, (_, i) => Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[x.length]![y.length]!;
}

/** The valid key a typo most likely meant, if one is close. */
function closestKey(key: string, validKeys: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.min(3, Math.floor(key.length / 3)));
  for (const candidate of validKeys) {
    const d = distance(key, candidate);
    if (d <= bestDistance) {
      best = candidate;
      bestDistance = d - 1;
    }
  }
  return best;
}

/** `Unrecognized key: "restUrll" (did you mean "restUrl"? valid keys: restUrl, wsApiUrl)`. */
function unknownKeysMessage(keys: readonly string[], validKeys: readonly string[]): string {
  const names = keys.map((k) => JSON.stringify(k)).join(', ');
  const guesses = keys.map((k) => closestKey(k, validKeys)).filter((g): g is string => g !== undefined);
  const guess = guesses.length > 0 ? `did you mean ${guesses.map((g) => JSON.stringify(g)).join(', ')}? ` : '';
  const valid = validKeys.length > 0 ? `valid keys: ${validKeys.join(', ')}` : 'no keys are valid here';
  return `Unrecognized key${keys.length === 1 ? '' : 's'}: ${names} (${guess}${valid})`;
}

const samePath = (a: readonly PropertyKey[], b: readonly PropertyKey[]): boolean => a.length === b.length && a.every((k, i) => k === b[i]);

/** `name.path: what`, `path: what`, or just `what` for the unnamed top level. */
const problemText = (path: readonly PropertyKey[], name: string | undefined, what: string): string => {
  const where = [...(name === undefined ? [] : [name]), ...path.map(String)].join('.');
  return where === '' ? what : `${where}: ${what}`;
};

/** What {@link checkSettings} returns: the parsed value, or every problem found. */
export type SettingsResult<T> =
  | { readonly success: true; readonly data: T }
  | {
      readonly success: false;
      /** One line: `path: problem; path: problem`, unknown keys with the keys valid at their level. */
      readonly message: string;
      readonly problems: readonly string[];
      /** zod's issues plus one `unrecognized_keys` issue per level where keys would have been dropped. */
      readonly issues: readonly z.core.$ZodIssue[];
    };

/**
 * Parses `value` with `schema` like `safeParse`, and also refuses keys that a level of the schema does
 * not know, strict or not. Problems are described as `path: what`, with `name` (when given) as the
 * first element of every path (`risk.orderRate.count: …`); an unknown key is named with the valid keys
 * at its level and the closest one when it looks like a typo. Where the shape cannot be read, zod's own
 * messages are used.
 */
export function checkSettings<S extends z.ZodType>(schema: S, value: unknown, name?: string): SettingsResult<z.output<S>> {
  const result = schema.safeParse(value);
  const unknown = findUnknownKeys(schema, value);
  if (result.success && unknown.length === 0) return { success: true, data: result.data };
  const zodIssues: readonly z.core.$ZodIssue[] = result.success ? [] : result.error.issues;
  const problems: string[] = [];
  const issues: z.core.$ZodIssue[] = [];
  const reported = new Set<UnknownKeys>();
  for (const issue of zodIssues) {
    issues.push(issue);
    const ours = issue.code === 'unrecognized_keys' ? unknown.find((u) => samePath(u.path, issue.path)) : undefined;
    if (ours !== undefined) reported.add(ours);
    problems.push(problemText(issue.path, name, ours !== undefined ? unknownKeysMessage(ours.keys, ours.validKeys) : issue.message));
  }
  for (const u of unknown) {
    if (reported.has(u)) continue;
    const message = unknownKeysMessage(u.keys, u.validKeys);
    issues.push({ code: 'unrecognized_keys', keys: [...u.keys], path: [...u.path], message } as z.core.$ZodIssue);
    problems.push(problemText(u.path, name, message));
  }
  return { success: false, message: problems.join('; '), problems, issues };
}

/** Options of {@link describeZodIssues}. */
export interface DescribeIssuesOptions {
  /** Name at most this many issues, then say how many more there are (a frame with a thousand bad levels must not make a thousand-part message). */
  readonly max?: number;
}

/**
 * Formats zod issues as `path: problem; …` like {@link checkSettings}, with `name` (when given) as the
 * first element of every path. The one way autotrader describes a failed zod parse: settings, files,
 * journal lines, venue answers and stream frames alike. An issue at the top level is its message alone.
 */
export function describeZodIssues(issues: readonly z.core.$ZodIssue[], name?: string, options: DescribeIssuesOptions = {}): string {
  if (issues.length === 0) return problemText([], name, 'does not match its schema');
  const max = options.max ?? issues.length;
  const shown = issues.slice(0, Math.max(1, max)).map((i) => problemText(i.path, name, i.message));
  const more = issues.length - shown.length;
  return more > 0 ? `${shown.join('; ')}; and ${more} more issue${more === 1 ? '' : 's'}` : shown.join('; ');
}
