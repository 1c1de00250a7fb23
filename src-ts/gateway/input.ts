/**
 * Reading what the caller passed (request bodies, options) safely: own properties only (a
 * polluted `Object.prototype` changes nothing), plain data only (no `toJSON` that could say
 * something else than the fields), bounded nesting, and every mistake — a wrong type, a getter
 * or proxy trap that throws — an `ERR_HARMONY_INVALID_ARGUMENT` `HarmonyError` naming the field
 * (with the caller's exception as `cause`).
 *
 * @module
 */

import { ErrorCode, HarmonyError } from '../index.js';

/** An `ERR_HARMONY_INVALID_ARGUMENT` error about `field`. */
export function invalidInput(message: string, field: string, cause?: unknown): HarmonyError {
  return new HarmonyError(ErrorCode.InvalidArgument, message, cause === undefined ? { field } : { field, cause });
}

/** Runs reflective reads on the caller's object: whatever its code throws is the caller's mistake. */
export function guarded<T>(field: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof HarmonyError) throw error;
    throw invalidInput(`${field}: reading it threw (${exceptionText(error)})`, field, error);
  }
}

/** An exception's message, without letting a hostile exception (a thrown Proxy, a throwing `message`) throw again. */
function exceptionText(error: unknown): string {
  try {
    return error instanceof Error ? String(error.message) : typeof error === 'string' ? error : describe(error);
  } catch {
    return 'an exception that cannot be shown';
  }
}

/** Whether `value` (or a prototype below `Object.prototype`) defines its own `toJSON`. */
function hasOwnToJSON(value: object): boolean {
  for (let o: object | null = value; o !== null && o !== Object.prototype && o !== Array.prototype; o = Object.getPrototypeOf(o)) {
    if (Object.hasOwn(o, 'toJSON')) return true;
  }
  return false;
}

/** A short description of a value's type, for messages. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** A value the caller gave, for a message: a string quoted, anything else by its type (none of the caller's code runs). */
export function shown(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : typeof value === 'number' || typeof value === 'boolean' ? String(value) : describe(value);
}

/** The value of the own property `key` of `object` (`undefined` when it has none). */
function ownValue(object: object, key: string | number, field: string): unknown {
  return guarded(field, () => {
    const d = Reflect.getOwnPropertyDescriptor(object, key);
    if (d === undefined) return undefined;
    return 'value' in d ? d.value : d.get?.call(object);
  });
}

/** A list's elements, read as own properties. */
function listElements(value: unknown[], field: string): unknown[] {
  const length = ownValue(value, 'length', field) as number;
  const out = new Array<unknown>(length);
  for (let i = 0; i < length; i++) out[i] = ownValue(value, i, `${field}[${i}]`);
  return out;
}

/** An object the caller passed, read field by field. */
export class CallerObject {
  private constructor(
    private readonly object: object,
    /** Where it is in the caller's input (`request.messages[2]`), for messages. */
    readonly path: string,
  ) {}

  /** `value` as a plain object (not a list, no `toJSON`). */
  static of(value: unknown, path: string): CallerObject {
    const ok = guarded(path, () => typeof value === 'object' && value !== null && !Array.isArray(value) && !hasOwnToJSON(value));
    if (!ok) {
      const what = typeof value === 'object' && value !== null && !Array.isArray(value) ? 'an object with a toJSON method' : describe(value);
      throw invalidInput(`${path} must be a plain object, got ${what}`, path);
    }
    return new CallerObject(value as object, path);
  }

  /** `value` as a plain object, or `undefined` when it is `undefined` or `null`. */
  static optional(value: unknown, path: string): CallerObject | undefined {
    return value === undefined || value === null ? undefined : CallerObject.of(value, path);
  }

  /** The path of one of its fields. */
  at(key: string): string {
    return `${this.path}.${key}`;
  }

  /** The own property `key` (`undefined` when absent). */
  get(key: string): unknown {
    return ownValue(this.object, key, this.at(key));
  }

  /** A required string field. */
  text(key: string): string {
    const value = this.get(key);
    if (typeof value !== 'string') throw invalidInput(`${this.at(key)} must be a string, got ${describe(value)}`, this.at(key));
    return value;
  }

  /** An optional string field (`undefined` or `null`: absent). */
  optionalText(key: string): string | undefined {
    const value = this.get(key);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') throw invalidInput(`${this.at(key)} must be a string, got ${describe(value)}`, this.at(key));
    return value;
  }

  /** An optional boolean field. */
  optionalBoolean(key: string): boolean | undefined {
    const value = this.get(key);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') throw invalidInput(`${this.at(key)} must be a boolean, got ${describe(value)}`, this.at(key));
    return value;
  }

  /** A required object field. */
  record(key: string): CallerObject {
    return CallerObject.of(this.get(key), this.at(key));
  }

  /** An optional object field. */
  optionalRecord(key: string): CallerObject | undefined {
    return CallerObject.optional(this.get(key), this.at(key));
  }

  /** A required list field, as a fresh array of its elements. */
  list(key: string): unknown[] {
    return toList(this.get(key), this.at(key));
  }

  /** An optional list field (`undefined` or `null`: empty). */
  optionalList(key: string): unknown[] {
    const value = this.get(key);
    return value === undefined || value === null ? [] : toList(value, this.at(key));
  }
}

/** `value` as a fresh array of its elements (a list, not a string or an object). */
export function toList(value: unknown, path: string): unknown[] {
  const ok = guarded(path, () => Array.isArray(value) && !hasOwnToJSON(value));
  if (!ok) throw invalidInput(`${path} must be a list, got ${Array.isArray(value) ? 'a list with a toJSON method' : describe(value)}`, path);
  return listElements(value as unknown[], path);
}

/** Deeper nesting is refused (the native JSON reader stops at 128 levels). */
export const MAX_JSON_DEPTH = 100;

/**
 * A copy of a JSON value the caller passed (a schema): plain objects and lists read through own
 * properties, strings, finite numbers, booleans and `null`; `undefined` object members are left
 * out. Anything else — functions, symbols, bigints, `toJSON`, cycles, nesting deeper than
 * `MAX_JSON_DEPTH` — is the caller's mistake.
 */
export function jsonData(value: unknown, path: string, root = path, depth = 0): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw invalidInput(`${path} is not JSON: ${value}`, path);
    return value;
  }
  if (typeof value !== 'object') throw invalidInput(`${path} is not JSON: it holds a ${typeof value}`, path);
  if (depth >= MAX_JSON_DEPTH) throw invalidInput(`${root} is nested deeper than ${MAX_JSON_DEPTH} levels`, root);
  if (guarded(path, () => Array.isArray(value))) {
    return toList(value, path).map((item, i) => (item === undefined ? null : jsonData(item, `${path}[${i}]`, root, depth + 1)));
  }
  const object = CallerObject.of(value, path);
  const out: Record<string, unknown> = {};
  for (const key of guarded(path, () => Object.keys(value))) {
    const item = object.get(key);
    // A key such as `__proto__` must become data, not the copy's prototype.
    if (item !== undefined) Object.defineProperty(out, key, { value: jsonData(item, object.at(key), root, depth + 1), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** A JSON object the caller passed (a JSON Schema), copied as `jsonData` does. */
export function jsonObject(value: unknown, path: string): { [key: string]: unknown } {
  CallerObject.of(value, path);
  return jsonData(value, path) as { [key: string]: unknown };
}
