// The deterministic workload of concurrency.spec.ts (used by the main thread and the workers):
// render, parse, stream, encode/decode on inputs derived from a seed, sync and async mixed.
import { rng } from './rng.mjs';

const WORDS = ['hello', 'world', '日本語', '🦊', 'Tokyo', '{"a":1}', '<|end|>', 'the', 'weather', '\n', 'é', '42'];

export async function workload(mod, seed) {
  const { loadHarmonyEncoding, Conversation, Message, StreamableParser } = mod;
  const enc = loadHarmonyEncoding();
  const random = rng(seed);
  const text = (n) => Array.from({ length: n }, () => WORDS[Math.floor(random() * WORDS.length)]).join(' ');
  const out = [];
  for (let i = 0; i < 40; i++) {
    const msgs = [Message.fromRoleAndContent('user', text(5 + (i % 20)))];
    for (let j = 0; j < 1 + (i % 4); j++) msgs.push(Message.fromRoleAndContent('assistant', text(10)).withChannel(j % 2 ? 'final' : 'analysis'));
    const conv = Conversation.fromMessages(msgs);
    const sync = enc.renderConversation(conv, { autoDropAnalysis: false });
    const [a, b] = await Promise.all([enc.renderConversationAsync(conv, { autoDropAnalysis: false }), enc.renderConversationForCompletionAsync(conv, 'assistant')]);
    const parsed = await enc.parseMessagesFromCompletionTokensAsync(sync, null);
    const p = new StreamableParser(enc, null);
    const events = p.processMany(sync).length;
    p.processEos();
    const t = text(30);
    const e1 = enc.encode(t, { disallowedSpecial: [] });
    const e2 = await enc.encodeAsync(t, { disallowedSpecial: [] });
    out.push({
      sync: Array.from(sync),
      async: Array.from(a),
      completion: Array.from(b),
      parsed: parsed.map((m) => m.toJSON()),
      streamed: p.messages.map((m) => m.toJSON()),
      events,
      encoded: [Array.from(e1), Array.from(e2)],
      decoded: enc.decode(e2),
    });
  }
  return out;
}
