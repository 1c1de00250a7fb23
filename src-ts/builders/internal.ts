/**
 * Helpers shared by the builders: argument checks with `ERR_HARMONY_INVALID_ARGUMENT` errors,
 * deep-frozen JSON copies, and the console representation. Not part of the public API.
 *
 * @module
 */

import { describeValue, invalidArgument, readingCallerValue } from '../errors.js';
import type { JsonValue } from '../types.js';

/** The mark of builder `name` on its class's prototype, the same in every copy of the package. */
const brandOf = (name: string): symbol => Symbol.for(`gpt-oss-harmony.${name}`);

/**
 * Finishes a builder class, outside its body so that none of this is in the public type
 * declarations: `console.log`/`util.inspect` show its instances as `Name <its JSON>` (the private
 * state is invisible otherwise), and its prototype carries the mark `isBuilder` reads, so that the
 * instances of the ESM and the CommonJS build are known to each other.
 */
export function defineBuilder(cls: { prototype: { toJSON(): unknown } }, name: string): void {
  Object.defineProperty(cls.prototype, Symbol.for('nodejs.util.inspect.custom'), {
    value(this: { toJSON(): unknown }): string {
      return `${name} ${JSON.stringify(this.toJSON())}`;
    },
    writable: true,
    configurable: true,
    enumerable: false,
  });
  Object.defineProperty(cls.prototype, brandOf(name), { value: true });
}

/**
 * Whether `value` is a builder `name` of any copy of the package (this one, or the other build
 * loaded in the same process): the one of another copy is read through its `toJSON`.
 */
export function isBuilder(value: unknown, name: string, field: string): boolean {
  return value !== null && typeof value === 'object' && readingCallerValue(field, () => (value as Record<symbol, unknown>)[brandOf(name)] === true);
}

export { describeValue as describe } from '../errors.js';

/** A required string. */
export function requireString(value: unknown, field: string): string {
  if (typeof value !== 'string') throw invalidArgument(`${field} must be a string, got ${describeValue(value)}`, field);
  return value;
}

/** An optional string: `undefined` and `null` mean unset (`null`). */
export function optionalString(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null;
  return requireString(value, field);
}

/**
 * `value instanceof cls` for a caller's value: a Proxy's `getPrototypeOf` trap runs the caller's
 * code, and what it throws is the caller's mistake.
 */
export function isInstance<T>(value: unknown, cls: { prototype: T }, field: string): value is T {
  // (`cls` is typed by its prototype: the builders' constructors are private.)
  return value !== null && typeof value === 'object' && readingCallerValue(field, () => value instanceof (cls as unknown as new () => T));
}

/**
 * The caller's own `toJSON` method of `value`, if it has one: defined on the object or a
 * prototype below `Object.prototype`/`Array.prototype` (one there is prototype pollution, not the
 * caller's object speaking).
 */
function ownToJSON(value: object): ((key: string) => unknown) | undefined {
  for (let o: object | null = value; o !== null && o !== Object.prototype && o !== Array.prototype; o = Object.getPrototypeOf(o) as object | null) {
    const d = Object.getOwnPropertyDescriptor(o, 'toJSON');
    if (d === undefined) continue;
    const f: unknown = 'value' in d ? d.value : d.get?.call(value);
    return typeof f === 'function' ? (f as (key: string) => unknown) : undefined;
  }
  return undefined;
}

/**
 * What `JSON.stringify` reads of `value`: the result of its own `toJSON` when it has one (applied
 * once, as `JSON.stringify` does), else `value`. The builders read objects through it, so that an
 * object whose `toJSON` says something else than its fields is read the same way by the builders
 * and by the render calls that take its JSON.
 */
function jsonView(value: unknown, key: string): unknown {
  if (value === null || typeof value !== 'object') return value;
  const toJSON = ownToJSON(value);
  return toJSON === undefined ? value : toJSON.call(value, key);
}

/**
 * The own enumerable properties of an object (not an array, not null), read once into an object
 * without a prototype: nothing inherited (a polluted `Object.prototype`) is ever read, and an
 * exception from the caller's getter, `toJSON` or proxy trap is an invalid argument.
 */
