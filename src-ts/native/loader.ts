/**
 * The only importer of the generated native loader (`binding/binding.cjs`, written by
 * `napi build`). Everything else reaches native code through the modules of this folder.
 *
 * `dist/<format>/native/` is one level deeper than `src-ts/native/`; `scripts/build-ts.mjs`
 * adjusts this one import path in the build output.
 *
 * @module
 */

import binding from '../../binding/binding.cjs';

export type {
  BindingEncoding,
  FastMode,
  BindingMessageKind,
  BindingRecoveringParser,
  BindingRecoveryKind,
  BindingRole,
  BindingStopToken,
  BindingStreamParser,
  BindingTrainingExample,
  HarmonyErrorCode,
} from '../../binding/binding.cjs';

/** The native module. */
export const native = binding;
