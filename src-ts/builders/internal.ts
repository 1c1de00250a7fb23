/**
 * Helpers shared by the builders: argument checks with `ERR_HARMONY_INVALID_ARGUMENT` errors,
 * deep-frozen JSON copies, and the console representation. Not part of the public API.
 *
 * @module
 */

import { invalidArgument, readingCallerValue } from '../errors.js';
import type { JsonValue } from '../types.js';

/**
 * Makes `console.log`/`util.inspect` show instances of a builder class as `Name <its JSON>`
 * (the private state is invisible otherwise). Kept off the class bodies so the hook stays out
 * of the public type declarations.
 */
export function defineInspect(cls: { prototype: { toJSON(): unknown } }, name: string): void {
  Object.defineProperty(cls.prototype, Symbol.for('nodejs.util.inspect.custom'), {
    value(this: { toJSON(): unknown }): string {
      return `${name} ${JSON.stringify(this.toJSON())}`;
    },
    writable: true,
    configurable: true,
    enumerable: false,
  });
}

/** A short description of a value's type for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `a string (${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)})`;
  return typeof value;
}

/** A required string. */
export function requireString(value: unknown, field: string): string {
  if (typeof value !== 'string') throw invalidArgument(`${field} must be a string, got ${describe(value)}`, field);
  return value;
}

/** An optional string: `undefined` and `null` mean unset (`null`). */
export function optionalString(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null;
  return requireString(value, field);
}

/**
 * The own enumerable properties of an object (not an array, not null), read once into an object
 * without a prototype: nothing inherited (a polluted `Object.prototype`) is ever read, and an
 * exception from the caller's getter is an invalid argument.
 */
export function requireObject(value: unknown, field: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalidArgument(`${field} must be an object, got ${describe(value)}`, field);
  }
  return readingCallerValue(field, () => Object.assign(Object.create(null) as Record<string, unknown>, value));
}

/** An array (or any iterable other than a string) as a fresh array. */
export function requireList(value: unknown, field: string): unknown[] {
  if (Array.isArray(value)) return value;
  if (value !== null && typeof value === 'object' && Symbol.iterator in value) return Array.from(value as Iterable<unknown>);
  throw invalidArgument(`${field} must be an array, got ${describe(value)}`, field);
}

/** Nesting deeper than this is refused up front (the native JSON reader stops at 128 anyway). */
const MAX_JSON_DEPTH = 256;

/**
 * A deep, frozen copy of a JSON value (key order kept). Objects with `toJSON` are converted as
 * `JSON.stringify` would; `undefined` object members are dropped; anything that is not JSON
 * (functions, symbols, bigints, non-finite numbers, cycles) is an invalid argument.
 */
export function frozenJSON(value: unknown, field: string, seen: Set<object> = new Set()): JsonValue {
  if (seen.size > MAX_JSON_DEPTH) throw invalidArgument(`${field} is nested deeper than ${MAX_JSON_DEPTH} levels`, field);
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw invalidArgument(`${field} contains a non-finite number`, field);
    return value;
  }
  if (typeof value !== 'object') throw invalidArgument(`${field} is not JSON: contains ${typeof value}`, field);
  const withToJSON = value as { toJSON?: unknown };
  if (typeof withToJSON.toJSON === 'function') {
    return frozenJSON((withToJSON.toJSON as () => unknown).call(value), field, seen);
  }
  if (seen.has(value)) throw invalidArgument(`${field} is not JSON: it contains a cycle`, field);
  seen.add(value);
  let out: JsonValue;
  if (Array.isArray(value)) {
    out = Object.freeze(value.map((item) => (item === undefined ? null : frozenJSON(item, field, seen))));
  } else {
    const entries: [string, JsonValue][] = [];
    for (const key of Object.keys(value)) {
      const item = (value as Record<string, unknown>)[key];
      if (item !== undefined) entries.push([key, frozenJSON(item, field, seen)]);
    }
    out = Object.freeze(Object.fromEntries(entries));
  }
  seen.delete(value);
  return out;
}

/** A mutable deep copy of a frozen JSON value (what `toJSON()` hands out). */
export function thawJSON(value: JsonValue): JsonValue {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return (value as readonly JsonValue[]).map(thawJSON);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, thawJSON(v as JsonValue)]));
}
