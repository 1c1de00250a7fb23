// The cost of one call across the napi boundary, the figure ARCHITECTURE.md quotes: a method
// of the native addon that does almost nothing (`BindingEncoding.isSpecialToken`), against the
// same loop calling a JS function, so the loop's own cost is subtracted.
//
//   node benches/napi-call.mjs      (after `npm run build` at the root)
import { createRequire } from 'node:module';

// This script measures the boundary itself, so it calls the generated loader directly.
const { BindingEncoding } = createRequire(import.meta.url)('../binding/binding.cjs');

const encoding = BindingEncoding.load('HarmonyGptOss');
const jsEncoding = { isSpecialToken: (token) => token >= 199_998 && token <= 201_088 };
const CALLS = 2_000_000;
const ROUNDS = 9;

function nsPerCall(target) {
  let hits = 0;
  // CPU time of this process, not wall time: on a shared machine the process is not always running.
  const start = process.cpuUsage();
  for (let i = 0; i < CALLS; i++) if (target.isSpecialToken(i & 0x3ffff)) hits++;
  const used = process.cpuUsage(start);
  const ns = ((used.user + used.system) * 1000) / CALLS;
  if (hits === 0) throw new Error('no special token seen: the loop was not run as written');
  return ns;
}

const median = (values) => values.sort((a, b) => a - b)[values.length >> 1];
const native = [];
const js = [];
// Interleaved rounds, so that a busy neighbour slows both sides alike.
for (let round = 0; round < ROUNDS; round++) {
  native.push(nsPerCall(encoding));
  js.push(nsPerCall(jsEncoding));
}
const n = median(native);
const j = median(js);
console.log(`napi method call: ${(n - j).toFixed(1)} ns (median of ${ROUNDS} rounds of ${CALLS} calls: ${n.toFixed(1)} ns native, ${j.toFixed(1)} ns the JS loop)`);
