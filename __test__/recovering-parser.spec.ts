// The public RecoveringParser's one-token-per-push path (answered at the border from the shared
// token-text table while the core is in own-text mode) gives exactly what one native call on
// the whole completion gives, for any text (characters split across tokens included), and
// leaves the shared table right for the strict streaming parser.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { RecoveringParser, StreamableParser, loadHarmonyEncoding, type RecoveringEvent } from '../src-ts/index.js';

const enc = loadHarmonyEncoding();

/** What events say, with consecutive deltas joined (batches merge them, single tokens do not). */
function summary(events: RecoveringEvent[]): unknown[] {
  const out: unknown[] = [];
  for (const ev of events) {
    const last = out.at(-1) as { type: string; delta: string } | undefined;
    if (ev.type === 'content-delta' && last?.type === 'content-delta') last.delta += ev.delta;
    else out.push(ev.type === 'message-end' ? { ...ev, message: ev.message.toJSON() } : { ...ev });
  }
  return out;
}

describe('RecoveringParser, one token per push', () => {
  it('equals the whole completion parsed in one call, and keeps the token-text table right', () => {
    // Common CJK characters after spaces make tokens that end inside a character (` 報` is a
    // token of a space and two of the character's three bytes, then a token of the last byte,
    // which ` 扱` ends with too); any code point otherwise.
    const alphabet = [' ', 'a', '.', '報', '扱', '告', '服', '務', '狀', '態', '變', '化', 'こ', 'と', 'で', '置', 'く', '没', '転', '否', '执', '適', '😀', 'é'];
    const text = fc.oneof(
      fc.array(fc.constantFrom(...alphabet), { maxLength: 60 }).map((chars) => chars.join('')),
      fc.string({ unit: 'binary', maxLength: 60 }),
    );
    fc.assert(
      fc.property(fc.array(text, { minLength: 1, maxLength: 4 }), (texts) => {
        const completion = texts.map((t, i) => `${i === 0 ? '' : '<|start|>assistant'}<|channel|>${i % 2 ? 'final' : 'analysis'}<|message|>${t}<|end|>`).join('');
        const tokens = enc.encode(completion, { allowedSpecial: 'all' });
        const whole = RecoveringParser.parseCompletion(enc, tokens);
        const parser = new RecoveringParser(enc, 'assistant');
        const events: RecoveringEvent[] = [];
        for (let i = 0; i < tokens.length; i++) events.push(...parser.processMany(tokens.subarray(i, i + 1)));
        events.push(...parser.processEos());
        expect(summary(events)).toEqual(summary(whole.events));
        expect(parser.reasoningTokenCount).toBe(whole.reasoningTokenCount);
        // The strict parser, per token, after the recovering one taught the shared table.
        const strict = new StreamableParser(enc, 'assistant');
        let content = '';
        for (const t of tokens) content += strict.process(t).lastContentDelta ?? '';
        expect(content).toBe(whole.messages.map((m) => m.text).join(''));
      }),
      { seed: 5150, numRuns: 150 },
    );
  });
});
