/**
 * The only importer of the generated native loader (`binding/binding.cjs`, written by
 * `napi build`), and the error choke point of every native call: `callNative` converts whatever
 * a native call throws into a `HarmonyError` (see `errors.ts`). The raw `Binding*` types never
 * appear in the public API.
 *
 * `dist/<format>/native/` is one level deeper than `src-ts/native/`; `scripts/build-ts.mjs`
 * adjusts this one import path in the build output.
 *
 * @module
 */

import binding from '../../binding/binding.cjs';
import { fromNativeError } from '../errors.js';

export type { BindingEncoding, BindingEvent, BindingStreamParser } from '../../binding/binding.cjs';

/** The native module. */
export const native = binding;

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
