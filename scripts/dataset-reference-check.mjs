#!/usr/bin/env node
// Token-exactness of `gpt-oss-harmony render` against the Python reference (openai-harmony 0.0.8
// from PyPI, in benches/.venv): random conversations — in the reference's JSON and in OpenAI's
// chat format — go through the command in every mode, with and without analysis dropping, and
// through benches/reference/dataset_reference.py; every record's tokens must be identical. The
// reference gets OpenAI records as the conversation chatCompletionsToHarmony maps them to.
//
//   npm run check:reference-cli [-- --records N --seed S]
//
// Needs `npm run build`, python3 and PyPI (first run). The reference reads o200k_base.tiktoken
// from $TIKTOKEN_ENCODINGS_BASE, by default the copy in the tiktoken-rs crate's assets/.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { chatCompletionsToHarmony } from '../dist/esm/gateway/index.js';
import { pythonReference, PYTHON_BIN } from '../benches/lib/python.mjs';
import { rng } from '../__test__/helpers/rng.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { records: { type: 'string', default: '300' }, seed: { type: 'string', default: '1' } } });

function vocabularyDir() {
  if (process.env.TIKTOKEN_ENCODINGS_BASE) return process.env.TIKTOKEN_ENCODINGS_BASE;
  const registry = join(process.env.CARGO_HOME ?? join(homedir(), '.cargo'), 'registry', 'src');
  for (const index of existsSync(registry) ? readdirSync(registry) : []) {
    for (const crate of readdirSync(join(registry, index))) {
      const assets = join(registry, index, crate, 'assets');
      if (crate.startsWith('tiktoken-rs-') && existsSync(join(assets, 'o200k_base.tiktoken'))) return assets;
    }
  }
  throw new Error('no o200k_base.tiktoken: set TIKTOKEN_ENCODINGS_BASE');
}

/** Mulberry32: a small seeded PRNG, so a failing case reproduces with its seed. */

const TEXTS = ['Hello!', 'What is 2 + 2?', ' leading and trailing ', 'ünïcödé — 你好, мир 👋', 'line\nbreaks\n\n', '{"a": [1, 2]}', '<|end|> is text here', '', 'x'.repeat(300)];

