// The gateway toolkit, Responses API: request → Harmony, model output → response and streaming
// events (stream ≡ whole for random batch splits), recovery on malformed output, and the example
// gateway's /v1/responses over loopback (JSON and SSE).
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  HarmonyError,
  loadHarmonyEncoding,
} from '../src-ts/index.js';
import {
  ResponseEventStream,
  chatCompletionsToHarmony,
  foldResponseEvents,
  harmonyToResponse,
  responsesToHarmony,
  type Response,
  type ResponseOutputItem,
  type ResponseRequest,
  type ResponseStreamEvent,
} from '../src-ts/gateway/index.js';
// @ts-expect-error -- a plain JS example, without types
import { createGateway } from '../examples/gateway/server.mjs';
import { randomSplit, rng } from './helpers/fixtures.js';

const enc = loadHarmonyEncoding();
const tokens = (text: string) => enc.encode(text, { allowedSpecial: 'all' });
const render = (request: ResponseRequest) => enc.decode(enc.renderConversationForCompletion(responsesToHarmony(request).conversation, 'assistant'));
const meta = { id: 'resp_test', model: 'gpt-oss-20b', created: 1_700_000_000 };

const TWO_CALLS =
  '<|channel|>analysis<|message|>Need weather for both.<|end|>' +
  '<|start|>assistant to=functions.get_weather<|channel|>commentary <|constrain|>json<|message|>{"city": "Paris"}<|call|>' +
  '<|start|>assistant to=functions.get_weather<|channel|>commentary <|constrain|>json<|message|>{"city":"Tokyo" }<|call|>';
const BUILTINS =
  '<|channel|>analysis<|message|>Search first.<|end|>' +
  '<|start|>assistant<|channel|>analysis to=browser.search code<|message|>{"query":"gpt-oss release","topn":5}<|call|>' +
  '<|start|>assistant<|channel|>analysis to=browser.open code<|message|>{"id":3,"loc":20}<|call|>' +
  '<|start|>assistant<|channel|>analysis to=python code<|message|>print(sum(range(10)))<|call|>';

/** Item ids and call ids are random per stream: replace them by their prefix. */
const strip = (value: unknown): unknown =>
  JSON.parse(JSON.stringify(value, (k, v: unknown) => ((k === 'id' || k === 'call_id' || k === 'item_id') && typeof v === 'string' && v !== meta.id ? v.replace(/_.*/, '') : v)));

const events = (text: string, split?: () => number): ResponseStreamEvent[] => {
  const stream = new ResponseEventStream(meta);
  const out: ResponseStreamEvent[] = [];
  const all = Array.from(tokens(text));
  for (const batch of split ? randomSplit(all, split) : [all]) out.push(...stream.push(batch));
  out.push(...stream.end());
  return out;
};

const summary = (r: Response) =>
  r.output.map((item: ResponseOutputItem) => {
    switch (item.type) {
      case 'message':
      case 'reasoning':
        return [item.type, item.content.map((p) => p.text).join(''), item.status];
      case 'function_call':
        return [item.type, item.name, item.arguments, item.status];
      case 'web_search_call':
        return [item.type, item.action, item.status];
      case 'code_interpreter_call':
        return [item.type, item.code, item.status];
    }
  });

