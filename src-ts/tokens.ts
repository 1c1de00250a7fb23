/**
 * The one input-normalisation point for token arguments. A `Uint32Array` passes through
 * untouched (no copy: the native side borrows its memory); any other array-like of numbers is
 * validated and copied once into a `Uint32Array`.
 *
 * @module
 */

import { ErrorCode, HarmonyError, invalidArgument, readingCallerValue } from './errors.js';

/** What token arguments accept. */
export type TokenInput = Uint32Array | readonly number[] | ArrayLike<number>;

const MAX_U32 = 0xffff_ffff;

/** The error for an element that is not a valid token id. */
function invalidToken(value: unknown, index: number | undefined): HarmonyError {
  const shown = typeof value === 'number' ? String(value) : typeof value === 'string' ? JSON.stringify(value) : typeof value;
  const where = index === undefined ? '' : ` at index ${index}`;
  return new HarmonyError(
    ErrorCode.InvalidToken,
    `invalid token${where}: ${shown} (token ids are integers in [0, 2^32))`,
    index === undefined ? {} : { tokenIndex: index },
  );
}

/** Validates one token id (an integer in `[0, 2^32)`). */
export function toToken(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_U32) {
    throw invalidToken(value, undefined);
  }
  return value;
}

/** `TypedArray.prototype[Symbol.toStringTag]`: a typed array's kind, `undefined` for anything else. */
const typedArrayKind = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype) as object, Symbol.toStringTag)!.get!;

/**
 * Whether `value` is a `Uint32Array` (of any realm, a subclass included). Unlike `instanceof`,
 * the check runs none of the caller's code: a Proxy is not a typed array and its traps stay
 * untouched.
 */
export function isUint32Array(value: unknown): value is Uint32Array {
  return typedArrayKind.call(value) === 'Uint32Array';
}

/** Whether an empty view's buffer was transferred or detached (a view on it cannot be made). */
function isDetached(view: ArrayBufferView): boolean {
  if (view.byteLength !== 0) return false;
  try {
    new Uint8Array(view.buffer);
    return false;
  } catch {
    return true;
  }
}

/**
 * Returns `tokens` as a `Uint32Array`: the same object when it already is one, otherwise a
 * validated copy. Throws `ERR_HARMONY_INVALID_TOKEN` (with `tokenIndex`) for an element that is
 * negative, fractional, NaN, not a number, or ≥ 2^32, and `ERR_HARMONY_INVALID_ARGUMENT` when
 * `tokens` is not an array-like (a string, a number, `null`, a plain object without `length`),
 * when its buffer was transferred away (it would read as empty), or when reading it runs the
 * caller's code and that throws (a getter, a Proxy trap).
 */
export function toUint32Array(tokens: unknown, argument = 'tokens'): Uint32Array {
  if (isUint32Array(tokens)) {
    if (tokens.length === 0 && isDetached(tokens)) throw detached(argument);
    return tokens;
  }
  if (tokens === null || typeof tokens !== 'object') {
    const what = tokens === null ? 'null' : typeof tokens === 'string' ? 'a string' : typeof tokens;
    throw invalidArgument(`${argument} must be a Uint32Array, an array of numbers or an array-like of numbers, got ${what}`, argument);
  }
  if (ArrayBuffer.isView(tokens) && isDetached(tokens)) throw detached(argument);
  return readingCallerValue(argument, () => copyTokens(tokens, argument));
}

function detached(argument: string): HarmonyError {
  return invalidArgument(`${argument}: its ArrayBuffer was transferred or detached`, argument);
}

/** A validated copy of an array-like of token ids (its getters may run the caller's code). */
function copyTokens(tokens: object, argument: string): Uint32Array {
  const length = (tokens as { length?: unknown }).length;
  if (typeof length !== 'number' || !Number.isInteger(length) || length < 0) {
    throw invalidArgument(`${argument} must be a Uint32Array, an array of numbers or an array-like of numbers`, argument);
  }
  const source = tokens as ArrayLike<unknown>;
  const out = new Uint32Array(length);
  for (let i = 0; i < length; i++) {
    const v = source[i];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_U32) throw invalidToken(v, i);
    out[i] = v;
  }
  return out;
}
