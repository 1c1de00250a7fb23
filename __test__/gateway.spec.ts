// The gateway toolkit: Chat Completions request → Harmony, model output → chat.completion and
// chunks (stream ≡ whole for random batch splits), recovery on malformed output, text mode.
import { describe, expect, it } from 'vitest';

import {
  HarmonyError,
  loadHarmonyEncoding,
} from '../src-ts/index.js';
import {
  ChatCompletionChunkStream,
  TextStreamParser,
  chatCompletionsToHarmony,
  foldChunks,
  harmonyToChatCompletion,
  parseText,
  type ChatCompletionChunk,
  type ChatCompletionRequest,
  type GatewayEvent,
} from '../src-ts/gateway/index.js';
import { randomSplit, rng } from './helpers/fixtures.js';

const enc = loadHarmonyEncoding();
const tokens = (text: string) => enc.encode(text, { allowedSpecial: 'all' });
const meta = { id: 'chatcmpl-test', model: 'gpt-oss-20b', created: 1_700_000_000 };

const TWO_CALLS =
  '<|channel|>analysis<|message|>Need weather for both.<|end|>' +
  '<|start|>assistant to=functions.get_weather<|channel|>commentary <|constrain|>json<|message|>{"city": "Paris"}<|call|>' +
  '<|start|>assistant to=functions.get_weather<|channel|>commentary <|constrain|>json<|message|>{"city":"Tokyo" }<|call|>';

describe('chatCompletionsToHarmony', () => {
  const request: ChatCompletionRequest = {
    model: 'gpt-oss-20b',
    reasoning_effort: 'high',
    messages: [
      { role: 'system', content: 'You are a weather bot.' },
      { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] },
      {
        role: 'assistant',
        content: null,
        reasoning_content: 'Call the tool.',
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get-weather', arguments: '{"city":"Paris"}' } }],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '{"temp":21}' },
    ],
    tools: [{ type: 'function', function: { name: 'get-weather', description: 'Current weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
    response_format: { type: 'json_schema', json_schema: { name: 'weather', description: 'A report', schema: { type: 'object' } } },
  };

  it('maps messages, tools, effort, tool calls and results into the Harmony prompt', () => {
    const { conversation, toolNames } = chatCompletionsToHarmony(request);
    expect(toolNames.toHarmony('get-weather')).toBe('get_weather');
    expect(toolNames.fromHarmony('get_weather')).toBe('get-weather');
    const json = conversation.toJSON().messages;
    expect(json.map((m) => [m.role, m.name ?? null, m.channel ?? null, m.recipient ?? null, m.content_type ?? null])).toEqual([
      ['system', null, null, null, null],
      ['developer', null, null, null, null],
      ['user', null, null, null, null],
      ['assistant', null, 'analysis', null, null],
      ['assistant', null, 'commentary', 'functions.get_weather', '<|constrain|>json'],
      ['tool', 'functions.get_weather', 'commentary', 'assistant', null],
    ]);
    const text = enc.decode(enc.renderConversationForCompletion(conversation, 'assistant'));
    expect(text).toContain('Reasoning: high');
    expect(text).toContain('# Instructions\n\nYou are a weather bot.');
    expect(text).toContain('type get_weather = (_: {\ncity?: string,\n}) => any;');
    expect(text).toContain('\n\n# Response Formats\n\n## weather\n\n// A report\n{"type":"object"}<|end|>');
    expect(text).toContain('<|start|>assistant to=functions.get_weather<|channel|>commentary <|constrain|>json<|message|>{"city":"Paris"}<|call|>');
    expect(text).toContain('<|start|>functions.get_weather to=assistant<|channel|>commentary<|message|>{"temp":21}<|end|>');
    // The pending tool round keeps its chain of thought.
    expect(text).toContain('<|channel|>analysis<|message|>Call the tool.<|end|>');
  });

  it('drops the analysis of finished turns (auto-drop) but keeps final answers', () => {
    const { conversation } = chatCompletionsToHarmony({
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', reasoning: 'old thought', content: 'Hello!' },
        { role: 'user', content: 'again' },
      ],
    });
    const text = enc.decode(enc.renderConversationForCompletion(conversation, 'assistant'));
    expect(text).not.toContain('old thought');
    expect(text).toContain('<|channel|>final<|message|>Hello!<|end|>');
  });

  it('rejects malformed requests with ERR_HARMONY_INVALID_ARGUMENT', () => {
    const bad: unknown[] = [
      null,
      { messages: 'hi' },
      { messages: [{ role: 'robot', content: 'x' }] },
      { messages: [{ role: 'tool', tool_call_id: 'nope', content: 'x' }] },
      { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: {} }] }] },
      { messages: [], reasoning_effort: 'max' },
    ];
    for (const b of bad) {
      expect(() => chatCompletionsToHarmony(b as ChatCompletionRequest)).toThrow(HarmonyError);
      try {
        chatCompletionsToHarmony(b as ChatCompletionRequest);
      } catch (e) {
        expect((e as HarmonyError).code).toBe('ERR_HARMONY_INVALID_ARGUMENT');
      }
    }
  });
});

