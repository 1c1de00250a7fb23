// renderConversationForTrainingWithMask through the JS API: the tokens are renderConversationForTraining's,
// the mask covers what follows each turn's completion prompt (the Rust tests prove the definition on
// random conversations; here the binding and the options).
import { describe, expect, it } from 'vitest';

import { Conversation, HarmonyError, loadHarmonyEncoding, Message, SystemContent } from '../src-ts/index.js';

const enc = loadHarmonyEncoding();

const system = Message.fromRoleAndContent('system', SystemContent.new().withConversationStartDate('2025-06-28'));
const convo = Conversation.fromMessages([
  system,
  Message.fromRoleAndContent('user', 'hi'),
  Message.fromRoleAndContent('assistant', 'Greet.').withChannel('analysis'),
  Message.fromRoleAndContent('assistant', 'Hello!').withChannel('final'),
  Message.fromRoleAndContent('user', '2+2?'),
  Message.fromRoleAndContent('assistant', 'Add.').withChannel('analysis'),
  Message.fromRoleAndContent('assistant', '4').withChannel('final'),
]);

function maskedSpans(tokens: Uint32Array, mask: Uint8Array): string[] {
  const spans: string[] = [];
  let open: number[] | null = null;
  tokens.forEach((t, i) => {
    if (mask[i] === 1) (open ??= []).push(t);
    else if (open) {
      spans.push(enc.decodeUtf8(open));
      open = null;
    }
  });
  if (open) spans.push(enc.decodeUtf8(open));
  return spans;
}

describe('renderConversationForTrainingWithMask', () => {
  it('gives the training tokens and masks the last turn from after <|start|>assistant through <|return|>', () => {
    for (const autoDropAnalysis of [true, false]) {
      const ex = enc.renderConversationForTrainingWithMask(convo, { autoDropAnalysis });
      expect(ex.tokens).toEqual(enc.renderConversationForTraining(convo, { autoDropAnalysis }));
      expect(ex.mask).toBeInstanceOf(Uint8Array);
      expect(ex.mask.length).toBe(ex.tokens.length);
      expect(maskedSpans(ex.tokens, ex.mask)).toEqual(['<|channel|>analysis<|message|>Add.<|end|><|start|>assistant<|channel|>final<|message|>4<|return|>']);
      expect(ex.turns).toBe(2);
      expect(ex.unmasked).toEqual([{ messageIndex: 2, reason: autoDropAnalysis ? 'analysis-dropped' : 'ends-with-end' }]);
    }
  });

  it('the masked span is exactly what follows the turn prompt', () => {
    const ex = enc.renderConversationForTrainingWithMask(convo, { autoDropAnalysis: false });
    const prompt = enc.renderConversationForCompletion(convo.messages.slice(0, 5), 'assistant', { autoDropAnalysis: false });
    expect(ex.tokens.subarray(0, prompt.length)).toEqual(prompt);
    expect([...ex.mask.subarray(0, prompt.length)].every((m) => m === 0)).toBe(true);
    expect([...ex.mask.subarray(prompt.length)].every((m) => m === 1)).toBe(true);
  });

  it('lastTurnOnly considers only the last assistant turn', () => {
    const tools = Conversation.fromJSON({
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', channel: 'commentary', recipient: 'functions.f', content: '{}' },
        { role: 'tool', name: 'functions.f', channel: 'commentary', content: 'r' },
        { role: 'assistant', channel: 'final', content: 'done' },
      ],
    });
    const all = enc.renderConversationForTrainingWithMask(tools);
    const last = enc.renderConversationForTrainingWithMask(tools, { lastTurnOnly: true });
    expect(maskedSpans(all.tokens, all.mask)).toEqual([' to=functions.f<|channel|>commentary<|message|>{}<|call|>', '<|channel|>final<|message|>done<|return|>']);
    expect(maskedSpans(last.tokens, last.mask)).toEqual(['<|channel|>final<|message|>done<|return|>']);
    expect([all.turns, last.turns]).toEqual([2, 1]);
  });

  it('accepts the JSON forms and rejects bad input with a HarmonyError', () => {
    const json = JSON.stringify(convo);
    expect(enc.renderConversationForTrainingWithMask(json).tokens).toEqual(enc.renderConversationForTrainingWithMask(convo).tokens);
    expect(() => enc.renderConversationForTrainingWithMask('{"messages": 3}')).toThrow(HarmonyError);
    expect(() => enc.renderConversationForTrainingWithMask(convo, { lastTurnOnly: 'yes' as unknown as boolean })).toThrow(
      expect.objectContaining({ code: 'ERR_HARMONY_INVALID_ARGUMENT' }),
    );
  });
});
