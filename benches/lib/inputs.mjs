// The bench inputs, read from the shared corpus (generated on first use by scripts/gen-corpus.mjs).
// Token inputs (decode, parse, stream) are produced by the reference's own tokenizer, so every peer
// starts from the tokens the reference would give it.

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CORPUS_DIR, REPO_DIR } from './paths.mjs';
import { peer } from './peers.mjs';

export const CORPORA = ['english', 'code', 'cjk', 'russian'];

let cached;

export function ensureCorpus() {
  if (existsSync(join(CORPUS_DIR, 'manifest.json'))) return;
  execFileSync(process.execPath, [join(REPO_DIR, 'scripts', 'gen-corpus.mjs')], { stdio: 'inherit' });
}

/** Everything in benches/corpus, parsed. */
export function corpus() {
  if (cached) return cached;
  ensureCorpus();
  const read = (name) => readFileSync(join(CORPUS_DIR, name), 'utf8');
  cached = {
    texts: Object.fromEntries(CORPORA.map((name) => [name, read(`${name}.txt`)])),
    short: JSON.parse(read('short.json')),
    conversations: JSON.parse(read('conversations.json')),
    completion: JSON.parse(read('completion.json')),
    manifest: JSON.parse(read('manifest.json')),
  };
  return cached;
}

/** Tokens of `text` from the reference (WASM build), with every special token allowed or none. */
export async function referenceTokens(text, allowSpecial = false) {
  const { encoding } = await peer('openai-harmony');
  return encoding.encode(text, allowSpecial ? encoding.specialTokens() : []);
}

export const utf8Bytes = (s) => Buffer.byteLength(s, 'utf8');
