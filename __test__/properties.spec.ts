// Property tests (fast-check, fixed seeds): builder JSON round trip for arbitrary messages, and
// chunking invariance — any split of a completion into batches gives the same events, messages
// and final state as one batch and as per-token processing.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  Conversation,
  DeveloperContent,
  Message,
  StreamableParser,
  SystemContent,
  ToolDescription,
  loadHarmonyEncoding,
  parseStream,
  type HarmonyEvent,
  type Role,
} from '../src-ts/index.js';
import { plainEvents, snapshot } from './helpers/fixtures.js';

const enc = loadHarmonyEncoding();
const roles: Role[] = ['user', 'assistant', 'system', 'developer', 'tool'];
const word = fc.string({ minLength: 0, maxLength: 12 });
const text = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('', ' ', '日本語', '🦊🦊', '<|end|>', 'a\nb', '{"a":1}'));

const systemContent = fc
  .record({ identity: fc.option(word), effort: fc.option(fc.constantFrom('Low', 'Medium', 'High' as const)), date: fc.option(word), browser: fc.boolean() })
  .map(({ identity, effort, date, browser }) => {
    let s = new SystemContent({ modelIdentity: identity, reasoningEffort: effort, conversationStartDate: date });
    if (browser) s = s.withBrowserTool();
    return s;
  });

const developerContent = fc
  .record({ instructions: fc.option(text), tools: fc.array(fc.record({ name: word, description: text }), { maxLength: 3 }) })
  .map(({ instructions, tools }) => {
    let d = DeveloperContent.new();
    if (instructions !== null) d = d.withInstructions(instructions);
    if (tools.length > 0) d = d.withFunctionTools(tools.map((t) => ToolDescription.new(t.name, t.description, { type: 'object', properties: {} })));
    return d;
  });

const message = fc
  .record({
    role: fc.constantFrom(...roles),
    name: fc.option(word),
    contents: fc.array(fc.oneof(text, systemContent, developerContent), { minLength: 0, maxLength: 3 }),
    channel: fc.option(word),
    recipient: fc.option(word),
    contentType: fc.option(word),
  })
  .map((m) => {
    let built = Message.fromJSON({ role: m.role, name: m.name, content: [] });
    for (const c of m.contents) built = built.addingContent(c);
    if (m.channel !== null) built = built.withChannel(m.channel);
    if (m.recipient !== null) built = built.withRecipient(m.recipient);
    if (m.contentType !== null) built = built.withContentType(m.contentType);
    return built;
  });

describe('properties', () => {
  it('fromJSON(toJSON(x)) ≡ x, through JSON text too', () => {
    fc.assert(
      fc.property(fc.array(message, { maxLength: 5 }), (messages) => {
        const conv = Conversation.fromMessages(messages);
        const json = JSON.stringify(conv);
        expect(JSON.stringify(Conversation.fromJSON(json))).toBe(json);
        expect(JSON.stringify(Conversation.fromJSON(conv.toJSON()))).toBe(json);
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it('any chunking of a rendered completion gives the same events, messages and state', async () => {
    const assistant = fc.record({
      channel: fc.constantFrom('analysis', 'commentary', 'final'),
      recipient: fc.option(fc.constantFrom('functions.get_weather', 'browser.search')),
      body: text,
    });
    await fc.assert(
      fc.asyncProperty(fc.array(assistant, { minLength: 1, maxLength: 4 }), fc.array(fc.integer({ min: 0, max: 12 }), { maxLength: 40 }), async (parts, cuts) => {
        const msgs = parts.map((p) => {
          let m = Message.fromRoleAndContent('assistant', p.body).withChannel(p.channel);
          if (p.recipient !== null) m = m.withRecipient(p.recipient);
          return m;
        });
        const tokens = Array.from(enc.renderConversation(Conversation.fromMessages(msgs), { autoDropAnalysis: false })).slice(2); // after <|start|>assistant
        const whole = new StreamableParser(enc, 'assistant');
        const wholeEvents = [...whole.processMany(tokens), ...whole.processEos()];
        const perToken = new StreamableParser(enc, 'assistant');
        for (const t of tokens) perToken.process(t);
        perToken.processEos();
        const chunks: number[][] = [];
        let i = 0;
        for (const c of cuts) {
          chunks.push(tokens.slice(i, i + c));
          i += c;
        }
        chunks.push(tokens.slice(i));
        const streamed: HarmonyEvent[] = [];
        for await (const e of parseStream(chunks, { encoding: enc })) streamed.push(e);
        expect(plainEvents(streamed)).toEqual(plainEvents(wholeEvents));
        expect(snapshot(perToken)).toEqual(snapshot(whole));
        expect(perToken.messages.map((m) => m.toJSON())).toEqual(whole.messages.map((m) => m.toJSON()));
        // The parsed messages are the rendered ones (as plain text content).
        expect(whole.messages.map((m) => [m.channel, m.recipient, m.text])).toEqual(parts.map((p) => [p.channel, p.recipient, p.body]));
      }),
      { seed: 7, numRuns: 150 },
    );
  });
});
