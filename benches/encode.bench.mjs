// Encode: text → tokens, on ~1 MB of each corpus as ordinary text (special-token text, of which the
// corpora have none, would stay text; each library's fastest exact call) and on the Harmony completion
// text with every special token allowed (the markers must become single tokens). Throughput is input
// UTF-8 bytes per second.

import * as canonical from './lib/canonical.mjs';
import { CORPORA, corpus, utf8Bytes } from './lib/inputs.mjs';
import { encoder } from './lib/peers.mjs';
import { pythonCase } from './lib/python.mjs';

// A JS peer's row: encode(text, special) through its two encoders from lib/peers.mjs.
const jsPeer = (name, pkg, extra = {}) => ({
  name,
  peer: pkg,
  ...extra,
  async setup() {
    const [ordinary, allSpecial] = await Promise.all([encoder(pkg, 'ordinary'), encoder(pkg, 'allSpecial')]);
    return (text, special) => (special ? allSpecial(text) : ordinary(text));
  },
});

export default {
  id: 'encode',
  title: 'Encode text',
  unit: 'MB/s',
  better: 'higher',
  description: 'Text to tokens, one call per input; MB = 10^6 bytes of UTF-8 input.',

  async inputs() {
    const { texts, completion } = corpus();
    const plain = CORPORA.map((name) => ({ name, text: texts[name], special: false }));
    const harmony = { name: 'Harmony text, specials allowed', text: completion.text, special: true };
    return [...plain, harmony].map(({ name, text, special }) => ({
      name,
      value: { text, special },
      spec: special ? { completion: true } : { corpus: name },
      describe: { bytes: utf8Bytes(text) },
    }));
  },
  call: (encode, { text, special }) => encode(text, special),
  canonical: canonical.tokens,
  score: (ms, input) => input.describe.bytes / 1e6 / (ms / 1e3),

  CASES: [
    jsPeer('gpt-oss-harmony', 'gpt-oss-harmony', {
      product: true,
      note: 'encodeOrdinary(text) for the corpora, encode(text, { allowedSpecial: "all" }) for Harmony text; the timed calls hit the core\'s merge caches warm (the first, checking call is shown as "first call" below the table)',
    }),
    jsPeer('openai-harmony (WASM)', 'openai-harmony', { reference: true }),
    jsPeer('gpt-tokenizer', 'gpt-tokenizer', {
      // Seen with 4.0.0: its sticky special-token regex is only tried where the previous match ended,
      // so with allowedSpecial 'all' only a special token at the very start of the text (or right after
      // another one) becomes a token, and `<|message|>` after a channel name stays text.
      note: 'with allowedSpecial "all" it recognises special tokens only at the start of the text or right after another special token, so Harmony text comes out wrong',
    }),
    jsPeer('js-tiktoken', 'js-tiktoken'),
    jsPeer('tiktoken (WASM)', 'tiktoken'),
    pythonCase('encode'),
  ],
};
