// Lazy loaders for the peers. Each package is imported only when a case asks for it, so a cold-start
// child process pays for exactly one peer, and each loader runs once per process.

import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { BENCH_DIR } from './paths.mjs';
import { VOCAB_FILE, vocabDir } from './vocab.mjs';

const require = createRequire(import.meta.url);

// openai-harmony (the reference compiled to WASM) fetches its .wasm via a file: URL and the vocabulary
// over HTTP; Node 20's fetch does neither offline. While it loads, fetch is replaced by one that serves
// both from local files and refuses anything else, so a bench can never reach the network.
async function loadOpenAiHarmony() {
  // Cold-start children get the already verified folder, so they do not pay for hashing it.
  const dir = process.env.HARMONY_BENCH_VOCAB_DIR ?? await vocabDir();
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (resource) => {
    const url = new URL(typeof resource === 'object' && 'url' in resource ? resource.url : String(resource));
    if (url.protocol === 'file:' && url.pathname.endsWith('.wasm')) {
      return new Response(await readFile(url), { headers: { 'content-type': 'application/wasm' } });
    }
    if (url.pathname.endsWith(`/${VOCAB_FILE}`)) {
      const response = new Response(await readFile(join(dir, VOCAB_FILE)));
      // reqwest (inside the WASM) parses response.url, which a constructed Response leaves empty.
      Object.defineProperty(response, 'url', { value: url.href });
      return response;
    }
    throw new Error(`benches run offline; refused to fetch ${url}`);
  };
  try {
    const harmony = await import('openai-harmony');
    // The host is never contacted: the shim above answers every request.
    const encoding = await harmony.load_harmony_encoding(harmony.HarmonyEncodingName, 'http://vocab.local/');
    return { harmony, encoding };
  } finally {
    globalThis.fetch = realFetch;
  }
}

// o200k_harmony's special tokens (ids 199998..201088; unnamed ids are <|reserved_N|>). js-tiktoken and
// tiktoken only ship o200k_base; they get this table where special tokens must be recognised.
const NAMED_SPECIAL = {
  199998: '<|startoftext|>', 199999: '<|endoftext|>', 200002: '<|return|>', 200003: '<|constrain|>',
  200005: '<|channel|>', 200006: '<|start|>', 200007: '<|end|>', 200008: '<|message|>', 200012: '<|call|>',
};
export const HARMONY_SPECIAL_TOKENS = Object.fromEntries(
  Array.from({ length: 201089 - 199998 }, (_, i) => 199998 + i).map((id) => [NAMED_SPECIAL[id] ?? `<|reserved_${id}|>`, id]),
);

async function jsTiktoken(specialTokens) {
  const [{ Tiktoken }, { default: ranks }] = await Promise.all([import('js-tiktoken/lite'), import('js-tiktoken/ranks/o200k_base')]);
  return specialTokens ? new Tiktoken({ ...ranks, special_tokens: {} }, specialTokens) : new Tiktoken(ranks);
}

async function tiktoken(specialTokens) {
  if (!specialTokens) return (await import('tiktoken')).get_encoding('o200k_base');
  const { Tiktoken } = await import('tiktoken/lite');
  const o200k = require('tiktoken/encoders/o200k_base.json');
  return new Tiktoken(o200k.bpe_ranks, specialTokens, o200k.pat_str);
}

// Stock instances serve ordinary text: both libraries scan for special-token text or compile a regex of
// the special tokens on every call, which costs ~0.2 ms with o200k_base's two and ~30 ms (tiktoken)
// with all 1091, so the Harmony instances are used only where special tokens are allowed.
const LOADERS = {
  // The gpt-oss model entry binds o200k_harmony and the Harmony chat formatter.
  'gpt-tokenizer': () => import('gpt-tokenizer/model/gpt-oss-20b'),
  'js-tiktoken': () => jsTiktoken(null),
  'js-tiktoken:harmony': () => jsTiktoken(HARMONY_SPECIAL_TOKENS),
  tiktoken: () => tiktoken(null),
  'tiktoken:harmony': () => tiktoken(HARMONY_SPECIAL_TOKENS),
  'openai-harmony': loadOpenAiHarmony,
  // The product: the vocabulary is embedded in the native addon, so loading is synchronous and offline.
  'gpt-oss-harmony': async () => (await import('gpt-oss-harmony')).loadHarmonyEncoding('HarmonyGptOss'),
  // The whole module (builders, StreamableParser) for the render and stream cases.
  'gpt-oss-harmony:module': () => import('gpt-oss-harmony'),
};

const loaded = new Map();

/** The loaded peer module or object, by loader name. */
export function peer(name) {
  if (!loaded.has(name)) loaded.set(name, LOADERS[name]());
  return loaded.get(name);
}

// Each peer's two ways to encode text. `ordinary` encodes special-token text as plain text without
// looking for it (the fastest exact call each library offers); `allSpecial` turns every special-token
// text into its token. The encode, count, short-string and cold-start cases all go through here, so a
// library is called the same way everywhere.
const ENCODERS = {
  'gpt-oss-harmony': {
    ordinary: async () => { const enc = await peer('gpt-oss-harmony'); return (text) => enc.encodeOrdinary(text); },
    allSpecial: async () => {
      const enc = await peer('gpt-oss-harmony');
      const all = { allowedSpecial: 'all' };
      return (text) => enc.encode(text, all);
    },
  },
  'openai-harmony': {
    ordinary: async () => { const { encoding } = await peer('openai-harmony'); return (text) => encoding.encode(text, []); },
    allSpecial: async () => {
      const { encoding } = await peer('openai-harmony');
      const all = encoding.specialTokens();
      return (text) => encoding.encode(text, all);
    },
  },
  'gpt-tokenizer': {
    ordinary: async () => {
      const t = await peer('gpt-tokenizer');
      const none = { disallowedSpecial: new Set() };
      return (text) => t.encode(text, none);
    },
    allSpecial: async () => {
      const t = await peer('gpt-tokenizer');
      const all = { allowedSpecial: new Set([t.ALL_SPECIAL_TOKENS]) };
      return (text) => t.encode(text, all);
    },
  },
  'js-tiktoken': {
    ordinary: async () => { const t = await peer('js-tiktoken'); return (text) => t.encode(text, [], []); },
    allSpecial: async () => { const t = await peer('js-tiktoken:harmony'); return (text) => t.encode(text, 'all'); },
  },
  tiktoken: {
    ordinary: async () => { const t = await peer('tiktoken'); return (text) => t.encode_ordinary(text); },
    allSpecial: async () => { const t = await peer('tiktoken:harmony'); return (text) => t.encode(text, 'all'); },
  },
};

/** A peer's encode function: kind is 'ordinary' or 'allSpecial'. */
export const encoder = (name, kind) => ENCODERS[name][kind]();

/** The installed version of a package (read from node_modules: not every package exports its package.json). */
export function packageVersion(name) {
  try {
    return JSON.parse(readFileSync(join(BENCH_DIR, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return 'not installed';
  }
}