describe('harmonyToChatCompletion', () => {
  it('maps reasoning, two calls in one batch with stable indices and exact arguments', () => {
    const c = harmonyToChatCompletion(tokens(TWO_CALLS), meta);
    expect(c).toMatchObject({ id: 'chatcmpl-test', object: 'chat.completion', model: 'gpt-oss-20b', created: 1_700_000_000, recovered: [] });
    const m = c.choices[0].message;
    expect(c.choices[0].finish_reason).toBe('tool_calls');
    expect(m.content).toBeNull();
    expect(m.reasoning_content).toBe('Need weather for both.');
    expect(m.reasoning).toBe('Need weather for both.');
    expect(m.tool_calls?.map((t) => [t.function.name, t.function.arguments])).toEqual([
      ['get_weather', '{"city": "Paris"}'],
      ['get_weather', '{"city":"Tokyo" }'],
    ]);
    expect(new Set(m.tool_calls?.map((t) => t.id)).size).toBe(2);
    expect(m.tool_calls?.[0]?.id).toMatch(/^call_/);
  });

  it('gives tool names back in the caller spelling; a function call on the analysis channel stays reasoning', () => {
    const { toolNames } = chatCompletionsToHarmony({ messages: [], tools: [{ type: 'function', function: { name: 'get-time' } }] });
    const c = harmonyToChatCompletion(tokens('<|channel|>commentary to=functions.get_time <|constrain|>json<|message|>{"tz":"UTC"}<|call|>'), { toolNames });
    expect(c.choices[0].message.tool_calls?.[0]?.function).toEqual({ name: 'get-time', arguments: '{"tz":"UTC"}' });
    const a = harmonyToChatCompletion(tokens('<|channel|>analysis to=functions.get_time <|constrain|>json<|message|>{"tz":"UTC"}<|call|>'), { toolNames });
    expect(a.choices[0].message.tool_calls).toBeUndefined();
    expect(a.recovered.map((r) => r.kind)).toEqual(['call-in-analysis']);
  });

  it('finish_reason: stop for <|return|> and <|end|>, length when cut off', () => {
    expect(harmonyToChatCompletion(tokens('<|channel|>final<|message|>Hi<|return|>')).choices[0]).toMatchObject({ finish_reason: 'stop', message: { content: 'Hi' } });
    expect(harmonyToChatCompletion(tokens('<|channel|>final<|message|>Hi<|end|>')).choices[0].finish_reason).toBe('stop');
    const cut = harmonyToChatCompletion(tokens('<|channel|>analysis<|message|>Hmm<|end|><|start|>assistant<|channel|>final<|message|>The answer is'));
    expect(cut.choices[0]).toMatchObject({ finish_reason: 'length', message: { content: 'The answer is', reasoning_content: 'Hmm' } });
  });

  it('never throws on malformed output and reports each recovery', () => {
    const stray = harmonyToChatCompletion(tokens('<|channel|>final<|message|>Done.<|end|><|return|>'));
    expect(stray.choices[0]).toMatchObject({ finish_reason: 'stop', message: { content: 'Done.' } });
    expect(stray.recovered.map((r) => r.kind)).toEqual(['stray-stop-token']);

    const broken = harmonyToChatCompletion(tokens('<|channel|>final<|message|>One.<|end|><|start|>assistant oops bad header<|message|>Two.<|return|>'));
    expect(broken.choices[0].message.content).toBe('One.Two.');
    expect(broken.recovered).toMatchObject([{ kind: 'extra-header-words', detail: 'dropped 3 header words' }]);

    const dirty = harmonyToChatCompletion(tokens('<|channel|>commentary to=functions.manage_cart<|channel|>commentary <|constrain|>json<|message|>{"op":"add"}<|call|>'));
    expect(dirty.choices[0].message.tool_calls?.[0]?.function).toEqual({ name: 'manage_cart', arguments: '{"op":"add"}' });
    expect(dirty.recovered.map((r) => r.kind)).toEqual(['repeated-channel']);

    const headerEos = harmonyToChatCompletion(tokens('<|channel|>final<|message|>a<|end|><|start|>assistant<|chan'));
    expect(headerEos.choices[0]).toMatchObject({ finish_reason: 'length', message: { content: 'a' } });

    expect(() => harmonyToChatCompletion(tokens('<|channel|>final<|message|>Done.<|end|><|return|>'), { strict: true })).toThrow(/stray-stop-token/);
  });
});

