/**
 * The one place where native failures become `HarmonyError`s. Native errors arrive with
 * `code` = `ERR_HARMONY_*` (synchronous calls) or a napi status (async rejections, argument
 * conversion failures) and a message that is compact JSON `{code, message, context}` written by
 * `crates/harmony-napi/src/error.rs`. Anything else (a napi argument error, a foreign exception)
 * is classified here and never escapes untyped.
 *
 * @module
 */

import { ErrorCode, HarmonyError, isErrorCode } from '../errors.js';

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
 * The core's message as JS users should read it. A message starts with the reference's first line
 * word for word (the API's contract: code written against the reference's errors keeps working);
 * where that line speaks another language, a JS reading follows it: a header error shows the
 * leftover words as Rust's `Some("…")`, so a second line quotes them plainly, and a disallowed
 * special token's Python advice (`allowed_special={…}`) becomes the `encode` options' advice.
 */
function jsMessage(code: ErrorCode, message: string, field: string | undefined): string {
  switch (code) {
    case ErrorCode.Parse: {
      const words = /: Some\(("(?:[^"\\]|\\.)*")\)/.exec(message);
      return words === null ? message : `${message}\nThe header held words that are neither a channel, a recipient nor a content type: ${words[1]}.`;
    }
    case ErrorCode.DisallowedSpecial: {
      const first = message.split('\n', 1)[0]!;
      const token = JSON.stringify(field ?? '<|…|>').replaceAll("'", "\\'").slice(1, -1);
      return (
        `${first}\nTo encode this text as the special token, allow it: encode(text, { allowedSpecial: ['${token}'] }) (or 'all'). ` +
        `To encode it as ordinary text, leave it out of disallowedSpecial: encode(text, { disallowedSpecial: [] }) checks nothing.`
      );
    }
    default:
      return message;
  }
}

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
    if (reason && isErrorCode(code) && typeof reason.message === 'string') {
      const ctx = reason.context ?? {};
      return new HarmonyError(code, jsMessage(code, reason.message, str(ctx.field)), {
        tokenIndex: num(ctx.tokenIndex),
        messageIndex: num(ctx.messageIndex),
        field: str(ctx.field),
        cause: error,
      });
    }
  }
  if (isErrorCode(status)) {
    return new HarmonyError(status, raw, { cause: error });
  }
  if (status !== undefined && NAPI_ARGUMENT_STATUSES.has(status)) {
    return new HarmonyError(ErrorCode.InvalidArgument, `invalid argument: ${raw}`, { cause: error });
  }
  if (error instanceof TypeError || error instanceof RangeError) {
    return new HarmonyError(ErrorCode.InvalidArgument, `invalid argument: ${raw}`, { cause: error });
  }
  return new HarmonyError(ErrorCode.Internal, `internal error: ${raw}`, { cause: error });
}

/** Runs a native call, converting any failure into a `HarmonyError`. */
export function callNative<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw fromNativeError(error);
  }
}

/** Awaits a native async call, converting a rejection into a `HarmonyError`. */
export async function callNativeAsync<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw fromNativeError(error);
  }
}
