// Reads the criterion results of the Rust core (`cargo bench -p harmony-bench` writes them to
// target/criterion/<group>/<function>/new/) and shapes them like the JS metrics of results JSON, so
// the report prints and charts them the same way. Rows whose function starts with `harmony-core` are
// the product; tiktoken-rs, bpe-openai and the openai-harmony crate are the peers.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { summarize } from './stats.mjs';

// Each section: criterion groups → one metric. `input` names the column of a benchmark, `score`
// turns a median in ns (and the benchmark's throughput) into the unit.
const perCorpus = (prefix) => (b) => (b.group.startsWith(`${prefix}/`) ? b.group.slice(prefix.length + 1) : null);
const mbPerS = (ns, b) => (b.throughput?.Bytes ?? NaN) / 1e6 / (ns / 1e9);
const perElement = (ns, b) => ns / (b.throughput?.Elements ?? NaN);
const ms = (ns) => ns / 1e6;

const SECTIONS = [
  {
    id: 'rust-encode', title: 'Rust core: encode', unit: 'MB/s', better: 'higher', input: perCorpus('encode'), score: mbPerS,
    description: 'encode_ordinary of each ~1 MB corpus. `harmony-core-unseen` empties the core\'s per-thread merge caches before every pass: the figure for text never seen before (the plain row re-encodes text whose words are cached).',
  },
  { id: 'rust-count', title: 'Rust core: count', unit: 'MB/s', better: 'higher', input: perCorpus('count'), score: mbPerS, description: 'Number of tokens of each corpus without materialising them.' },
  { id: 'rust-decode', title: 'Rust core: decode', unit: 'MB/s', better: 'higher', input: perCorpus('decode'), score: mbPerS, description: 'decode_bytes of each corpus\'s tokens (bytes out, no string); MB of decoded text per second.' },
  { id: 'rust-short', title: 'Rust core: short strings', unit: 'ns/call', better: 'lower', input: (b) => (b.group === 'short-strings' ? 'short strings' : null), score: perElement, description: 'The 10 000 short strings, one encode call each (ours into a reused Vec).' },
  { id: 'rust-render', title: 'Rust core: render', unit: 'ms', better: 'lower', input: (b) => (b.group.startsWith('render/') ? `${b.group.slice(7)} messages` : null), score: ms, description: 'render_conversation_for_completion(assistant, auto_drop_analysis=false); `harmony-core-from-json` includes parsing the conversation JSON (what a Node call does).' },
  { id: 'rust-parse', title: 'Rust core: parse', unit: 'ms', better: 'lower', input: (b) => (b.group === 'parse/completion' ? 'completion' : null), score: ms, description: 'parse_messages_from_completion_tokens of the ~107k-token completion.' },
  { id: 'rust-stream', title: 'Rust core: stream', unit: 'ns/token', better: 'lower', input: (b) => (b.group === 'stream/per-token' ? 'completion' : null), score: perElement, description: 'StreamableParser over the completion: process + last_content_delta per token, and process_many over 16- and 256-token chunks.' },
  {
    id: 'rust-stream-scaling', title: 'Rust core: stream scaling', unit: 'ns/token', better: 'lower', score: perElement,
    input: (b) => (b.group === 'stream/scaling' ? `${Number(b.fn.split('/')[1]).toLocaleString('en-US')} tokens` : null),
    caseName: (b) => b.fn.split('/')[0],
    description: 'process per token over 10k, 100k and 1M tokens (the completion repeated): flat when the work per token does not grow with the stream.',
  },
  { id: 'rust-vocab', title: 'Rust core: vocabulary load', unit: 'µs', better: 'lower', input: (b) => (b.group === 'vocabulary-load' ? 'load + encode "hello"' : null), score: (ns) => ns / 1e3, description: 'Getting a ready tokenizer and encoding one word (ours: static data behind a once-cell, so this is the warm call).' },
];

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** Every benchmark under `dir` (target/criterion): group, function, throughput, median ns and spread. */
export function readCriterion(dir) {
  const out = [];
  if (!existsSync(dir)) return out;
  const walk = (d) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const sub = join(d, entry.name);
      if (entry.name === 'new' && existsSync(join(sub, 'benchmark.json')) && existsSync(join(sub, 'estimates.json'))) {
        const meta = readJson(join(sub, 'benchmark.json'));
        const estimates = readJson(join(sub, 'estimates.json'));
        let spread;
        if (existsSync(join(sub, 'sample.json'))) {
          const { iters, times } = readJson(join(sub, 'sample.json'));
          spread = summarize(times.map((t, i) => t / iters[i]));
        }
        const median = estimates.median.point_estimate;
        out.push({
          group: meta.group_id,
          fn: meta.function_id ?? '',
          throughput: meta.throughput ?? null,
          medianNs: median,
          spread,
          modified: statSync(join(sub, 'estimates.json')).mtime.toISOString(),
        });
      } else if (entry.name !== 'report' && entry.name !== 'base' && entry.name !== 'change') {
        walk(sub);
      }
    }
  };
  walk(dir);
  return out;
}

/** The criterion results as report metrics (same shape as results.metrics entries). */
export function criterionMetrics(benchmarks) {
  const metrics = [];
  for (const s of SECTIONS) {
    const rows = [];
    const inputs = [];
    for (const b of benchmarks) {
      const input = s.input(b);
      if (input === null) continue;
      if (!inputs.includes(input)) inputs.push(input);
      const value = s.score(b.medianNs, b);
      const name = s.caseName ? s.caseName(b) : b.fn;
      rows.push({
        metric: s.id,
        input,
        case: name,
        peer: name,
        product: name.startsWith('harmony-core'),
        value,
        medianNs: b.medianNs,
        samplesMs: b.spread ? { ...b.spread, median: b.spread.median / 1e6, iqrPct: b.spread.iqrPct } : undefined,
        modified: b.modified,
      });
    }
    if (rows.length === 0) continue;
    const order = ['english', 'code', 'cjk', 'russian', '10 messages', '100 messages', '1000 messages'];
    inputs.sort((a, b) => {
      const ia = order.indexOf(a); const ib = order.indexOf(b);
      if (ia >= 0 && ib >= 0) return ia - ib;
      return Number(a.replace(/\D/g, '')) - Number(b.replace(/\D/g, ''));
    });
    // Product rows first, then the peers, in a stable order.
    rows.sort((a, b) => Number(b.product) - Number(a.product) || a.case.localeCompare(b.case));
    metrics.push({ id: s.id, title: s.title, unit: s.unit, better: s.better, description: s.description, inputs: inputs.map((name) => ({ name })), rows });
  }
  return metrics;
}

/** Median ns of one criterion benchmark, or undefined. */
export function criterionNs(benchmarks, group, fn) {
  return benchmarks.find((b) => b.group === group && b.fn === fn)?.medianNs;
}
