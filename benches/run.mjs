// Runs the benchmark suite and writes results/latest.json (plus a timestamped copy), then
// BENCHMARKS.md via report.mjs.
//
//   node run.mjs [--quick] [--only encode,render,...] [--no-python] [--no-report] [--report-out PATH]
//
// --quick      small time budgets and few samples: a smoke test of the whole pipeline, not numbers
// --only       run only the named metrics (ids: encode encode-unseen count decode short render parse stream coldstart)
// --no-python  skip the Python reference even where Python is available

import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { arch, availableParallelism, cpus, loadavg, release, totalmem, type } from 'node:os';
import { join } from 'node:path';
import coldstart, { runColdStart } from './coldstart.bench.mjs';
import count from './count.bench.mjs';
import decode from './decode.bench.mjs';
import encode, { encodeUnseen } from './encode.bench.mjs';
import { runMetric } from './lib/harness.mjs';
import { corpus } from './lib/inputs.mjs';
import { BENCH_DIR, RESULTS_DIR } from './lib/paths.mjs';
import { packageVersion } from './lib/peers.mjs';
import { pythonReference } from './lib/python.mjs';
import parse from './parse.bench.mjs';
import render from './render.bench.mjs';
import { writeReport } from './report.mjs';
import short from './short.bench.mjs';
import stream from './stream.bench.mjs';

const METRICS = [encode, encodeUnseen, count, decode, short, render, parse, stream, coldstart];

const PROFILES = {
  full: { timeMs: 1000, minSamples: 7, warmupIterations: 2, caseBudgetMs: 6000, rounds: 3, coldRuns: 7 },
  quick: { timeMs: 50, minSamples: 2, warmupIterations: 1, caseBudgetMs: 500, rounds: 1, coldRuns: 2 },
};

// Every npm package some CASES entry measures (the Python reference and the node baseline aside).
function npmPackages() {
  return new Set(METRICS.flatMap((m) => m.CASES.map((c) => c.peer)).filter((p) => p && p !== 'node' && !p.endsWith('@PyPI')));
}

function parseArgs(argv) {
  const args = { profile: 'full', only: null, python: true, report: true, reportOut: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') args.profile = 'quick';
    else if (a === '--only') args.only = new Set(argv[++i].split(','));
    else if (a === '--no-python') args.python = false;
    else if (a === '--no-report') args.report = false;
    else if (a === '--report-out') args.reportOut = argv[++i];
    else throw new Error(`unknown argument ${a}`);
  }
  return args;
}

function machine(python) {
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${type()} ${release()} ${arch()}`,
    node: process.version,
    v8: process.versions.v8,
    python: python?.python ?? null,
    rust: (() => { try { return execFileSync('rustc', ['-V'], { encoding: 'utf8' }).trim(); } catch { return null; } })(),
    // Other tenants of a shared machine show here; a load above the core count inflates every number.
    loadAverage: { start: loadavg()[0] },
  };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const opts = { ...PROFILES[args.profile], python: args.python, log: (line) => console.log(line) };
  const started = performance.now();
  const { manifest } = corpus();
  const python = args.python ? pythonReference() : null;
  opts.python = Boolean(python);

  const results = {
    schema: 1,
    createdAt: new Date().toISOString(),
    profile: args.profile,
    only: args.only ? [...args.only] : null,
    // The product's source state: the commit, and whether the working tree had changes on top of it.
    commit: (() => {
      try {
        const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', cwd: BENCH_DIR }).trim();
        const dirty = execFileSync('git', ['status', '--porcelain', '--', '../src-ts', '../crates'], { encoding: 'utf8', cwd: BENCH_DIR }).trim() !== '';
        return `${head}${dirty ? ' + uncommitted changes in src-ts/ or crates/' : ''}`;
      } catch { return null; }
    })(),
    options: { timeMs: opts.timeMs, minSamples: opts.minSamples, warmupIterations: opts.warmupIterations, caseBudgetMs: opts.caseBudgetMs, rounds: opts.rounds, coldRuns: opts.coldRuns },
    machine: machine(python),
    versions: {
      ...Object.fromEntries([...npmPackages(), 'tinybench'].map((p) => [p, packageVersion(p)])),
      ...(python ? { 'openai-harmony@PyPI': python.version } : {}),
    },
    corpus: manifest,
    metrics: [],
  };
  console.log(`machine: ${results.machine.cpu}, ${results.machine.cores} cores, Node ${results.machine.node}${python ? `, Python ${python.python}` : ''}`);

  for (const metric of METRICS) {
    if (args.only && !args.only.has(metric.id)) continue;
    const load = loadavg()[0];
    results.machine.loadAverage.byMetric = { ...results.machine.loadAverage.byMetric, [metric.id]: load };
    console.log(`\n${metric.title} [${metric.unit}, ${metric.better} is better] (load average ${load.toFixed(2)})`);
    const meta = ({ id, title, unit, better, description }) => ({ id, title, unit, better, description });
    if (metric === coldstart) {
      const rows = await runColdStart(metric, opts);
      const inputs = [{ name: 'first encode' }];
      results.metrics.push({ ...meta(metric), inputs, rows: rows.filter((r) => r.metric === metric.id) });
      results.metrics.push({ ...meta(metric.rssMetric), inputs, rows: rows.filter((r) => r.metric === metric.rssMetric.id) });
    } else {
      results.metrics.push({ ...meta(metric), ...(await runMetric(metric, opts)) });
    }
  }

  results.machine.loadAverage.end = loadavg()[0];
  mkdirSync(RESULTS_DIR, { recursive: true });
  const json = `${JSON.stringify(results, null, 2)}\n`;
  writeFileSync(join(RESULTS_DIR, `results-${results.createdAt.replace(/[:.]/g, '-')}.json`), json);
  writeFileSync(join(RESULTS_DIR, 'latest.json'), json);
  // The last complete run: a later `--only` run is reported merged over it (scripts/bench.sh).
  if (!args.only) writeFileSync(join(RESULTS_DIR, 'full.json'), json);
  console.log(`\nresults written to results/latest.json (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  if (args.report) console.log(`report written to ${writeReport([join(RESULTS_DIR, 'latest.json')], args.reportOut)}`);
}

await main();
