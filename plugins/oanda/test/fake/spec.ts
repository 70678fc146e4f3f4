/**
 * OANDA's published v20 OpenAPI description (fixtures/v20-openapi/v20.json, MIT): the fake takes
 * every reason, state and enum value it prints from it, and checks request fields against its
 * definitions, so a value the real API would not know can never leave the fake.
 * @module
 */
import { readFileSync } from 'node:fs';

interface SchemaProperty {
  readonly type?: string;
  readonly $ref?: string;
  readonly enum?: readonly string[];
}
interface Definition {
  readonly type?: string;
  readonly enum?: readonly string[];
  readonly properties?: Readonly<Record<string, SchemaProperty>>;
}

const SPEC = JSON.parse(readFileSync(new URL('../fixtures/v20-openapi/v20.json', import.meta.url), 'utf8')) as {
  readonly definitions: Readonly<Record<string, Definition>>;
};

/** The values of enum definition `name` (e.g. `OrderCancelReason`). */
export function enumOf(name: string): readonly string[] {
  const d = SPEC.definitions[name];
  if (d?.enum === undefined) throw new Error(`v20.json has no enum definition ${name}`);
  return d.enum;
}

/** `value`, after checking it is one of enum `name` (a value outside the spec is a bug of the fake). */
export function specEnum<T extends string>(name: string, value: T): T {
  if (!enumOf(name).includes(value)) throw new Error(`fake OANDA bug: ${JSON.stringify(value)} is not a ${name} in v20.json`);
  return value;
}

/** True when `value` is one of enum `name`. */
export function inEnum(name: string, value: unknown): value is string {
  return typeof value === 'string' && enumOf(name).includes(value);
}

/** Property names of definition `name` (e.g. `MarketOrderRequest`). */
export function propertiesOf(name: string): readonly string[] {
  const d = SPEC.definitions[name];
  if (d?.properties === undefined) throw new Error(`v20.json has no object definition ${name}`);
  return Object.keys(d.properties);
}
