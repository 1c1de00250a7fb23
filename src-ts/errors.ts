/**
 * The package's one error type and the one place where native errors become it.
 *
 * Native errors arrive with `code` = `ERR_HARMONY_*` (synchronous calls) or a napi status
 * (async rejections, argument conversion failures) and a message that is compact JSON
 * `{code, message, context}` written by `crates/harmony-napi/src/error.rs`. `fromNativeError`
 * decodes that; anything else (a napi argument error, a foreign exception) is classified here
 * and never escapes untyped.
 *
 * @module
 */

/** The stable error codes. */
export const ErrorCode = Object.freeze({
  InvalidArgument: 'ERR_HARMONY_INVALID_ARGUMENT',
  InvalidToken: 'ERR_HARMONY_INVALID_TOKEN',
  DisallowedSpecial: 'ERR_HARMONY_DISALLOWED_SPECIAL',
  Utf8: 'ERR_HARMONY_UTF8',
  Render: 'ERR_HARMONY_RENDER',
  Parse: 'ERR_HARMONY_PARSE',
  Internal: 'ERR_HARMONY_INTERNAL',
} as const);
/** One of the `ERR_HARMONY_*` codes. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));

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

  /** Converts anything a native call threw into a `HarmonyError` (see the module notes). */
  static fromNativeError(error: unknown): HarmonyError {
    return fromNativeError(error);
  }
}

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

interface NativeReason {
  code?: unknown;
  message?: unknown;
  context?: { tokenIndex?: unknown; messageIndex?: unknown; field?: unknown } | null;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** napi statuses that mean "an argument had the wrong JS type". */
const NAPI_ARGUMENT_STATUSES: ReadonlySet<string> = new Set([
  'InvalidArg',
  'ObjectExpected',
  'StringExpected',
  'NameExpected',
  'FunctionExpected',
  'NumberExpected',
  'BooleanExpected',
  'ArrayExpected',
  'BigintExpected',
  'ArrayBufferExpected',
]);

/**
 * The error choke point: turns whatever a native call threw into a `HarmonyError`, with the
 * native error as `cause`. A `HarmonyError` passes through unchanged.
 */
export function fromNativeError(error: unknown): HarmonyError {
  if (error instanceof HarmonyError) return error;
  const raw = error instanceof Error ? error.message : String(error);
  const status = error instanceof Error ? str((error as Error & { code?: unknown }).code) : undefined;
  if (raw.startsWith('{')) {
    let reason: NativeReason | undefined;
    try {
      reason = JSON.parse(raw) as NativeReason;
    } catch {
      reason = undefined;
    }
    const code = str(reason?.code) ?? status;
    if (reason && code !== undefined && CODES.has(code) && typeof reason.message === 'string') {
      const ctx = reason.context ?? {};
      return new HarmonyError(code as ErrorCode, reason.message, {
        tokenIndex: num(ctx.tokenIndex),
        messageIndex: num(ctx.messageIndex),
        field: str(ctx.field),
        cause: error,
      });
    }
  }
  if (status !== undefined && CODES.has(status)) {
    return new HarmonyError(status as ErrorCode, raw, { cause: error });
  }
  if (status !== undefined && NAPI_ARGUMENT_STATUSES.has(status)) {
    return new HarmonyError(ErrorCode.InvalidArgument, `invalid argument: ${raw}`, { cause: error });
  }
  if (error instanceof TypeError || error instanceof RangeError) {
    return new HarmonyError(ErrorCode.InvalidArgument, `invalid argument: ${raw}`, { cause: error });
  }
  return new HarmonyError(ErrorCode.Internal, `internal error: ${raw}`, { cause: error });
}
