/**
 * The package's one error type. Native failures become it in `native/errors.ts`.
 *
 * @module
 */

import type { HarmonyErrorCode } from './native/loader.js';
import { tableOf } from './values.js';

/**
 * The stable error codes. The strings are the core's (`HarmonyErrorCode`, generated from
 * `crates/harmony-napi/src/error.rs`); the compiler checks that this table names each exactly once.
 */
export const ErrorCode = tableOf<HarmonyErrorCode>()({
  InvalidArgument: 'ERR_HARMONY_INVALID_ARGUMENT',
  InvalidToken: 'ERR_HARMONY_INVALID_TOKEN',
  DisallowedSpecial: 'ERR_HARMONY_DISALLOWED_SPECIAL',
  Utf8: 'ERR_HARMONY_UTF8',
  Render: 'ERR_HARMONY_RENDER',
  Parse: 'ERR_HARMONY_PARSE',
  Internal: 'ERR_HARMONY_INTERNAL',
});
/** One of the `ERR_HARMONY_*` codes. */
export type ErrorCode = HarmonyErrorCode;

const CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));

/** Whether `value` is one of the `ERR_HARMONY_*` codes. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && CODES.has(value);
}

/**
 * Marks `HarmonyError`s across copies of this package: the ESM and CommonJS builds each define
 * the class, and both may be loaded in one process, so `instanceof` checks this mark instead of
 * the prototype chain.
 */
const BRAND = Symbol.for('gpt-oss-harmony.HarmonyError');

/** Where an error happened, as far as it is known. */
export interface HarmonyErrorDetails {
  /** Index of the offending token in the tokens passed to the failing call. */
  tokenIndex?: number;
  /** Index of the offending message in the conversation. */
  messageIndex?: number;
  /** Name of the offending field or argument, or the offending special-token text. */
  field?: string;
  /** The underlying error, if any (the raw native error for native failures). */
  cause?: unknown;
}

/**
 * Every failure of the package. `code` is stable; `message` contains the reference's message
 * (first line) where the reference fails too.
 *
 * @example
 * ```ts
 * try { enc.decodeUtf8([9552]) } catch (e) {
 *   if (e instanceof HarmonyError && e.code === 'ERR_HARMONY_UTF8') { ... }
 * }
 * ```
 */
export class HarmonyError extends Error {
  /** The stable error code. */
  readonly code: ErrorCode;
  /** Index of the offending token (in the tokens passed to the failing call). */
  declare readonly tokenIndex?: number;
  /** Index of the offending message in the conversation. */
  declare readonly messageIndex?: number;
  /** The offending field or argument name, or special-token text. */
  declare readonly field?: string;

  constructor(code: ErrorCode, message: string, details: HarmonyErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    // Only the known parts become own properties, so `'tokenIndex' in err` tells.
    if (details.tokenIndex !== undefined) this.tokenIndex = details.tokenIndex;
    if (details.messageIndex !== undefined) this.messageIndex = details.messageIndex;
    if (details.field !== undefined) this.field = details.field;
  }

  /** True for a `HarmonyError` of any copy of this package (ESM or CommonJS build). */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (typeof value !== 'object' || value === null) return false;
    try {
      return (value as { [BRAND]?: unknown })[BRAND] === true;
    } catch {
      // A Proxy whose trap throws (thrown by the caller's code) is no HarmonyError.
      return false;
    }
  }
}

Object.defineProperty(HarmonyError.prototype, BRAND, { value: true });

// `name` lives on the prototype (like the built-in errors), not on every instance.
Object.defineProperty(HarmonyError.prototype, 'name', {
  value: 'HarmonyError',
  writable: true,
  configurable: true,
  enumerable: false,
});

/** An `ERR_HARMONY_INVALID_ARGUMENT` error. */
export function invalidArgument(message: string, field?: string, cause?: unknown): HarmonyError {
  return new HarmonyError(ErrorCode.InvalidArgument, message, { field, cause });
}

/**
 * A short description of a value's type for error messages. It never runs the caller's code (no
 * `toString`, getter or proxy trap), so describing a hostile value cannot throw.
 */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return `a string (${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)})`;
  if (typeof value !== 'object') return typeof value;
  try {
    return Array.isArray(value) ? 'an array' : 'object';
  } catch {
    return 'a revoked proxy';
  }
}

/**
 * Runs `read`, which reads the caller's values (getters, `toJSON`, iterators may run the
 * caller's code): whatever it throws that is not already a `HarmonyError` is the caller's
 * mistake, an `ERR_HARMONY_INVALID_ARGUMENT` error with the exception as `cause`.
 */
export function readingCallerValue<T>(field: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw callerFailure(field, error);
  }
}

/**
 * What an exception thrown while reading the caller's `field` becomes: a `HarmonyError` as it is,
 * anything else an `ERR_HARMONY_INVALID_ARGUMENT` error with the exception as `cause`.
 */
export function callerFailure(field: string, error: unknown): HarmonyError {
  if (error instanceof HarmonyError) return error;
  return invalidArgument(`reading ${field} threw: ${describeException(error)}`, field, error);
}

/** An exception's message, without running the caller's code (a thrown Proxy, a hostile `message` getter). */
function describeException(error: unknown): string {
  try {
    return error instanceof Error ? String(error.message) : typeof error === 'string' ? error : describeValue(error);
  } catch {
    return 'an exception that cannot be shown';
  }
}

