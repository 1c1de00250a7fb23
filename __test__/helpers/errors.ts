// The HarmonyError a call throws (the test fails when it throws anything else, or nothing).
import { expect } from 'vitest';

import { HarmonyError } from '../../src-ts/index.js';

/** The `HarmonyError` `fn` throws. */
export function caught(fn: () => unknown): HarmonyError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(HarmonyError);
    expect(error).toBeInstanceOf(Error);
    return error as HarmonyError;
  }
  throw new Error('expected a HarmonyError, nothing was thrown');
}