describe('responsesToHarmony', () => {
  const request: ResponseRequest = {
    model: 'gpt-oss-20b',
    instructions: 'You are a weather bot.',
    reasoning: { effort: 'high' },
    input: [
      { role: 'developer', content: 'Answer in French.' },
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Weather in Paris?' }] },
      { type: 'reasoning', id: 'rs_1', summary: [], content: [{ type: 'reasoning_text', text: 'Call the tool.' }] },
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Let me check.' }] },
      { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'get-weather', arguments: '{"city":"Paris"}' },
      { type: 'function_call_output', call_id: 'call_1', output: '{"temp":21}' },
    ],
    tools: [{ type: 'function', name: 'get-weather', description: 'Current weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }],
    text: { format: { type: 'json_schema', name: 'weather', description: 'A report', schema: { type: 'object' } } },
  };

  it('maps instructions, items, tools, effort and text.format into the Harmony prompt', () => {
    const { conversation, toolNames } = responsesToHarmony(request);
    expect(toolNames.toHarmony('get-weather')).toBe('get_weather');
    expect(conversation.toJSON().messages.map((m) => [m.role, m.name ?? null, m.channel ?? null, m.recipient ?? null, m.content_type ?? null])).toEqual([
      ['system', null, null, null, null],
      ['developer', null, null, null, null],
      ['user', null, null, null, null],
      ['assistant', null, 'analysis', null, null],
      ['assistant', null, 'commentary', null, null],
      ['assistant', null, 'commentary', 'functions.get_weather', '<|constrain|>json'],
      ['tool', 'functions.get_weather', 'commentary', 'assistant', null],
    ]);
    const text = render(request);
    expect(text).toContain('Reasoning: high');
    expect(text).toContain('# Instructions\n\nYou are a weather bot.\n\nAnswer in French.');
    expect(text).toContain('type get_weather = (_: {\ncity?: string,\n}) => any;');
    expect(text).toContain('\n\n# Response Formats\n\n## weather\n\n// A report\n{"type":"object"}<|end|>');
    expect(text).toContain('<|start|>assistant<|channel|>commentary<|message|>Let me check.<|end|>');
    expect(text).toContain('<|start|>assistant to=functions.get_weather<|channel|>commentary <|constrain|>json<|message|>{"city":"Paris"}<|call|>');
    expect(text).toContain('<|start|>functions.get_weather to=assistant<|channel|>commentary<|message|>{"temp":21}<|end|>');
    expect(text).toContain('<|channel|>analysis<|message|>Call the tool.<|end|>');
  });

  it('renders the same prompt as the equivalent Chat Completions request', () => {
    const fromChat = chatCompletionsToHarmony({
      reasoning_effort: 'high',
      messages: [
        { role: 'system', content: 'You are a weather bot.' },
        { role: 'developer', content: 'Answer in French.' },
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', reasoning_content: 'Call the tool.', content: 'Let me check.', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get-weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: '{"temp":21}' },
      ],
      tools: [{ type: 'function', function: { name: 'get-weather', description: 'Current weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
      response_format: { type: 'json_schema', json_schema: { name: 'weather', description: 'A report', schema: { type: 'object' } } },
    });
    expect(render(request)).toBe(enc.decode(enc.renderConversationForCompletion(fromChat.conversation, 'assistant')));
  });

  it('takes a string input, replays final answers, drops old analysis, and turns on browser/python', () => {
    expect(render({ input: 'hi' })).toMatch(/<\|start\|>user<\|message\|>hi<\|end\|><\|start\|>assistant$/);
    const text = render({
      input: [
        { role: 'user', content: 'hi' },
        { type: 'reasoning', summary: [{ type: 'summary_text', text: 'old thought' }] },
        { role: 'assistant', content: 'Hello!' },
        { role: 'user', content: 'search the web' },
      ],
      tools: [{ type: 'web_search' }, { type: 'code_interpreter', container: { type: 'auto' } }],
    });
    expect(text).not.toContain('old thought');
    expect(text).toContain('<|channel|>final<|message|>Hello!<|end|>');
    expect(text).toContain('## browser');
    expect(text).toContain('## python');
  });

  it('takes a previous response\'s output items back as input (stateless multi-turn)', () => {
    const first = responsesToHarmony({ input: 'Weather in Paris and Tokyo?', tools: [{ type: 'function', name: 'get-weather' }] });
    const out = harmonyToResponse(tokens(TWO_CALLS), { toolNames: first.toolNames });
    const calls = out.output.filter((i) => i.type === 'function_call');
    expect(calls.map((c) => c.name)).toEqual(['get-weather', 'get-weather']);
    const text = render({
      input: [
        { role: 'user', content: 'Weather in Paris and Tokyo?' },
        // Output items of these kinds are valid input items as they are (the types say so too).
        ...out.output.flatMap((i) => (i.type === 'web_search_call' || i.type === 'code_interpreter_call' ? [] : [i])),
        ...calls.map((c, i) => ({ type: 'function_call_output' as const, call_id: c.call_id, output: `{"temp":${20 + i}}` })),
      ],
      tools: [{ type: 'function', name: 'get-weather' }],
    });
    expect(text).toContain(
      '<|start|>assistant<|channel|>analysis<|message|>Need weather for both.<|end|>' +
        '<|start|>assistant to=functions.get_weather<|channel|>commentary <|constrain|>json<|message|>{"city": "Paris"}<|call|>' +
        '<|start|>assistant to=functions.get_weather<|channel|>commentary <|constrain|>json<|message|>{"city":"Tokyo" }<|call|>' +
        '<|start|>functions.get_weather to=assistant<|channel|>commentary<|message|>{"temp":20}<|end|>' +
        '<|start|>functions.get_weather to=assistant<|channel|>commentary<|message|>{"temp":21}<|end|>',
    );
  });

  it('rejects malformed requests with ERR_HARMONY_INVALID_ARGUMENT', () => {
    const bad: unknown[] = [
      null,
      { input: 42 },
      { input: [{ role: 'robot', content: 'x' }] },
      { input: [{ type: 'function_call_output', call_id: 'nope', output: 'x' }] },
      { input: [{ role: 'user', content: [{ type: 'input_image', image_url: 'x' }] }] },
      { input: [{ type: 'item_reference', id: 'x' }] },
      { input: 'x', reasoning: { effort: 'max' } },
      { input: 'x', tools: [{ type: 'file_search' }] },
      { input: 'x', text: { format: { type: 'json_schema' } } },
    ];
    for (const b of bad) {
      let error: unknown;
      try {
        responsesToHarmony(b as ResponseRequest);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(HarmonyError);
      expect((error as HarmonyError).code).toBe('ERR_HARMONY_INVALID_ARGUMENT');
    }
  });
});

describe('harmonyToResponse', () => {
  it('maps reasoning and two calls in one batch to items with exact arguments', () => {
    const r = harmonyToResponse(tokens(TWO_CALLS), meta);
    expect(r).toMatchObject({ id: 'resp_test', object: 'response', model: 'gpt-oss-20b', created_at: 1_700_000_000, status: 'completed', incomplete_details: null, recovered: [] });
    expect(summary(r)).toEqual([
      ['reasoning', 'Need weather for both.', 'completed'],
      ['function_call', 'get_weather', '{"city": "Paris"}', 'completed'],
      ['function_call', 'get_weather', '{"city":"Tokyo" }', 'completed'],
    ]);
    const calls = r.output.filter((i) => i.type === 'function_call');
    expect(new Set(calls.map((c) => c.call_id)).size).toBe(2);
    expect(calls[0]).toMatchObject({ id: expect.stringMatching(/^fc_/) as unknown, call_id: expect.stringMatching(/^call_/) as unknown });
    expect(r.output[0]).toMatchObject({ id: expect.stringMatching(/^rs_/) as unknown, summary: [] });
  });

  it('gives tool names back in the caller spelling; a function call on the analysis channel stays reasoning', () => {
    const { toolNames } = responsesToHarmony({ input: 'time?', tools: [{ type: 'function', name: 'get-time' }] });
    const r = harmonyToResponse(tokens('<|channel|>commentary to=functions.get_time <|constrain|>json<|message|>{"tz":"UTC"}<|call|>'), { toolNames });
    expect(summary(r)).toEqual([['function_call', 'get-time', '{"tz":"UTC"}', 'completed']]);
    const a = harmonyToResponse(tokens('<|channel|>analysis to=functions.get_time <|constrain|>json<|message|>{"tz":"UTC"}<|call|>'), { toolNames });
    expect(summary(a)).toEqual([['reasoning', '{"tz":"UTC"}', 'completed']]);
  });

  it('maps browser calls to web_search_call and python to code_interpreter_call', () => {
    const r = harmonyToResponse(tokens(BUILTINS));
    expect(summary(r)).toEqual([
      ['reasoning', 'Search first.', 'completed'],
      ['web_search_call', { type: 'search', query: 'gpt-oss release', topn: 5 }, 'completed'],
      // A link id, not a URL: `url` is null and the id stays among the arguments.
      ['web_search_call', { type: 'open_page', url: null, id: 3, loc: 20 }, 'completed'],
      ['code_interpreter_call', 'print(sum(range(10)))', 'completed'],
    ]);
    expect(r.output[1]).toMatchObject({ recipient: 'browser.search', arguments: '{"query":"gpt-oss release","topn":5}' });
    expect(r.output[3]).toMatchObject({ container_id: '', outputs: null });
  });

  it('status: completed for <|return|>/<|end|>, incomplete (and the open item too) when cut off', () => {
    const done = harmonyToResponse(tokens('<|channel|>analysis<|message|>Hmm<|end|><|start|>assistant<|channel|>final<|message|>Hi<|return|>'));
    expect(done.status).toBe('completed');
    expect(summary(done)).toEqual([
      ['reasoning', 'Hmm', 'completed'],
      ['message', 'Hi', 'completed'],
    ]);
    expect(done.output[1]).toMatchObject({ role: 'assistant', content: [{ type: 'output_text', text: 'Hi', annotations: [] }] });
    const cut = harmonyToResponse(tokens('<|channel|>analysis<|message|>Long thought<|end|><|start|>assistant<|channel|>final<|message|>The answer is'));
    expect(cut).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } });
    expect(summary(cut)).toEqual([
      ['reasoning', 'Long thought', 'completed'],
      ['message', 'The answer is', 'incomplete'],
    ]);
    const cutCall = harmonyToResponse(tokens('<|channel|>commentary to=functions.f <|constrain|>json<|message|>{"a":'));
    expect(summary(cutCall)).toEqual([['function_call', 'f', '{"a":', 'incomplete']]);
  });

  it('never throws on malformed output and reports each recovery', () => {
    const stray = harmonyToResponse(tokens('<|channel|>final<|message|>Done.<|end|><|return|>'));
    expect(stray.status).toBe('completed');
    expect(summary(stray)).toEqual([['message', 'Done.', 'completed']]);
    expect(stray.recovered.map((r) => r.kind)).toEqual(['stray-stop-token']);

    const broken = harmonyToResponse(tokens('<|channel|>final<|message|>One.<|end|><|start|>assistant oops bad header<|message|>Two.<|return|>'));
    expect(summary(broken)).toEqual([
      ['message', 'One.', 'completed'],
      ['message', 'Two.', 'completed'],
    ]);
    expect(broken.recovered).toMatchObject([{ kind: 'extra-header-words' }]);

    const dirty = harmonyToResponse(tokens('<|channel|>commentary to=functions.manage_cart<|channel|>commentary <|constrain|>json<|message|>{"op":"add"}<|call|>'));
    expect(summary(dirty)).toEqual([['function_call', 'manage_cart', '{"op":"add"}', 'completed']]);
    expect(dirty.recovered.map((r) => r.kind)).toEqual(['repeated-channel']);

    const headerEos = harmonyToResponse(tokens('<|channel|>final<|message|>a<|end|><|start|>assistant<|chan'));
    expect(headerEos.status).toBe('incomplete');
    expect(summary(headerEos)).toEqual([['message', 'a', 'completed']]);
    expect(headerEos.recovered.map((r) => r.kind)).toEqual(['header-eos']);

    expect(() => harmonyToResponse(tokens('<|channel|>final<|message|>Done.<|end|><|return|>'), { strict: true })).toThrow(/stray-stop-token/);
  });
});

describe('ResponseEventStream', () => {
  const outputs = [
    TWO_CALLS,
    BUILTINS,
    '<|channel|>analysis<|message|>Think 💖 hard<|end|><|start|>assistant<|channel|>final<|message|>Answer: 42 ✓<|return|>',
    '<|channel|>final<|message|>Done.<|end|><|return|>',
    '<|channel|>final<|message|>One.<|end|><|start|>assistant oops bad header<|message|>Two.<|return|>',
    '<|channel|>analysis<|message|>Long thought<|end|><|start|>assistant<|channel|>final<|message|>The answer is',
    '<|channel|>analysis to=functions.lookup <|constrain|>json<|message|>{"q":"x"}<|call|>',
    '<|channel|>commentary to=functions.manage_cart<|channel|>commentary <|constrain|>json<|message|>{"op":"add"}<|call|>',
    '<|channel|>final<|message|>a<|end|><|start|>assistant<|chan',
    'no header at all<|return|>',
  ];

  it('adds up to the whole result for random batch splits, with stable ids and indices', () => {
    const random = rng(11);
    for (const text of outputs) {
      const whole = harmonyToResponse(tokens(text), meta);
      for (let round = 0; round < 20; round++) {
        const evs = events(text, random);
        const folded = foldResponseEvents(evs);
        expect(strip(folded)).toEqual(strip(whole));
        // The last event carries the same response as the fold, ids included.
        const last = evs.at(-1)!;
        expect(last.type).toBe(whole.status === 'completed' ? 'response.completed' : 'response.incomplete');
        expect(last.type === 'response.completed' || last.type === 'response.incomplete' ? last.response : null).toEqual(folded);
        expect(evs.slice(0, 2).map((e) => e.type)).toEqual(['response.created', 'response.in_progress']);
        expect(evs.map((e) => e.sequence_number)).toEqual(evs.map((_, i) => i));
        // Each item: added once, then only events with its item_id and output_index, then done once.
        const items = new Map<number, { id: string; done: boolean }>();
        for (const e of evs) {
          if (e.type === 'response.output_item.added') {
            expect(items.has(e.output_index)).toBe(false);
            expect(e.output_index).toBe(items.size);
            expect(e.item.status).toBe('in_progress');
            items.set(e.output_index, { id: e.item.id, done: false });
          } else if (e.type === 'response.output_item.done') {
            const known = items.get(e.output_index)!;
            expect(known).toMatchObject({ id: e.item.id, done: false });
            known.done = true;
            expect(e.item).toEqual(folded.output[e.output_index]);
          } else if ('item_id' in e) {
            expect(items.get(e.output_index)).toEqual({ id: e.item_id, done: false });
          }
        }
        expect([...items.values()].every((i) => i.done)).toBe(true);
        expect(items.size).toBe(whole.output.length);
      }
    }
  });

  it('streams a whole batch holding two calls as separate items, arguments as deltas', () => {
    const evs = events(TWO_CALLS);
    expect(evs.map((e) => [e.type, 'output_index' in e ? e.output_index : null])).toEqual([
      ['response.created', null],
      ['response.in_progress', null],
      ['response.output_item.added', 0],
      ['response.content_part.added', 0],
      ['response.reasoning_text.delta', 0],
      ['response.reasoning_text.done', 0],
      ['response.content_part.done', 0],
      ['response.output_item.done', 0],
      ['response.output_item.added', 1],
      ['response.function_call_arguments.delta', 1],
      ['response.function_call_arguments.done', 1],
      ['response.output_item.done', 1],
      ['response.output_item.added', 2],
      ['response.function_call_arguments.delta', 2],
      ['response.function_call_arguments.done', 2],
      ['response.output_item.done', 2],
      ['response.completed', null],
    ]);
    const added = evs.flatMap((e) => (e.type === 'response.output_item.added' ? [e.item] : []));
    expect(added[1]).toMatchObject({ type: 'function_call', name: 'get_weather', arguments: '', status: 'in_progress' });
    const argDone = evs.filter((e) => e.type === 'response.function_call_arguments.done').map((e) => e.arguments);
    expect(argDone).toEqual(['{"city": "Paris"}', '{"city":"Tokyo" }']);
  });

  it('streams python code as code deltas and a web search as a whole item', () => {
    const random = rng(5);
    const evs = events(BUILTINS, random);
    const code = evs.flatMap((e) => (e.type === 'response.code_interpreter_call_code.delta' ? [e.delta] : [])).join('');
    expect(code).toBe('print(sum(range(10)))');
    expect(evs.filter((e) => e.type === 'response.web_search_call.in_progress')).toHaveLength(2);
    const searchAdded = evs.flatMap((e) => (e.type === 'response.output_item.added' && e.item.type === 'web_search_call' ? [e.item] : []));
    expect(searchAdded[0]).toMatchObject({ action: { type: 'search' }, arguments: '', recipient: 'browser.search', status: 'in_progress' });
  });

  it('puts a recovery on the event where it happened', () => {
    const all = tokens('<|channel|>final<|message|>Done.<|end|><|return|>');
    const stream = new ResponseEventStream(meta);
    const first = stream.push(all.subarray(0, all.length - 1));
    expect(first.some((e) => e.recovered)).toBe(false);
    const second = stream.push(all.subarray(all.length - 1));
    expect(second).toHaveLength(1);
    expect(second[0]).toMatchObject({ type: 'response.in_progress', recovered: [{ kind: 'stray-stop-token', tokenIndex: all.length - 1 }] });
    const last = stream.end();
    expect(last.map((e) => e.type)).toEqual(['response.completed']);
    expect(stream.end()).toEqual([]);
    expect(() => stream.push([])).toThrow(HarmonyError);

    // A broken header: the recovery rides on the recovered tail's output_item.added.
    const broken = events('<|channel|>final<|message|>One.<|end|><|start|>assistant oops bad header<|message|>Two.<|return|>');
    const carrier = broken.find((e) => e.recovered);
    expect(carrier).toMatchObject({ type: 'response.output_item.added', output_index: 1, recovered: [{ kind: 'extra-header-words' }] });
  });
});

// The example gateway's /v1/responses over loopback with fetch (it runs on the built package, dist/).
describe('example gateway: /v1/responses', () => {
  let server: Server;
  let url: string;

  beforeAll(async () => {
    server = (createGateway as () => Server)();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/responses`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const body = (model: string, stream = false) =>
    JSON.stringify({
      model,
      stream,
      instructions: 'Be brief.',
      input: [{ role: 'user', content: [{ type: 'input_text', text: 'Weather in Paris and Tokyo?' }] }],
      tools: [
        { type: 'function', name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
        { type: 'function', name: 'get-time' },
        { type: 'web_search' },
        { type: 'code_interpreter', container: { type: 'auto' } },
      ],
    } satisfies ResponseRequest);

  async function whole(model: string): Promise<Response> {
    const res = await fetch(url, { method: 'POST', body: body(model), headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    return (await res.json()) as Response;
  }

  async function streamed(model: string): Promise<ResponseStreamEvent[]> {
    const res = await fetch(url, { method: 'POST', body: body(model, true) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    return (await res.text())
      .split('\n\n')
      .filter(Boolean)
      .map((block) => {
        const [event, data] = block.split('\n');
        const parsed = JSON.parse(data!.replace(/^data: /, '')) as ResponseStreamEvent;
        expect(event).toBe(`event: ${parsed.type}`);
        return parsed;
      });
  }

  const scenarios: [string, { status: string; items: unknown[]; recovered: string[] }][] = [
    ['answer', { status: 'completed', items: [['reasoning', 'User greets. Reply briefly.', 'completed'], ['message', 'Hello! How can I help?', 'completed']], recovered: [] }],
    [
      'two-calls',
      {
        status: 'completed',
        items: [
          ['reasoning', 'Need weather for both cities.', 'completed'],
          ['function_call', 'get_weather', '{"city":"Paris"}', 'completed'],
          ['function_call', 'get_weather', '{"city":"Tokyo"}', 'completed'],
        ],
        recovered: [],
      },
    ],
    ['analysis-call', { status: 'completed', items: [['reasoning', '{"tz":"UTC"}', 'completed']], recovered: ['call-in-analysis'] }],
    ['stray-return', { status: 'completed', items: [['message', 'Done.', 'completed']], recovered: ['stray-stop-token'] }],
    [
      'broken-header',
      {
        status: 'completed',
        items: [['message', 'Part one.', 'completed'], ['message', 'Part two.', 'completed']],
        recovered: ['extra-header-words'],
      },
    ],
    ['truncated', { status: 'incomplete', items: [['reasoning', 'Long thought', 'completed'], ['message', 'The answer is', 'incomplete']], recovered: [] }],
    ['dirty-recipient', { status: 'completed', items: [['function_call', 'manage_cart', '{"op":"add"}', 'completed']], recovered: ['repeated-channel'] }],
    [
      'builtins',
      {
        status: 'completed',
        items: [
          ['reasoning', 'Search, then compute.', 'completed'],
          ['web_search_call', { type: 'search', query: 'Paris population' }, 'completed'],
          ['code_interpreter_call', 'print(2_100_000 / 105)', 'completed'],
        ],
        recovered: [],
      },
    ],
  ];

  it.each(scenarios)('%s: JSON and SSE agree with the recording', async (model, want) => {
    const json = await whole(model);
    expect(json).toMatchObject({ object: 'response', model, status: want.status });
    expect(summary(json)).toEqual(want.items);
    expect(json.recovered.map((r) => r.kind)).toEqual(want.recovered);

    const evs = await streamed(model);
    expect(evs[0]!.type).toBe('response.created');
    expect(evs.map((e) => e.sequence_number)).toEqual(evs.map((_, i) => i));
    const folded = foldResponseEvents(evs);
    // Two requests: their ids differ, and so may their created_at (a second boundary between them).
    expect(strip({ ...folded, id: '', created_at: 0 })).toEqual(strip({ ...json, id: '', created_at: 0 }));
    const last = evs.at(-1)!;
    expect(last.type).toBe(`response.${want.status}`);
    expect('response' in last ? last.response : null).toEqual(folded);
  });

  it('answers 400 to a malformed request and 404 elsewhere', async () => {
    const bad = await fetch(url, { method: 'POST', body: JSON.stringify({ model: 'answer', input: [{ type: 'function_call_output', call_id: 'x', output: '' }] }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string; param: string } }).error).toMatchObject({ message: expect.stringMatching(/call_id/) as unknown, param: 'request.input[0].call_id' });
    expect((await fetch(url, { method: 'POST', body: '{' })).status).toBe(400);
    expect((await fetch(url.replace('/v1/responses', '/v1/responses/x'), { method: 'POST', body: '{}' })).status).toBe(404);
  });
});
