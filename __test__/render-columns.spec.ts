// The conversation renderers take plain data in column form (fields read in JS, no JSON text)
// when they can: the result and every error must be exactly those of the same conversation
// given as its JSON text. Random plain conversations of every shape the JSON form accepts or
// rejects (fields absent, undefined, null, of the wrong type, unknown keys, content as text or
// items, system/developer content, `Message` objects mixed in, unicode everywhere) are rendered
// both ways (fast-check, fixed seed).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { Conversation, HarmonyError, loadHarmonyEncoding, Message } from '../src-ts/index.js';
import { ROLES, anyMessage, unicodeText } from './helpers/harmony-arbitraries.js';

const enc = loadHarmonyEncoding();

/** A key left out of the object (unlike a key whose value is `undefined`). */
const ABSENT = Symbol('absent');

const optionalField = fc.oneof(
  { weight: 4, arbitrary: fc.constant<unknown>(ABSENT) },
  { weight: 1, arbitrary: fc.constant<unknown>(undefined) },
  { weight: 2, arbitrary: fc.constant<unknown>(null) },
  { weight: 4, arbitrary: unicodeText as fc.Arbitrary<unknown> },
  { weight: 1, arbitrary: fc.integer() as fc.Arbitrary<unknown> },
);

const contentItem = fc.oneof(
  { weight: 8, arbitrary: unicodeText.map((text): unknown => ({ type: 'text', text })) },
  { weight: 1, arbitrary: unicodeText.map((text): unknown => ({ text, type: 'text' })) },
  { weight: 1, arbitrary: unicodeText.map((text): unknown => ({ type: 'text', text, extra: true })) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>({ type: 'text' }, { type: 'text', text: 5 }, { type: 'image', text: 'x' }, 'text', null) },
);

const content = fc.oneof(
  { weight: 3, arbitrary: unicodeText as fc.Arbitrary<unknown> },
  { weight: 6, arbitrary: fc.array(contentItem, { maxLength: 3 }) as fc.Arbitrary<unknown> },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(ABSENT, null, 7, { type: 'text', text: 'x' }) },
);

const plainMessage = fc
  .record({
    role: fc.oneof({ weight: 12, arbitrary: fc.constantFrom<unknown>(...ROLES) }, { weight: 1, arbitrary: fc.constantFrom<unknown>(ABSENT, 'User', 'bot', 3, null) }),
    name: optionalField,
    recipient: optionalField,
    channel: optionalField,
    content_type: optionalField,
    content,
    extra: fc.oneof({ weight: 12, arbitrary: fc.constant<unknown>(ABSENT) }, { weight: 1, arbitrary: fc.constantFrom<unknown>('x', 1, null, undefined) }),
  })
  .map((fields) => {
    const message: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(fields)) if (value !== ABSENT) message[key] = value;
    return message;
  });

/** A message as plain data, as a `Message` object, or as a `Message`'s `toJSON()`. */
const anyEntry = fc.oneof(
  { weight: 6, arbitrary: plainMessage as fc.Arbitrary<unknown> },
  { weight: 1, arbitrary: anyMessage as fc.Arbitrary<unknown> },
  { weight: 2, arbitrary: anyMessage.map((m): unknown => m.toJSON()) },
);

const conversation = fc
  .record({ messages: fc.array(anyEntry, { maxLength: 6 }), form: fc.constantFrom('array', 'object', 'object with extra key') })
  .map(({ messages, form }): unknown => (form === 'array' ? messages : form === 'object' ? { messages } : { messages, extra: 1 }));

/** The JSON text the renderers read for `value` (lone surrogates as U+FFFD, as they render). */
function jsonText(value: unknown): string {
  const document = Array.isArray(value) ? { messages: value } : value;
  return JSON.stringify(document, (_key, v: unknown) => (typeof v === 'string' ? v.toWellFormed() : v));
}

type Outcome = { tokens: number[] } | { code: string; message: string; field: string | undefined };

