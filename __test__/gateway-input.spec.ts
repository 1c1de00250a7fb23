// Hostile and careless requests to the gateway's request mappers: every mistake is a HarmonyError
// with ERR_HARMONY_INVALID_ARGUMENT naming the field (the caller's own exception as `cause`),
// never a RangeError/TypeError or ERR_HARMONY_INTERNAL; requests are read through own properties
// only; tool names keep their letters.
import { afterEach, describe, expect, it } from 'vitest';

import { loadHarmonyEncoding } from '../src-ts/index.js';
import { ToolNameMap, chatCompletionsToHarmony, harmonyToChatCompletion, responsesToHarmony } from '../src-ts/gateway/index.js';
import { caught } from './helpers/errors.js';

const enc = loadHarmonyEncoding();
const render = (conversation: Parameters<typeof enc.renderConversationForCompletion>[0]) => enc.decode(enc.renderConversationForCompletion(conversation, 'assistant'));
const user = { role: 'user', content: 'hi' } as const;

/** A JSON schema nested `depth` levels deep. */
function deepSchema(depth: number): Record<string, unknown> {
  let schema: Record<string, unknown> = { type: 'string' };
  for (let i = 0; i < depth; i++) schema = { type: 'object', properties: { x: schema } };
  return schema;
}

const chat = (extra: Record<string, unknown>) => () => chatCompletionsToHarmony({ messages: [user], ...extra } as never);
const responses = (extra: Record<string, unknown>) => () => responsesToHarmony({ input: 'hi', ...extra } as never);

describe('request mappers: a typed error for every caller mistake', () => {
  const cases: [string, () => unknown, string][] = [
    ['a deeply nested response_format schema', chat({ response_format: { type: 'json_schema', json_schema: { name: 'a', schema: deepSchema(100_000) } } }), 'request.response_format.json_schema.schema'],
    ['a deeply nested text.format schema', responses({ text: { format: { type: 'json_schema', name: 'a', schema: deepSchema(100_000) } } }), 'request.text.format.schema'],
    ['deeply nested tool parameters', chat({ tools: [{ type: 'function', function: { name: 'f', parameters: deepSchema(100_000) } }] }), 'request.tools[0].function.parameters'],
    ['tools as an object', chat({ tools: { type: 'function' } }), 'request.tools'],
    ['tools as a string', chat({ tools: 'get_weather' }), 'request.tools'],
    ['Responses tools as a string', responses({ tools: 'web_search' }), 'request.tools'],
    ['a numeric description', chat({ tools: [{ type: 'function', function: { name: 'f', description: 5 } }] }), 'request.tools[0].function.description'],
    ['a numeric Responses tool description', responses({ tools: [{ type: 'function', name: 'f', description: 5 }] }), 'request.tools[0].description'],
    ['a schema that is a list', chat({ tools: [{ type: 'function', function: { name: 'f', parameters: [1] } }] }), 'request.tools[0].function.parameters'],
    ['a schema holding a function', chat({ tools: [{ type: 'function', function: { name: 'f', parameters: { f: () => 1 } } }] }), 'request.tools[0].function.parameters.f'],
    ['a schema holding NaN', responses({ text: { format: { type: 'json_schema', name: 'a', schema: { max: Number.NaN } } } }), 'request.text.format.schema.max'],
    ['an unknown reasoning effort', chat({ reasoning_effort: 'minimal' }), 'request.reasoning_effort'],
    ['an image part', chat({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'x' } }] }] }), 'request.messages[0].content[0].type'],
    ['the function role', chat({ messages: [{ role: 'function', name: 'f', content: '' }] }), 'request.messages[0].role'],
    ['a custom tool', chat({ tools: [{ type: 'custom', custom: { name: 'f' } }] }), 'request.tools[0].type'],
    ['messages as an object', () => chatCompletionsToHarmony({ messages: { 0: user, length: 1 } } as never), 'request.messages'],
    ['an unknown Responses item', responses({ input: [{ type: 'computer_call', id: 'x' }] }), 'request.input[0].type'],
  ];
  for (const [name, fn, field] of cases) {
    it(name, () => {
      const error = caught(fn);
      expect(error.code).toBe('ERR_HARMONY_INVALID_ARGUMENT');
      expect(error.field).toBe(field);
    });
  }

  it('a getter of the caller that throws: the caller\'s mistake, its exception as cause', () => {
    const boom = new Error('boom');
    const message = { role: 'user', get content(): string { throw boom; } };
    const error = caught(() => chatCompletionsToHarmony({ messages: [message as never] }));
    expect(error.code).toBe('ERR_HARMONY_INVALID_ARGUMENT');
    expect(error.field).toBe('request.messages[0].content');
    expect(error.cause).toBe(boom);
    const trap = new Proxy({}, { getOwnPropertyDescriptor: () => { throw boom; } });
    const fromProxy = caught(() => responsesToHarmony(trap as never));
    expect([fromProxy.code, fromProxy.cause]).toEqual(['ERR_HARMONY_INVALID_ARGUMENT', boom]);
  });

  it('an object whose toJSON could say something else than its fields', () => {
    const message = { role: 'user', content: 'shown', toJSON: () => ({ role: 'user', content: 'sent' }) };
    expect(caught(() => chatCompletionsToHarmony({ messages: [message as never] })).field).toBe('request.messages[0]');
    const schema = { type: 'object', toJSON: () => ({ type: 'string' }) };
    expect(caught(chat({ tools: [{ type: 'function', function: { name: 'f', parameters: schema } }] })).field).toBe('request.tools[0].function.parameters');
  });
});