describe('ChatCompletionChunkStream', () => {
  const outputs = [
    TWO_CALLS,
    '<|channel|>analysis<|message|>Think 💖 hard<|end|><|start|>assistant<|channel|>final<|message|>Answer: 42 ✓<|return|>',
    '<|channel|>final<|message|>Done.<|end|><|return|>',
    '<|channel|>final<|message|>One.<|end|><|start|>assistant oops bad header<|message|>Two.<|return|>',
    '<|channel|>analysis<|message|>Long thought<|end|><|start|>assistant<|channel|>final<|message|>The answer is',
    '<|channel|>analysis to=functions.lookup <|constrain|>json<|message|>{"q":"x"}<|call|>',
    'no header at all<|return|>',
  ];

  it('adds up to the whole result for random batch splits', () => {
    const random = rng(7);
    for (const text of outputs) {
      const all = tokens(text);
      const whole = harmonyToChatCompletion(all, meta);
      for (let round = 0; round < 20; round++) {
        const stream = new ChatCompletionChunkStream({ ...meta, includeUsage: true });
        const chunks: ChatCompletionChunk[] = [];
        for (const batch of randomSplit(Array.from(all), random)) chunks.push(...stream.push(batch));
        chunks.push(...stream.end());
        const folded = foldChunks(chunks);
        // Ids of calls are random per stream: compare the rest.
        const strip = (c: typeof whole) => JSON.parse(JSON.stringify(c, (k, v: unknown) => (k === 'id' && typeof v === 'string' && v.startsWith('call_') ? 'call' : v))) as unknown;
        expect(strip(folded)).toEqual(strip(whole));
        // Per call: the first fragment names it, later ones only carry arguments, indices never move.
        const seen = new Map<number, string>();
        for (const chunk of chunks) {
          for (const d of chunk.choices[0]?.delta.tool_calls ?? []) {
            if (d.id !== undefined) {
              expect(seen.has(d.index)).toBe(false);
              seen.set(d.index, d.id);
              expect(d.function.name).toBeTruthy();
            } else expect(seen.has(d.index)).toBe(true);
          }
        }
        expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');
        // The finish reason, then the usage chunk (no choices).
        expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe(whole.choices[0].finish_reason);
        expect(chunks.at(-1)).toMatchObject({ choices: [], usage: whole.usage });
      }
    }
  });

  it('streams a whole batch holding two calls as separate indices', () => {
    const stream = new ChatCompletionChunkStream(meta);
    const chunks = [...stream.push(tokens(TWO_CALLS)), ...stream.end()];
    const deltas = chunks.flatMap((c) => c.choices[0]!.delta.tool_calls ?? []);
    expect(deltas.map((d) => [d.index, d.function.name ?? null, d.function.arguments])).toEqual([
      [0, 'get_weather', ''],
      [0, null, '{"city": "Paris"}'],
      [1, 'get_weather', ''],
      [1, null, '{"city":"Tokyo" }'],
    ]);
  });

  it('puts a recovery on the chunk where it happened', () => {
    const all = tokens('<|channel|>final<|message|>Done.<|end|><|return|>');
    const stream = new ChatCompletionChunkStream(meta);
    const first = stream.push(all.subarray(0, all.length - 1));
    expect(first.some((c) => c.recovered)).toBe(false);
    const second = stream.push(all.subarray(all.length - 1));
    expect(second).toHaveLength(1);
    expect(second[0]!.recovered).toMatchObject([{ kind: 'stray-stop-token', tokenIndex: all.length - 1 }]);
  });
});

describe('text mode', () => {
  it('parseText gives the same messages and events as the tokens', () => {
    for (const text of [TWO_CALLS, '<|channel|>final<|message|>One.<|end|><|start|>assistant oops bad header<|message|>Two.<|return|>']) {
      const fromText = parseText(text);
      const streamed = new TextStreamParser();
      const random = rng(3);
      const chars = [...text];
      let i = 0;
      const events: GatewayEvent[] = [];
      while (i < chars.length) {
        const n = 1 + Math.floor(random() * 6);
        events.push(...streamed.push(chars.slice(i, i + n).join('')));
        i += n;
      }
      events.push(...streamed.end());
      const notDeltas = (evs: typeof events) => evs.filter((e) => e.type !== 'content-delta').map((e) => (e.type === 'message-end' ? e.message.toJSON() : e.type === 'recovered' ? { ...e, tokenIndex: 0 } : e));
      expect(notDeltas(events)).toEqual(notDeltas(fromText.events));
      expect(streamed.messages.map((m) => m.toJSON())).toEqual(fromText.messages.map((m) => m.toJSON()));
    }
  });

  it('matches the strict token parser on well-formed output', () => {
    const { messages, recovered } = parseText(TWO_CALLS);
    expect(recovered).toEqual([]);
    expect(messages.map((m) => m.toJSON())).toEqual(enc.parseMessagesFromCompletionTokens(tokens(TWO_CALLS), 'assistant').map((m) => m.toJSON()));
  });
});
