// Count: the number of tokens of ~1 MB of each corpus. Only gpt-tokenizer has a counting call; for
// the others counting means encoding and taking the length, which is what their users write.

import * as canonical from './lib/canonical.mjs';
import { CORPORA, corpus, utf8Bytes } from './lib/inputs.mjs';
import { encoder, peer } from './lib/peers.mjs';

const viaEncode = (name, pkg, extra = {}) => ({
  name,
  peer: pkg,
  note: 'length of the ordinary encode',
  ...extra,
  async setup() {
    const encode = await encoder(pkg, 'ordinary');
    return (text) => encode(text).length;
  },
});

export default {
  id: 'count',
  title: 'Count tokens',
  unit: 'MB/s',
  better: 'higher',
  description: 'Number of tokens of each ~1 MB corpus (ordinary text); MB = 10^6 bytes of UTF-8 input.',

  async inputs() {
    const { texts } = corpus();
    return CORPORA.map((name) => ({ name, value: texts[name], spec: { corpus: name }, describe: { bytes: utf8Bytes(texts[name]) } }));
  },
  call: (count, text) => count(text),
  canonical: canonical.count,
  score: (ms, input) => input.describe.bytes / 1e6 / (ms / 1e3),

  CASES: [
    {
      name: 'gpt-oss-harmony',
      peer: 'gpt-oss-harmony',
      product: true,
      note: 'countTokens(), no token array materialised',
      async setup() {
        const enc = await peer('gpt-oss-harmony');
        return (text) => enc.countTokens(text);
      },
    },
    viaEncode('openai-harmony (WASM)', 'openai-harmony', { reference: true }),
    {
      name: 'gpt-tokenizer',
      peer: 'gpt-tokenizer',
      note: 'countTokens()',
      async setup() {
        const t = await peer('gpt-tokenizer');
        const none = { disallowedSpecial: new Set() };
        return (text) => t.countTokens(text, none);
      },
    },
    viaEncode('js-tiktoken', 'js-tiktoken'),
    viaEncode('tiktoken (WASM)', 'tiktoken'),
  ],
};
