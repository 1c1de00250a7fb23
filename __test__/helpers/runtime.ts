// Which build of the binding the tests run on: 'native' (the .node addon) or a WASI flavour such
// as 'wasm32-wasip1' (the WebAssembly build, when NAPI_RS_FORCE_WASI=true or no addon loads).
import { createRequire } from 'node:module';

const binding = createRequire(import.meta.url)('../../binding/binding.cjs') as { __napiBindingTarget?: string };

/** The loaded artifact, as the generated loader reports it. */
export const bindingTarget: string = binding.__napiBindingTarget ?? 'native';

/** Whether the WebAssembly build is loaded. It has no threads: async calls run on the main thread. */
export const onWasm: boolean = bindingTarget.startsWith('wasm32');
