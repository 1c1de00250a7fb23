// Runs one metric: for every input, every case is set up, its output checked against the reference,
// and only then timed. The metric module supplies the inputs and how to call a case; the CASES table
// supplies who is measured.
//
// Method (stated once here, repeated in BENCHMARKS.md):
// - Setup (loading a peer, converting the input to the peer's preferred form) is never timed.
// - Each case gets its own tinybench runs: warm-up iterations first (JIT, caches), then samples until
//   both a minimum count and a time budget are reached. The budget is split into `opts.rounds`
//   rounds that visit the cases in turn (A B C, A B C, …), so a burst of load from other tenants of
//   a shared machine slows every case a little instead of one case a lot; a case's samples from all
//   rounds are pooled. A full GC runs before each run so one case's garbage is not collected on
//   another's clock.
// - Results are medians of the samples with the interquartile range as the spread.
// - A case whose output differs from the expected output is still timed but marked `excluded`, and
//   the report leaves it out of the ratios.

import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { Bench } from 'tinybench';
import { digest } from './canonical.mjs';
import { pythonReference, runPython } from './python.mjs';
import { summarize } from './stats.mjs';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');

// Where two canonical forms part, in tokens when both are token lists.
function firstDifference(got, expected) {
  const tokenList = /^[0-9,\n]*$/;
  const [a, b, unit] = tokenList.test(got) && tokenList.test(expected)
    ? [got.split(/[,\n]/), expected.split(/[,\n]/), 'token']
    : [got, expected, 'character'];
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const show = (x) => (unit === 'token' ? x.slice(i, i + 6).join(',') : JSON.stringify(x.slice(i, i + 40)));
  return `output differs from the expected from ${unit} ${i} on: got ${show(a)}…, expected ${show(b)}…`;
}

// Calls that take seconds (js-tiktoken on CJK text takes ~10 s per MB) would make the suite run for
// an hour at the usual sample count, so a case's minimum sample count shrinks to fit opts.caseBudgetMs
// (never below 3 over all rounds), judged by the duration of its first (checking) call, which also
// warmed it up. One round's share of the case: a `rounds`-th of its time and samples.
async function timeJs(name, fn, beforeEach, firstMs, opts) {
  gc();
  const slow = firstMs * opts.minSamples > opts.caseBudgetMs;
  const share = (n) => Math.max(1, Math.ceil(n / opts.rounds));
  const bench = new Bench({
    time: opts.timeMs / opts.rounds,
    iterations: share(slow ? Math.max(3, Math.floor(opts.caseBudgetMs / firstMs)) : opts.minSamples),
    warmup: !slow,
    warmupIterations: opts.warmupIterations,
    warmupTime: 0,
    retainSamples: true,
    throws: true,
  });
  bench.add(name, fn, beforeEach ? { beforeEach } : {});
  await bench.run();
  return bench.tasks[0].result.latency.samples;
}

/**
 * @param metric  a metric module's default export
 * @param opts    { timeMs, minSamples, warmupIterations, caseBudgetMs, rounds, python: boolean, log(line) }
 * @returns { inputs: [{ name, ...describe }], rows } for the results file
 */
export async function runMetric(metric, opts) {
  const rows = [];
  const inputs = [];
  const ops = new Map(); // case name -> loaded operation, set up once per metric
  const cases = metric.CASES.filter((c) => !c.python || (opts.python && pythonReference()));
  for (const input of await metric.inputs()) {
    inputs.push({ name: input.name, ...input.describe });
    const outputs = new Map();
    for (const c of cases) {
      try {
        if (c.python) {
          const { samplesMs, digest: d } = await runPython(c.python, input.spec, opts);
          outputs.set(c.name, { digest: d, samplesMs });
          continue;
        }
        if (!ops.has(c.name)) ops.set(c.name, await c.setup());
        const value = c.prepare ? await c.prepare(input.value, input) : input.value;
        const t0 = performance.now();
        const result = metric.call(ops.get(c.name), value);
        const firstMs = performance.now() - t0;
        // A case whose timed call returns no checkable output (a count, tokens written into a reused
        // buffer) supplies `check(op, value)`: the same calls, returning the output they produced.
        const canonical = metric.canonical(c.check ? await c.check(ops.get(c.name), value) : result);
        outputs.set(c.name, { canonical, digest: digest(canonical), value, firstMs });
      } catch (err) {
        outputs.set(c.name, { error: err });
      }
    }

    const referenceCase = cases.find((c) => c.reference);
    const expectedCanonical = metric.expected ? metric.expected(input) : outputs.get(referenceCase?.name)?.canonical;
    const expected = expectedCanonical === undefined ? undefined : digest(expectedCanonical);

    // The JS cases' samples, pooled over the rounds (the Python reference times itself, in one go).
    const pooled = new Map();
    for (let round = 0; round < opts.rounds; round++) {
      for (const c of cases) {
        const out = outputs.get(c.name);
        if (out.error || out.samplesMs) continue;
        const samples = await timeJs(c.name, () => metric.call(ops.get(c.name), out.value), c.beforeEach, out.firstMs, opts);
        pooled.set(c.name, [...(pooled.get(c.name) ?? []), ...samples]);
      }
    }

    for (const c of cases) {
      const out = outputs.get(c.name);
      const row = { metric: metric.id, input: input.name, case: c.name, peer: c.peer, product: Boolean(c.product), reference: Boolean(c.reference), note: c.note };
      if (out.error) {
        rows.push({ ...row, excluded: true, reason: `failed: ${out.error.message.split('\n')[0]}` });
        opts.log(`  ${input.name.padEnd(28)} ${c.name.padEnd(34)} FAILED ${out.error.message.split('\n')[0]}`);
        continue;
      }
      if (expected !== undefined && out.digest !== expected) {
        row.excluded = true;
        row.reason = out.canonical !== undefined ? firstDifference(out.canonical, expectedCanonical) : 'output digest differs from the expected output';
      }
      const samples = out.samplesMs ?? pooled.get(c.name);
      const stats = summarize(samples);
      // The first (checking) call: for a tokenizer with merge caches, the text as not seen before.
      rows.push({ ...row, samplesMs: stats, value: metric.score(stats.median, input), ...(out.firstMs !== undefined ? { first: metric.score(out.firstMs, input) } : {}) });
      opts.log(`  ${input.name.padEnd(28)} ${c.name.padEnd(34)} ${metric.score(stats.median, input).toPrecision(4).padStart(10)} ${metric.unit.padEnd(8)} ±${stats.iqrPct.toFixed(1)}% n=${stats.n}${row.excluded ? '  EXCLUDED: output differs' : ''}`);
    }
  }
  return { inputs, rows };
}
