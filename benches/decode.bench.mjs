// Decode: tokens → string, for the tokens of each ~1 MB corpus. Each peer gets the tokens in the
// container its API takes (converted outside the timing) and must return a JS string.

import * as canonical from './lib/canonical.mjs';
import { CORPORA, corpus, referenceTokens } from './lib/inputs.mjs';
import { peer } from './lib/peers.mjs';
import { pythonCase } from './lib/python.mjs';

const toArray = (tokens) => Array.from(tokens);

export default {
  id: 'decode',
  title: 'Decode tokens',
  unit: 'Mtok/s',
  better: 'higher',
  description: 'Tokens of each ~1 MB corpus back to a string; millions of tokens per second.',

  async inputs() {
    const { texts } = corpus();
    return Promise.all(CORPORA.map(async (name) => {
      const tokens = await referenceTokens(texts[name]);
      return { name, value: tokens, spec: { corpus: name }, describe: { tokens: tokens.length }, text: texts[name] };
    }));
  },
  call: (decode, tokens) => decode(tokens),
  canonical: canonical.text,
  expected: (input) => input.text,
  score: (ms, input) => input.describe.tokens / 1e6 / (ms / 1e3),

  CASES: [
    {
      name: 'gpt-oss-harmony',
      peer: 'gpt-oss-harmony',
      product: true,
      note: 'decode() of the Uint32Array as is',
      async setup() {
        const enc = await peer('gpt-oss-harmony');
        return (tokens) => enc.decode(tokens);
      },
    },
    {
      name: 'openai-harmony (WASM)',
      peer: 'openai-harmony',
      reference: true,
      async setup() {
        const { encoding } = await peer('openai-harmony');
        return (tokens) => encoding.decodeUtf8(tokens);
      },
    },
    {
      name: 'gpt-tokenizer',
      peer: 'gpt-tokenizer',
      prepare: toArray,
      async setup() {
        const t = await peer('gpt-tokenizer');
        return (tokens) => t.decode(tokens);
      },
    },
    {
      name: 'js-tiktoken',
      peer: 'js-tiktoken',
      prepare: toArray,
      async setup() {
        const t = await peer('js-tiktoken');
        return (tokens) => t.decode(tokens);
      },
    },
    {
      name: 'tiktoken (WASM)',
      peer: 'tiktoken',
      note: 'decode() returns bytes; TextDecoder included',
      async setup() {
        const t = await peer('tiktoken');
        const utf8 = new TextDecoder();
        return (tokens) => utf8.decode(t.decode(tokens));
      },
    },
    pythonCase('decode'),
  ],
};
