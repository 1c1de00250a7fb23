// The o200k_base vocabulary as a `.tiktoken` file, for the peers that load one at run time (the
// openai-harmony WASM build via fetch, the Python reference via TIKTOKEN_ENCODINGS_BASE).
// It is rebuilt from the ranks that the pinned js-tiktoken package ships, so the benches never
// download anything, and checked against the hash the conformance fixtures were produced with.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR } from './paths.mjs';

export const VOCAB_FILE = 'o200k_base.tiktoken';
const VOCAB_SHA256 = '446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d';
const VOCAB_DIR = join(BENCH_DIR, '.cache', 'tiktoken');

const sha256 = (data) => createHash('sha256').update(data).digest('hex');

// js-tiktoken stores ranks as lines of "<tag> <first rank> <base64 token> <base64 token> ...".
async function rebuild() {
  const { default: ranks } = await import('js-tiktoken/ranks/o200k_base');
  const entries = [];
  for (const line of ranks.bpe_ranks.split('\n')) {
    if (!line) continue;
    const [, offset, ...tokens] = line.split(' ');
    tokens.forEach((token, i) => entries.push([Number(offset) + i, token]));
  }
  entries.sort((a, b) => a[0] - b[0]);
  return entries.map(([rank, token]) => `${token} ${rank}\n`).join('');
}

/** Returns a folder holding a verified o200k_base.tiktoken (created on first use). */
export async function vocabDir() {
  const path = join(VOCAB_DIR, VOCAB_FILE);
  if (existsSync(path) && sha256(readFileSync(path)) === VOCAB_SHA256) return VOCAB_DIR;
  const data = await rebuild();
  if (sha256(data) !== VOCAB_SHA256) throw new Error(`rebuilt ${VOCAB_FILE} does not match sha256 ${VOCAB_SHA256}`);
  mkdirSync(VOCAB_DIR, { recursive: true });
  writeFileSync(`${path}.tmp`, data);
  renameSync(`${path}.tmp`, path);
  return VOCAB_DIR;
}
