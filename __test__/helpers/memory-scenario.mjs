// One memory scenario in a fresh process (run with --expose-gc), against the built package:
// prints {"start": MB, "peak": MB, "end": MB} — resident set sizes before, right after the
// scenario's work, and after dropping its results and forced collections.
//
//   node --expose-gc __test__/helpers/memory-scenario.mjs NAME [SCALE]
//
// The synchronous loops run in one tick (Node runs native finalisers only once the event loop
// turns), so "end" is measured before the loop turns too. SCALE multiplies the work (the heavy
// variants of reliability.spec.ts use HARMONY_HEAVY=1 for the sizes).
import * as gateway from '../../dist/esm/gateway/index.js';
import * as harmony from '../../dist/esm/index.js';

const [name, scaleArg] = process.argv.slice(2);
const scale = Number(scaleArg ?? 1);
const enc = harmony.loadHarmonyEncoding();
const words = Array.from({ length: 200 }, (_, i) => `word${i}`).join(' ');
const completion = enc.encode(`<|channel|>analysis<|message|>${words}<|end|><|start|>assistant<|channel|>final<|message|>${words}<|return|>`, { allowedSpecial: 'all' });
const mb = () => Math.round(process.memoryUsage().rss / 2 ** 20);

/** The scenarios: each returns what it made, dropped before the end measurement. */
const scenarios = {
  /** One-shot parses: no native object outlives a call. */
  'parse-loop': (n = 30_000 * scale) => {
    for (let i = 0; i < n; i++) enc.parseMessagesFromCompletionTokens(completion, 'assistant');
  },
  /** Streaming parsers fed a whole completion and freed. */
  'stream-loop': (n = 30_000 * scale) => {
    for (let i = 0; i < n; i++) {
      const parser = new harmony.StreamableParser(enc, 'assistant');
      parser.processMany(completion);
      parser.processEos();
      parser.free();
    }
  },
  /** The gateway's streaming mappers and the text parser, each run to end() (which frees the native parser). */
  'gateway-stream-loop': (n = 8_000 * scale) => {
    const text = enc.decode(completion);
    for (let i = 0; i < n; i++) {
      const chat = new gateway.ChatCompletionChunkMapper();
      chat.push(completion.subarray(0, 100));
      chat.push(completion.subarray(100));
      chat.end();
      const responses = new gateway.ResponseEventMapper();
      responses.push(completion);
      responses.end();
      const parser = new gateway.TextStreamParser();
      parser.push(text);
      parser.end();
    }
  },
  /** Whole-completion mappers and request mappers. */
  'gateway-whole-loop': (n = 8_000 * scale) => {
    for (let i = 0; i < n; i++) {
      gateway.harmonyToChatCompletion(completion);
      gateway.harmonyToResponse(completion);
      gateway.chatCompletionsToHarmony({ messages: [{ role: 'user', content: words }] });
    }
  },
  /**
   * Async calls on huge inputs without a pre-token break (the tokenizer's worst case for working
   * memory), four at a time so that several libuv pool threads run them.
   */
  'async-huge': async (mbytes = 8 * scale) => {
    const letter = 'x'.repeat(mbytes * 2 ** 20);
    const results = await Promise.all([
      enc.encodeAsync(letter),
      enc.encodeAsync(`${letter}y`),
      enc.renderConversationAsync([{ role: 'user', content: letter }]),
      enc.renderConversationForCompletionAsync([{ role: 'user', content: `y${letter}` }], 'assistant'),
    ]);
    return results;
  },
};

const run = scenarios[name];
if (run === undefined) throw new Error(`unknown scenario ${name}`);
globalThis.gc();
const start = mb();
const held = { results: await run() };
const peak = mb();
held.results = undefined;
globalThis.gc();
if (name === 'async-huge') {
  // The results' and the input strings' memory goes back once the collector has run a few times.
  for (let i = 0; i < 5; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    globalThis.gc();
  }
}
console.log(JSON.stringify({ start, peak, end: mb() }));