function outcome(render: () => Uint32Array): Outcome {
  try {
    return { tokens: Array.from(render()) };
  } catch (error) {
    expect(error).toBeInstanceOf(HarmonyError);
    const e = error as HarmonyError;
    return { code: e.code, message: e.message, field: e.field };
  }
}

/** `renderConversation` of any value (the tests pass shapes the types do not describe). */
const renderAny = (c: unknown): Uint32Array => enc.renderConversation(c as string);

const renderers = {
  renderConversation: (c: unknown) => enc.renderConversation(c as string),
  renderConversationForCompletion: (c: unknown) => enc.renderConversationForCompletion(c as string, 'assistant', { autoDropAnalysis: false }),
  renderConversationForTraining: (c: unknown) => enc.renderConversationForTraining(c as string),
  'renderConversationForTrainingWithMask (tokens)': (c: unknown) => enc.renderConversationForTrainingWithMask(c as string).tokens,
};

describe('plain conversations render exactly as their JSON text', () => {
  for (const [name, render] of Object.entries(renderers)) {
    it(name, () => {
      fc.assert(
        fc.property(conversation, (c) => {
          expect(outcome(() => render(c))).toEqual(outcome(() => render(jsonText(c))));
        }),
        { seed: 17, numRuns: 150 },
      );
    });
  }

  it('the async renderers too', async () => {
    await fc.assert(
      fc.asyncProperty(conversation, async (c) => {
        const settle = (p: Promise<Uint32Array>): Promise<Outcome> =>
          p.then(
            (tokens) => ({ tokens: Array.from(tokens) }),
            (e: HarmonyError) => ({ code: e.code, message: e.message, field: e.field }),
          );
        expect(await settle(enc.renderConversationAsync(c as string))).toEqual(await settle(enc.renderConversationAsync(jsonText(c))));
      }),
      { seed: 19, numRuns: 60 },
    );
  });

  it('a Conversation renders as its JSON text, every time', () => {
    fc.assert(
      fc.property(fc.array(anyMessage, { maxLength: 5 }), (messages) => {
        const c = Conversation.fromMessages(messages);
        const expected = outcome(() => enc.renderConversation(JSON.stringify(c)));
        expect(outcome(() => enc.renderConversation(c))).toEqual(expected);
        expect(outcome(() => enc.renderConversation(c))).toEqual(expected);
      }),
      { seed: 23, numRuns: 100 },
    );
  });

  it('lone surrogates render as U+FFFD, as in the JSON form', () => {
    const lone = { role: 'user', content: [{ type: 'text', text: 'a\ud800b' }], channel: '\udc00' };
    const fixed = { role: 'user', content: [{ type: 'text', text: 'a\ufffdb' }], channel: '\ufffd' };
    expect(Array.from(renderAny([lone]))).toEqual(Array.from(renderAny(JSON.stringify({ messages: [fixed] }))));
  });

  it('reads own properties only and changes nothing it is given', () => {
    const message = Object.freeze({ role: 'user', content: Object.freeze([Object.freeze({ type: 'text', text: 'hi' })]) });
    const expected = Array.from(enc.renderConversation(JSON.stringify({ messages: [message] })));
    const proto = Object.prototype as Record<string, unknown>;
    proto.channel = 'analysis';
    proto.name = 'polluted';
    try {
      expect(Array.from(renderAny(Object.freeze([message])))).toEqual(expected);
    } finally {
      delete proto.channel;
      delete proto.name;
    }
  });

  it('takes the JSON form for objects with toJSON, and reports its errors', () => {
    const withToJSON = { role: 'user', content: 'ignored', toJSON: () => ({ role: 'user', content: 'used' }) };
    expect(Array.from(renderAny([withToJSON]))).toEqual(Array.from(renderAny([Message.fromJSON({ role: 'user', content: 'used' })])));
    const bad = [{ role: 'user', content: 'x' }, { role: 'robot', content: 'y' }];
    expect(outcome(() => renderAny(bad))).toEqual(outcome(() => renderAny(jsonText(bad))));
    expect(outcome(() => renderAny(bad))).toMatchObject({ code: 'ERR_HARMONY_INVALID_ARGUMENT' });
  });
});
