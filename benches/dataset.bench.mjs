// The dataset job end to end: `gpt-oss-harmony render` (training mode, JSONL out) on one core and on
// all cores, against the Python reference doing the same job on the same file
// (reference/dataset_reference.py: read JSONL, Conversation.from_json, render_conversation_for_training,
// write JSONL tokens; it computes no mask, so it does less than the command). The outputs' tokens are
// checked equal before timing. Runs are whole processes (start-up included), interleaved in rounds;
// the medians are reported. One core = `taskset -c 0` (the command's main thread and its one worker
// share that core).
//
//   node benches/dataset.bench.mjs [--records N] [--rounds R]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { BENCH_DIR, REPO_DIR } from './lib/paths.mjs';
import { pythonReference, PYTHON_BIN } from './lib/python.mjs';
import { vocabDir } from './lib/vocab.mjs';

const { values } = parseArgs({ options: { records: { type: 'string', default: '20000' }, rounds: { type: 'string', default: '3' } } });
const RECORDS = Number(values.records);
const ROUNDS = Number(values.rounds);
const CLI = join(REPO_DIR, 'dist', 'esm', 'cli', 'main.js');
const dir = join(BENCH_DIR, '.cache', 'dataset');
mkdirSync(dir, { recursive: true });

/** A chat-dataset-like file in the reference's JSON: system, sometimes tools and a tool call, a reasoning and an answer. */
function generate(n) {
  const words = 'the of and to in is you that it he was for on are as with his they at be this have from or one had by word but not what all were we when your can said there use an each which she do how their if will up other about out many then them these so some her would make like him into time has look two more write go see number no way could people my than first water been call who oil its now find long down day did get come made may part'.split(' ');
  let seed = 1;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const text = (k) => Array.from({ length: k }, () => words[Math.floor(random() * words.length)]).join(' ');
  const system = { type: 'system_content', model_identity: 'You are ChatGPT, a large language model trained by OpenAI.', reasoning_effort: 'Medium', conversation_start_date: '2025-06-28', knowledge_cutoff: '2024-06', channel_config: { valid_channels: ['analysis', 'commentary', 'final'], channel_required: true } };
  const tools = { functions: { name: 'functions', description: null, tools: [{ name: 'lookup', description: 'Looks a word up.', parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] } }] } };
  const lines = [];
  for (let i = 0; i < n; i++) {
    const withTool = i % 4 === 0;
    const messages = [{ role: 'system', content: [system] }];
    if (withTool) messages.push({ role: 'developer', content: [{ type: 'developer_content', instructions: text(20), tools }] });
    messages.push({ role: 'user', content: text(40 + (i % 60)) });
    messages.push({ role: 'assistant', channel: 'analysis', content: text(60 + (i % 80)) });
    if (withTool) {
      messages.push({ role: 'assistant', channel: 'commentary', recipient: 'functions.lookup', content_type: '<|constrain|>json', content: JSON.stringify({ q: text(2) }) });
      messages.push({ role: 'tool', name: 'functions.lookup', recipient: 'assistant', channel: 'commentary', content: text(30) });
    }
    messages.push({ role: 'assistant', channel: 'final', content: text(50 + (i % 100)) });
    lines.push(JSON.stringify({ id: i, messages }));
  }
  return `${lines.join('\n')}\n`;
}

const input = join(dir, `dataset-${RECORDS}.jsonl`);
if (!existsSync(input)) writeFileSync(input, generate(RECORDS));
const megabytes = statSync(input).size / 1e6;
if (!pythonReference()) throw new Error('the Python reference is needed');
// The reference's vocabulary: $TIKTOKEN_ENCODINGS_BASE when set, else lib/vocab.mjs (needs the benches' npm packages).
const env = { ...process.env, TIKTOKEN_ENCODINGS_BASE: process.env.TIKTOKEN_ENCODINGS_BASE ?? (await vocabDir()) };
const hasTaskset = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
const oneCore = (cmd) => (hasTaskset ? ['taskset', ['-c', '0', ...cmd]] : [cmd[0], cmd.slice(1)]);

const cases = {
  reference: () => oneCore([PYTHON_BIN, join(BENCH_DIR, 'reference', 'dataset_reference.py'), 'training', input, join(dir, 'out-reference.jsonl')]),
  'gpt-oss-harmony, 1 core': () => oneCore([process.execPath, CLI, 'render', '-q', '-j', '1', '-o', join(dir, 'out-1.jsonl'), input]),
  [`gpt-oss-harmony, ${availableParallelism()} cores`]: () => [process.execPath, [CLI, 'render', '-q', '-o', join(dir, 'out-all.jsonl'), input]],
};

function run(name) {
  const [cmd, args] = cases[name]();
  const started = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env, encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.status !== 0) throw new Error(`${name} failed: ${r.stderr}`);
  return seconds;
}

const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let round = 0; round < ROUNDS; round++) for (const name of Object.keys(cases)) times[name].push(run(name));

const tokensOf = (file) => readFileSync(join(dir, file), 'utf8').trim().split('\n').map((l) => JSON.stringify(JSON.parse(l).tokens));
const reference = tokensOf('out-reference.jsonl');
for (const file of ['out-1.jsonl', 'out-all.jsonl']) {
  const ours = tokensOf(file);
  if (ours.length !== reference.length || ours.some((t, i) => t !== reference[i])) throw new Error(`${file}: tokens differ from the reference`);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = Object.entries(times).map(([name, ts]) => ({ name, seconds: median(ts) }));
const base = rows[0].seconds;
console.log(`${RECORDS} records, ${megabytes.toFixed(1)} MB, ${ROUNDS} rounds (median wall time, start-up included); tokens identical to the reference`);
console.log('| | s | records/s | MB/s | vs reference (1 core) |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const { name, seconds } of rows) {
  console.log(`| ${name} | ${seconds.toFixed(2)} | ${Math.round(RECORDS / seconds)} | ${(megabytes / seconds).toFixed(1)} | ${(base / seconds).toFixed(1)}× |`);
}
console.log(`all cores vs one core: ${(rows[1].seconds / rows[2].seconds).toFixed(2)}×`);
