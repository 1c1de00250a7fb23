#!/usr/bin/env node
// Soak test (issue 6, item 5): 1M mixed operations against the built package (dist/), printing
// RSS/heap at the start, every 100k operations and at the end, after a forced GC.
//   node --expose-gc scripts/soak.mjs [operations=1000000]
// Operations (round robin over a mix of sizes): render (sync and async), parse, stream
// (StreamableParser.processMany + processEos), encode/decode, error paths, and the gateway (a
// streamed chat completion, request mapping and a whole response).
import { performance } from 'node:perf_hooks';

import { ChatCompletionChunkMapper, chatCompletionsToHarmony, harmonyToResponse } from '../dist/esm/gateway/index.js';
import { Conversation, HarmonyError, Message, StreamableParser, loadHarmonyEncoding } from '../dist/esm/index.js';

const TOTAL = Number(process.argv[2] ?? 1_000_000);
const SAMPLE = Math.max(1, Math.floor(TOTAL / 10));
if (typeof globalThis.gc !== 'function') {
  console.error('run with: node --expose-gc scripts/soak.mjs');
  process.exit(2);
}

const enc = loadHarmonyEncoding();
const WORDS = ['hello', 'world', '日本語', '🦊', 'Tokyo', 'the', 'weather', 'é', '42', '{"a":1}', '<|end|>'];
let seed = 12345;
const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
const text = (n) => Array.from({ length: n }, () => WORDS[Math.floor(random() * WORDS.length)]).join(' ');

// A fixed pool of inputs of several sizes (small, medium, large), built once.
const sizes = [3, 30, 300, 3000];
const conversations = sizes.map((n) =>
  Conversation.fromMessages([
    Message.fromRoleAndContent('user', text(n)),
    Message.fromRoleAndContent('assistant', text(n)).withChannel('analysis'),
    Message.fromRoleAndContent('assistant', text(n)).withChannel('commentary').withRecipient('functions.get_weather').withContentType('<|constrain|>json'),
    Message.fromRoleAndContent('assistant', text(n)).withChannel('final'),
  ]),
);
const completions = conversations.map((c) => Array.from(enc.renderConversation(c, { autoDropAnalysis: false })).slice(2));
const texts = sizes.map((n) => text(n));

function gcAndSample(label, ops, t0) {
  globalThis.gc();
  globalThis.gc();
  const m = process.memoryUsage();
  const mb = (x) => (x / 1048576).toFixed(1);
  console.log(
    `${label.padEnd(6)} ops=${String(ops).padStart(8)}  rss=${mb(m.rss)} MB  heapUsed=${mb(m.heapUsed)} MB  external=${mb(m.external)} MB  arrayBuffers=${mb(m.arrayBuffers)} MB  t=${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  return m.rss;
}

let sink = 0;
async function op(i) {
  // Size mix: mostly small, some medium, few large (as a gateway sees).
  const r = i % 100;
  const s = r < 70 ? 0 : r < 95 ? 1 : r < 99 ? 2 : 3;
  switch (i % 10) {
    case 0:
      sink += enc.renderConversationForCompletion(conversations[s], 'assistant').length;
      break;
    case 1:
      sink += enc.parseMessagesFromCompletionTokens(completions[s], 'assistant').length;
      break;
    case 2: {
      const p = new StreamableParser(enc, 'assistant');
      const toks = completions[s];
      for (let j = 0; j < toks.length; j += 16) sink += p.processMany(toks.slice(j, j + 16)).length;
      sink += p.processEos().length + p.messages.length;
      break;
    }
    case 3:
      sink += enc.decode(enc.encode(texts[s], { disallowedSpecial: [] })).length;
      break;
    case 4:
      sink += enc.encode(texts[s].slice(0, 200), { disallowedSpecial: [] }).length + enc.countTokens(texts[s]);
      break;
    case 5:
      if (i % 64 === 5) sink += (await enc.renderConversationAsync(conversations[s])).length;
      else sink += enc.renderConversation(conversations[s]).length;
      break;
    case 6:
      if (i % 64 === 6) sink += (await enc.parseMessagesFromCompletionTokensAsync(completions[s], 'assistant')).length;
      else sink += enc.render(conversations[s].messages[3]).length;
      break;
    case 8: {
      const mapper = new ChatCompletionChunkMapper();
      const toks = completions[s];
      for (let j = 0; j < toks.length; j += 16) sink += mapper.push(toks.slice(j, j + 16)).length;
      sink += mapper.end().length;
      break;
    }
    case 9:
      sink += chatCompletionsToHarmony({ messages: [{ role: 'user', content: texts[s] }] }).conversation.length;
      sink += harmonyToResponse(completions[s]).output.length;
      break;
    default:
      // Error paths allocate native errors: they must not leak either.
      try {
        enc.parseMessagesFromCompletionTokens([200006, 1, 2, 200008], null);
      } catch (e) {
        if (!(e instanceof HarmonyError)) throw e;
        sink += 1;
      }
      try {
        enc.decode([i % 2 ? -1 : 300000]);
      } catch (e) {
        if (!(e instanceof HarmonyError)) throw e;
        sink += 1;
      }
  }
}

const t0 = performance.now();
const start = gcAndSample('start', 0, t0);
let peak = start;
for (let i = 0; i < TOTAL; i++) {
  await op(i);
  if ((i + 1) % SAMPLE === 0 && i + 1 < TOTAL) peak = Math.max(peak, gcAndSample('sample', i + 1, t0));
}
const end = gcAndSample('end', TOTAL, t0);
peak = Math.max(peak, end);
const mb = (x) => (x / 1048576).toFixed(1);
console.log(`RSS start ${mb(start)} MB, end ${mb(end)} MB, drift ${mb(end - start)} MB (${(((end - start) / start) * 100).toFixed(1)}%), peak ${mb(peak)} MB; ${(TOTAL / ((performance.now() - t0) / 1000)).toFixed(0)} ops/s (checksum ${sink})`);
