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

/**
 * Returns `tokens` as a `Uint32Array`: the same object when it already is one, otherwise a
 * validated copy. Throws `ERR_HARMONY_INVALID_TOKEN` (with `tokenIndex`) for an element that is
 * negative, fractional, NaN, not a number, or ≥ 2^32, and `ERR_HARMONY_INVALID_ARGUMENT` when
 * `tokens` is not an array-like (a string, a number, `null`, a plain object without `length`).
 */
export function toUint32Array(tokens: unknown, argument = 'tokens'): Uint32Array {
  if (tokens instanceof Uint32Array) return tokens;
  if (tokens === null || typeof tokens !== 'object') {
    const what = tokens === null ? 'null' : typeof tokens === 'string' ? 'a string' : typeof tokens;
    throw invalidArgument(`${argument} must be a Uint32Array, an array of numbers or an array-like of numbers, got ${what}`, argument);
  }
  return readingCallerValue(argument, () => copyTokens(tokens, argument));
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