export function requireObject(value: unknown, field: string): Record<string, unknown> {
  return readingCallerValue(field, () => {
    const json = jsonView(value, '');
    if (json === null || typeof json !== 'object' || Array.isArray(json)) {
      throw invalidArgument(`${field} must be an object, got ${describeValue(json)}`, field);
    }
    return Object.assign(Object.create(null) as Record<string, unknown>, json);
  });
}

/**
 * The elements of a list (an array, or any iterable other than a string), each turned into `T` by
 * `item` as it is read: a hole or a wrong element stops the read there (a sparse array of length
 * 2^32 − 1 fails at once), and an exception of the caller's code is an invalid argument.
 */
export function requireList<T = unknown>(value: unknown, field: string, item: (element: unknown, index: number) => T = (e) => e as T): T[] {
  return readingCallerValue(field, () => {
    const json = jsonView(value, '');
    if (Array.isArray(json)) {
      const list = json as unknown[];
      const out: T[] = [];
      for (let i = 0; i < list.length; i++) out.push(item(list[i], i));
      return out;
    }
    if (json !== null && typeof json === 'object' && Symbol.iterator in json) return iterated(json as Iterable<unknown>, field, item);
    throw invalidArgument(`${field} must be an array, got ${describeValue(json)}`, field);
  });
}

/** Most items read from an iterable that is not an array: a generator may never end. */
const MAX_ITERATED = 2 ** 20;

/**
 * The items of an iterable the caller passed (a `Set`, a generator), each turned into `T` by
 * `item`; one that yields more than `MAX_ITERATED` items is refused rather than read until memory
 * runs out. (Arrays are read by index and have no such limit.)
 */
export function iterated<T>(iterable: Iterable<unknown>, field: string, item: (element: unknown, index: number) => T): T[] {
  const out: T[] = [];
  for (const element of iterable) {
    if (out.length === MAX_ITERATED) throw invalidArgument(`${field} yields more than ${MAX_ITERATED} items (an endless iterator?)`, field);
    out.push(item(element, out.length));
  }
  return out;
}

/** Nesting deeper than this is refused up front (the native JSON reader stops at 128 anyway). */
const MAX_JSON_DEPTH = 256;

/**
 * A deep, frozen copy of a JSON value (key order kept). Objects are read as `JSON.stringify`
 * reads them (own `toJSON` applied once, own enumerable properties); `undefined` object members
 * are dropped; anything that is not JSON (functions, symbols, bigints, non-finite numbers,
 * cycles, nesting past `MAX_JSON_DEPTH`) and any exception of the caller's code is an invalid
 * argument.
 */
export function frozenJSON(value: unknown, field: string): JsonValue {
  return readingCallerValue(field, () => frozenCopy(value, field, new Set(), ''));
}

function frozenCopy(raw: unknown, field: string, open: Set<object>, key: string): JsonValue {
  const value = jsonView(raw, key);
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw invalidArgument(`${field} contains a non-finite number`, field);
    return value;
  }
  if (typeof value !== 'object') throw invalidArgument(`${field} is not JSON: contains ${typeof value}`, field);
  if (open.has(value)) throw invalidArgument(`${field} is not JSON: it contains a cycle`, field);
  if (open.size >= MAX_JSON_DEPTH) throw invalidArgument(`${field} is nested deeper than ${MAX_JSON_DEPTH} levels`, field);
  open.add(value);
  let out: JsonValue;
  if (Array.isArray(value)) {
    const list = Array.from(value as unknown[]);
    out = Object.freeze(list.map((item, i) => (item === undefined ? null : frozenCopy(item, field, open, String(i)))));
  } else {
    const entries: [string, JsonValue][] = [];
    for (const k of Object.keys(value)) {
      const item = (value as Record<string, unknown>)[k];
      if (item !== undefined) entries.push([k, frozenCopy(item, field, open, k)]);
    }
    out = Object.freeze(Object.fromEntries(entries));
  }
  open.delete(value);
  return out;
}

/** A mutable deep copy of a frozen JSON value (what `toJSON()` hands out). */
export function thawJSON(value: JsonValue): JsonValue {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return (value as readonly JsonValue[]).map(thawJSON);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, thawJSON(v as JsonValue)]));
}
