// The native module in browsers (the package's `browser` entry, dist/browser, imports this in
// place of binding.cjs): the WebAssembly build from `gpt-oss-harmony-wasm32-wasip1`. It goes
// through that package's deferred loader with a module compiled asynchronously, because
// browsers refuse to compile a module this large (12 MB, most of it the vocabulary)
// synchronously on the main thread, which is what the generated browser loader does. The
// memory starts at the size the generated loaders give it: the deferred loader's default is
// smaller than the module's own minimum.
import { createInstance } from 'gpt-oss-harmony-wasm32-wasip1/workerd';

const INITIAL_MEMORY_PAGES = 4000;
const wasm = new URL('./harmony.wasm32-wasip1.wasm', import.meta.resolve('gpt-oss-harmony-wasm32-wasip1/workerd'));
const instance = await createInstance(WebAssembly.compileStreaming(fetch(wasm)), { initialMemoryPages: INITIAL_MEMORY_PAGES });
export default instance.exports;