function generate(random) {
  const pick = (xs) => xs[Math.floor(random() * xs.length)];
  const text = () => pick(TEXTS) + (random() < 0.5 ? ` ${Math.floor(random() * 1e6)}` : '');
  if (random() < 0.5) {
    // The reference's JSON.
    const messages = [];
    if (random() < 0.8) {
      const system = { type: 'system_content', model_identity: pick(['You are ChatGPT, a large language model trained by OpenAI.', 'You are a tester.']), reasoning_effort: pick(['Low', 'Medium', 'High']) };
      if (random() < 0.5) system.conversation_start_date = '2025-06-28';
      if (random() < 0.7) system.knowledge_cutoff = '2024-06';
      if (random() < 0.7) system.channel_config = { valid_channels: ['analysis', 'commentary', 'final'], channel_required: true };
      messages.push({ role: 'system', content: [system] });
    }
    if (random() < 0.5) {
      const developer = { type: 'developer_content', instructions: text() };
      if (random() < 0.6) developer.tools = { functions: { name: 'functions', description: null, tools: [{ name: 'lookup', description: 'Looks up.', parameters: { type: 'object', properties: { q: { type: 'string', description: 'query' }, n: { type: 'number', default: 3 } }, required: ['q'] } }] } };
      messages.push({ role: 'developer', content: [developer] });
    }
    const turns = 1 + Math.floor(random() * 3);
    for (let t = 0; t < turns; t++) {
      messages.push({ role: 'user', content: text() });
      if (random() < 0.6) messages.push({ role: 'assistant', channel: 'analysis', content: text() });
      if (random() < 0.4) {
        messages.push({ role: 'assistant', channel: 'commentary', recipient: 'functions.lookup', content_type: '<|constrain|>json', content: '{"q":"x"}' });
        messages.push({ role: 'tool', name: 'functions.lookup', recipient: 'assistant', channel: 'commentary', content: text() });
        if (random() < 0.5) messages.push({ role: 'assistant', channel: 'analysis', content: text() });
      }
      if (random() < 0.9) messages.push({ role: 'assistant', channel: 'final', content: text() });
    }
    return { harmony: { messages } };
  }
  // OpenAI's chat format.
  const messages = [];
  if (random() < 0.6) messages.push({ role: pick(['system', 'developer']), content: text() });
  const turns = 1 + Math.floor(random() * 3);
  let call = 0;
  for (let t = 0; t < turns; t++) {
    messages.push({ role: 'user', content: random() < 0.8 ? text() : [{ type: 'text', text: text() }] });
    const reasoningKey = pick(['reasoning_content', 'reasoning', 'thinking', null]);
    if (random() < 0.4) {
      const id = `call_${call++}`;
      const m = { role: 'assistant', content: random() < 0.3 ? text() : null, tool_calls: [{ id, type: 'function', function: { name: pick(['get_weather', 'get-weather']), arguments: '{"city":"SF"}' } }] };
      if (reasoningKey) m[reasoningKey] = text();
      messages.push(m, { role: 'tool', tool_call_id: id, content: text() });
    }
    const m = { role: 'assistant', content: text() };
    if (reasoningKey) m[reasoningKey] = text();
    messages.push(m);
  }
  const record = { messages };
  if (random() < 0.7) record.tools = [{ type: 'function', function: { name: 'get_weather', description: 'Weather.', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }, { type: 'function', function: { name: 'get-weather', parameters: { type: 'object', properties: {} } } }];
  if (random() < 0.5) record.reasoning_effort = pick(['low', 'medium', 'high']);
  return { openai: record, harmony: chatCompletionsToHarmony(record).conversation.toJSON() };
}

if (!pythonReference()) {
  console.error('the Python reference is not available');
  process.exit(1);
}
const dir = mkdtempSync(join(tmpdir(), 'harmony-ref-'));
const random = rng(Number(values.seed));
const cases = Array.from({ length: Number(values.records) }, () => generate(random));
writeFileSync(join(dir, 'input.jsonl'), cases.map((c, i) => `${JSON.stringify({ id: i, ...(c.openai ?? c.harmony) })}\n`).join(''));
writeFileSync(join(dir, 'reference.jsonl'), cases.map((c) => `${JSON.stringify(c.harmony)}\n`).join(''));
const env = { ...process.env, TIKTOKEN_ENCODINGS_BASE: vocabularyDir() };

let passed = 0;
let failed = 0;
for (const mode of ['training', 'completion', 'plain']) {
  for (const keep of [false, true]) {
    const flags = keep ? ['--keep-analysis'] : [];
    const ours = spawnSync(process.execPath, [join(root, 'dist/esm/cli/main.js'), 'render', '-q', '--mode', mode, ...flags, join(dir, 'input.jsonl')], { encoding: 'utf8', maxBuffer: 1 << 30 });
    const refOut = join(dir, `ref-${mode}-${keep}.jsonl`);
    const ref = spawnSync(PYTHON_BIN, [join(root, 'benches/reference/dataset_reference.py'), mode, join(dir, 'reference.jsonl'), refOut, ...flags], { encoding: 'utf8', env });
    if (ours.status !== 0 || ref.status !== 0) throw new Error(`${mode}: a run failed\n${ours.stderr}\n${ref.stderr}`);
    const a = ours.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const b = readFileSync(refOut, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    for (let i = 0; i < cases.length; i++) {
      if (a[i]?.id === i && JSON.stringify(a[i].tokens) === JSON.stringify(b[i]?.tokens)) passed++;
      else {
        failed++;
        if (failed <= 5) console.error(`mismatch: mode ${mode}${keep ? ' --keep-analysis' : ''}, record ${i}: ${JSON.stringify(cases[i].openai ?? cases[i].harmony)}`);
      }
    }
  }
}
console.log(`render vs openai-harmony ${pythonReference().version} (Python), ${cases.length} conversations x 6 runs`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
