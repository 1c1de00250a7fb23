// Cold start: a fresh process, from spawn to the end of its first encode, and the process's peak RSS
// at that moment. Each case is one new `node` (or Python) process per sample: it imports the package,
// loads the vocabulary and encodes one sentence. The time is taken by the parent from spawn until the
// child reports, so process creation and runtime start-up are included for every case alike; the
// "node, no tokenizer" row shows that floor. Samples run one after another, never in parallel, in
// rounds of one sample per case.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as canonical from './lib/canonical.mjs';
import { encoder } from './lib/peers.mjs';
import { PYTHON_BIN, pythonReference } from './lib/python.mjs';
import { summarize } from './lib/stats.mjs';
import { vocabDir } from './lib/vocab.mjs';

const TEXT = 'Hello, world! This is the first encode of a fresh process.';
const SELF = fileURLToPath(import.meta.url);

const metric = {
  id: 'coldstart',
  title: 'Cold start to first encode',
  unit: 'ms',
  better: 'lower',
  description: 'Fresh process: spawn, import, load the vocabulary, encode one sentence. Peak RSS in the second table.',
  rssMetric: { id: 'coldstart-rss', title: 'Peak RSS after first encode', unit: 'MB', better: 'lower', description: 'Peak resident set size of the cold-start process when its first encode returned (MB = 2^20 bytes).' },

  // firstEncode runs in the child and returns the tokens of TEXT.
  CASES: [
    {
      name: 'node, no tokenizer',
      peer: 'node',
      baseline: true,
      firstEncode: async () => null,
    },
    {
      name: 'gpt-oss-harmony',
      peer: 'gpt-oss-harmony',
      product: true,
      note: 'import, loadHarmonyEncoding(), encodeOrdinary(sentence)',
      firstEncode: async () => (await encoder('gpt-oss-harmony', 'ordinary'))(TEXT),
    },
    {
      name: 'openai-harmony (WASM)',
      peer: 'openai-harmony',
      reference: true,
      note: 'vocabulary read from a local file through a fetch shim',
      firstEncode: async () => (await encoder('openai-harmony', 'ordinary'))(TEXT),
    },
    {
      name: 'gpt-tokenizer',
      peer: 'gpt-tokenizer',
      firstEncode: async () => (await encoder('gpt-tokenizer', 'ordinary'))(TEXT),
    },
    {
      name: 'js-tiktoken',
      peer: 'js-tiktoken',
      firstEncode: async () => (await encoder('js-tiktoken', 'ordinary'))(TEXT),
    },
    {
      name: 'tiktoken (WASM)',
      peer: 'tiktoken',
      firstEncode: async () => (await encoder('tiktoken', 'ordinary'))(TEXT),
    },
    {
      name: 'openai-harmony (Python)',
      peer: 'openai-harmony@PyPI',
      python: 'coldstart',
      note: 'python interpreter start-up included',
    },
  ],
};
export default metric;

// Peak RSS of this process image. Not getrusage's maxRSS: Linux carries that across execve, so a child
// forked from a large parent would report the parent's size. VmHWM belongs to the new image.
function peakRssKb() {
  try {
    return Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))[1]);
  } catch {
    return process.memoryUsage().rss / 1024; // not Linux: the current RSS is the closest figure
  }
}

// Child mode: `node coldstart.bench.mjs --child <case name>`.
async function child(name) {
  const c = metric.CASES.find((x) => x.name === name);
  const tokens = await c.firstEncode();
  process.stdout.write(`${JSON.stringify({ tokens: tokens && Array.from(tokens), rss_kb: peakRssKb() })}\n`);
}

// One sample: ms from spawn to the child's report line, and its report.
function sample(command, args, env) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const proc = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let elapsed;
    proc.stdout.on('data', (d) => {
      out += d;
      if (elapsed === undefined && out.includes('\n')) elapsed = performance.now() - started;
    });
    proc.stderr.on('data', (d) => { err += d; });
    proc.on('error', reject);
    proc.on('close', (code) => {
      if (code !== 0 || elapsed === undefined) reject(new Error(`exit ${code}: ${err.trim().split('\n').at(-1)}`));
      else resolve({ ms: elapsed, report: JSON.parse(out.split('\n')[0]) });
    });
  });
}

/**
 * Runs every case `opts.coldRuns` times; returns rows for both the time and the RSS metric. The
 * samples are interleaved (one round runs every case once), so a burst of load from another tenant
 * of the machine falls on all cases alike rather than on whichever case was running.
 */
export async function runColdStart(metric, opts) {
  const dir = await vocabDir();
  const env = { ...process.env, TIKTOKEN_ENCODINGS_BASE: dir, HARMONY_BENCH_VOCAB_DIR: dir };
  const cases = metric.CASES.filter((c) => !c.python || (opts.python && pythonReference()));
  const command = (c) => (c.python
    ? [PYTHON_BIN, [fileURLToPath(new URL('./reference/bench_reference.py', import.meta.url)), '--op', c.python]]
    : [process.execPath, [SELF, '--child', c.name]]);
  const samples = new Map(cases.map((c) => [c.name, []]));
  const failed = new Map();
  for (let i = 0; i < opts.coldRuns; i++) {
    for (const c of cases) {
      if (failed.has(c.name)) continue;
      try {
        const [cmd, args] = command(c);
        samples.get(c.name).push(await sample(cmd, args, env));
      } catch (err) {
        failed.set(c.name, err);
      }
    }
  }
  const reference = cases.find((c) => c.reference && !failed.has(c.name));
  const expected = reference && canonical.tokens(samples.get(reference.name)[0].report.tokens);
  const rows = [];
  for (const c of cases) {
    const base = { input: 'first encode', case: c.name, peer: c.peer, product: Boolean(c.product), reference: Boolean(c.reference), baseline: Boolean(c.baseline), note: c.note };
    if (failed.has(c.name)) {
      const err = failed.get(c.name);
      rows.push({ ...base, metric: metric.id, excluded: true, reason: `failed: ${err.message}` });
      opts.log(`  ${c.name.padEnd(34)} FAILED ${err.message}`);
      continue;
    }
    const got = samples.get(c.name);
    const tokens = got[0].report.tokens;
    const row = { ...base };
    if (tokens && expected !== undefined && canonical.tokens(tokens) !== expected) {
      Object.assign(row, { excluded: true, reason: `first encode gave ${tokens.join(',')}` });
    }
    const time = summarize(got.map((s) => s.ms));
    const rss = summarize(got.map((s) => s.report.rss_kb / 1024));
    rows.push({ ...row, metric: metric.id, samplesMs: time, value: time.median });
    rows.push({ ...row, metric: metric.rssMetric.id, samplesMs: rss, value: rss.median });
    opts.log(`  ${c.name.padEnd(34)} ${time.median.toFixed(1).padStart(8)} ms ±${time.iqrPct.toFixed(1)}%  ${rss.median.toFixed(1).padStart(7)} MB RSS  n=${time.n}${row.excluded ? '  EXCLUDED: output differs' : ''}`);
  }
  return rows;
}

if (process.argv[2] === '--child') await child(process.argv[3]);