describe('request mappers: own properties only', () => {
  const polluted = ['messages', 'tools', 'reasoning_effort', 'response_format', 'input', 'instructions', 'text', 'reasoning', 'tool_calls', 'reasoning_content', 'type', 'role', 'content'];
  afterEach(() => {
    for (const key of polluted) delete (Object.prototype as Record<string, unknown>)[key];
    delete (Array.prototype as unknown as Record<string, unknown>)['1'];
  });

  it('a polluted Object.prototype changes no prompt', () => {
    const chatRequest = { messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }] };
    const responsesRequest = { input: [{ role: 'user', content: 'hi' }] };
    const before = [render(chatCompletionsToHarmony(chatRequest as never).conversation), render(responsesToHarmony(responsesRequest as never).conversation)];
    // Keys the mappers read (the builders' own reading is tested with the builders).
    const injected = { reasoning_effort: 'high', reasoning_content: 'evil', tool_calls: [], text: { format: { type: 'json_schema', name: 'evil' } }, reasoning: { effort: 'high' }, response_format: { type: 'json_schema', json_schema: { name: 'evil' } } };
    Object.assign(Object.prototype, injected);
    (Array.prototype as unknown as Record<string, unknown>)['1'] = { role: 'user', content: 'evil' };
    const after = [render(chatCompletionsToHarmony(chatRequest as never).conversation), render(responsesToHarmony(responsesRequest as never).conversation)];
    expect(after).toEqual(before);
    expect(after.join('')).not.toContain('evil');
  });
});

describe('tool names keep their letters', () => {
  it('leaves Unicode identifiers alone and maps only invalid characters, reversibly', () => {
    const names = new ToolNameMap();
    expect(['météo', '天気', 'get-weather', '1tool', 'search.v2', 'get_weather', 'a b'].map((n) => names.add(n))).toEqual([
      'météo',
      '天気',
      'get_weather',
      '_1tool',
      'search_v2',
      'get_weather_2',
      'a_b',
    ]);
    for (const n of ['météo', '天気', 'get-weather', '1tool', 'search.v2', 'get_weather', 'a b']) expect(names.fromHarmony(names.toHarmony(n))).toBe(n);
  });

  it('writes them into the prompt and gives them back from the completion', () => {
    const { conversation, toolNames } = chatCompletionsToHarmony({ messages: [user], tools: [{ type: 'function', function: { name: 'météo-v2' } }, { type: 'function', function: { name: '天気' } }] });
    const prompt = render(conversation);
    expect(prompt).toContain('type météo_v2 =');
    expect(prompt).toContain('type 天気 =');
    const completion = harmonyToChatCompletion(enc.encode('<|channel|>commentary to=functions.météo_v2 <|constrain|>json<|message|>{}<|call|>', { allowedSpecial: 'all' }), { toolNames });
    expect(completion.choices[0].message.tool_calls?.[0]?.function.name).toBe('météo-v2');
  });
});
