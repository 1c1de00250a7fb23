// Encode: text → tokens, on ~1 MB of each corpus as ordinary text (special-token text, of which the
// corpora have none, would stay text; each library's fastest exact call) and on the Harmony completion
// text with every special token allowed (the markers must become single tokens). Throughput is input
// UTF-8 bytes per second.
//
// Two metrics. `encode` times repeated calls on the same text, so libraries that remember what they
// merged (gpt-oss-harmony's per-thread merge caches, gpt-tokenizer's merge cache) answer much of it
// from memory. `encode-unseen` empties those caches before every timed call: the cost of text never
// seen before, which the tokenizers without caches pay on every call anyway.

import * as canonical from './lib/canonical.mjs';
import { CORPORA, corpus, utf8Bytes } from './lib/inputs.mjs';
import { encoder, peer } from './lib/peers.mjs';
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

// The peers that keep merge caches, and how to empty them.
const CLEAR_CACHES = {
  'gpt-oss-harmony': async () => (await peer('gpt-oss-harmony')).clearMergeCaches(),
  'gpt-tokenizer': async () => (await peer('gpt-tokenizer')).clearMergeCache(),
};

function encodeMetric({ unseen }) {
  // With `unseen`, every case with caches empties them before each timed call (not timed).
  const row = (name, pkg, extra = {}) => jsPeer(name, pkg, unseen && CLEAR_CACHES[pkg] ? { ...extra, beforeEach: CLEAR_CACHES[pkg] } : extra);
  return {
    id: unseen ? 'encode-unseen' : 'encode',
    title: unseen ? 'Encode text not seen before' : 'Encode text',
    unit: 'MB/s',
    better: 'higher',
    description: unseen
      ? 'Text to tokens with every library\'s merge caches emptied before each timed call (gpt-oss-harmony: clearMergeCaches(); gpt-tokenizer: clearMergeCache(); the others keep none), so nothing is answered from an earlier call; MB = 10^6 bytes of UTF-8 input.'
      : 'Text to tokens, one call per input, the same text on every call (merge caches warm); MB = 10^6 bytes of UTF-8 input.',

    async inputs() {
      const { texts, completion } = corpus();
      const plain = CORPORA.map((name) => ({ name, text: texts[name], special: false }));
      const harmony = { name: 'Harmony text, specials allowed', text: completion.text, special: true };
      return [...plain, ...(unseen ? [] : [harmony])].map(({ name, text, special }) => ({
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
      row('gpt-oss-harmony', 'gpt-oss-harmony', {
        product: true,
        note: unseen
          ? 'encodeOrdinary(text) after clearMergeCaches()'
          : 'encodeOrdinary(text) for the corpora, encode(text, { allowedSpecial: "all" }) for Harmony text; the timed calls hit the core\'s merge caches warm (the first, checking call is shown as "first call" below the table)',
      }),
      row('openai-harmony (WASM)', 'openai-harmony', { reference: true }),
      row('gpt-tokenizer', 'gpt-tokenizer', {
        // Seen with 4.0.0: its sticky special-token regex is only tried where the previous match ended,
        // so with allowedSpecial 'all' only a special token at the very start of the text (or right after
        // another one) becomes a token, and `<|message|>` after a channel name stays text.
        note: unseen
          ? 'encode(text) after clearMergeCache()'
          : 'with allowedSpecial "all" it recognises special tokens only at the start of the text or right after another special token, so Harmony text comes out wrong',
      }),
      row('js-tiktoken', 'js-tiktoken'),
      row('tiktoken (WASM)', 'tiktoken'),
      pythonCase('encode'),
    ],
  };
}

export default encodeMetric({ unseen: false });
export const encodeUnseen = encodeMetric({ unseen: true });
