/**
 * Reading the arguments of the public API that are not builder values: options objects, the
 * encoding argument of the parsers, roles. Own properties only (a polluted `Object.prototype`
 * changes nothing), and what the caller's getters or Proxy traps throw is an
 * `ERR_HARMONY_INVALID_ARGUMENT` error with the exception as `cause`.
 *
 * @module
 */

import { toRole } from './builders/author.js';
import { invalidArgument, readingCallerValue } from './errors.js';
import type { Role } from './values.js';

/**
 * The own property `key` of an options argument; `undefined` when absent or when `options` is
 * `undefined` or `null`. Options that are not an object are an invalid argument.
 */
export function ownOption(options: unknown, key: string): unknown {
  if (options === undefined || options === null) return undefined;
  if (typeof options !== 'object') throw invalidArgument('options must be an object', 'options');
  return readingCallerValue(key, () => {
    const d = Reflect.getOwnPropertyDescriptor(options, key);
    if (d === undefined) return undefined;
    return 'value' in d ? d.value : d.get?.call(options);
  });
}

/** A boolean option: `fallback` when absent (or `undefined`), an invalid argument when not a boolean. */
export function booleanOption(options: unknown, key: string, fallback: boolean): boolean {
  const value = ownOption(options, key);
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw invalidArgument(`${key} must be a boolean`, key);
  return value;
}

/** The name of an encoding argument (a `HarmonyEncoding`, as `loadHarmonyEncoding()` returns). */
export function encodingName(encoding: unknown): string {
  const name = encoding !== null && typeof encoding === 'object' ? readingCallerValue('encoding', () => (encoding as { name?: unknown }).name) : undefined;
  if (typeof name !== 'string') throw invalidArgument('encoding must be a HarmonyEncoding (loadHarmonyEncoding())', 'encoding');
  return name;
}

/** An optional role argument: `undefined` and `null` mean none. */
export function optionalRole(role: unknown, field = 'role'): Role | null {
  return role === undefined || role === null ? null : toRole(role, field);
}
