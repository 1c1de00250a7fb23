// Short strings: 10 000 chat-sized strings (20-200 bytes) encoded one call each, where per-call
// overhead dominates. gpt-tokenizer keeps an LRU merge cache across calls: "warm" is after the
// warm-up passes filled it, "cold" clears it before every pass of the 10 000 strings.

import * as canonical from './lib/canonical.mjs';
import { corpus } from './lib/inputs.mjs';
import { encoder, peer } from './lib/peers.mjs';
import { pythonCase } from './lib/python.mjs';

const jsPeer = (name, pkg, extra = {}) => ({ name, peer: pkg, ...extra, setup: () => encoder(pkg, 'ordinary') });

export default {
  id: 'short',
  title: 'Encode short strings',
  unit: 'ns/call',
  better: 'lower',
  description: '10 000 strings of 20-200 UTF-8 bytes (mean ~87) cut from all four corpora, encoded as ordinary text; time per call.',

  async inputs() {
    const { short } = corpus();
    return [{ name: 'short strings', value: short, spec: { short: true }, describe: { strings: short.length } }];
  },
  call: (encode, strings) => strings.map((s) => encode(s)),
  canonical: canonical.tokenLists,
  score: (ms, input) => (ms * 1e6) / input.describe.strings,

  CASES: [
    {
      name: 'gpt-oss-harmony (encode)',
      peer: 'gpt-oss-harmony',
      product: true,
      note: 'encode(s) with the default options: a new Uint32Array with its own ArrayBuffer per call (encoded into a private scratch buffer, then copied out)',
      async setup() {
        const enc = await peer('gpt-oss-harmony');
        return (s) => enc.encode(s);
      },
    },
    {
      name: 'gpt-oss-harmony (encodeInto)',
      peer: 'gpt-oss-harmony',
      product: true,
      note: 'encodeInto(s, out) into one caller-owned Uint32Array reused for every call; returns the count (checked by copying out the written tokens)',
      async setup() {
        const enc = await peer('gpt-oss-harmony');
        const out = new Uint32Array(4096);
        const encodeInto = (s) => enc.encodeInto(s, out);
        encodeInto.out = out;
        return encodeInto;
      },
      check: (encodeInto, strings) => strings.map((s) => encodeInto.out.slice(0, encodeInto(s))),
    },
    {
      name: 'gpt-oss-harmony (countTokens)',
      peer: 'gpt-oss-harmony',
      product: true,
      note: 'countTokens(s): the number only (checked against the length of its own encodeOrdinary, itself checked against the reference)',
      async setup() {
        const enc = await peer('gpt-oss-harmony');
        const count = (s) => enc.countTokens(s);
        count.enc = enc;
        return count;
      },
      check: (count, strings) => strings.map((s) => {
        const tokens = count.enc.encodeOrdinary(s);
        if (count(s) !== tokens.length) throw new Error(`countTokens(${JSON.stringify(s)}) = ${count(s)}, encodeOrdinary gives ${tokens.length}`);
        return tokens;
      }),
    },
    jsPeer('openai-harmony (WASM)', 'openai-harmony', { reference: true }),
    jsPeer('gpt-tokenizer (warm cache)', 'gpt-tokenizer'),
    jsPeer('gpt-tokenizer (cold cache)', 'gpt-tokenizer', {
      beforeEach: async () => (await peer('gpt-tokenizer')).clearMergeCache(),
    }),
    jsPeer('js-tiktoken', 'js-tiktoken'),
    jsPeer('tiktoken (WASM)', 'tiktoken'),
    pythonCase('short'),
  ],
};
