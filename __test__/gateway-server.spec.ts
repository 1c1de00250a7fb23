// The example gateway (examples/gateway) over loopback with fetch: JSON and SSE responses for
// well-formed and malformed recorded completions. It runs on the built package (dist/).
import type { Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';

import OpenAI from 'openai';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ChatCompletion, ChatCompletionChunk } from '../src-ts/gateway/index.js';
import { loadHarmonyEncoding } from '../src-ts/index.js';
import { chatCompletionsToHarmony } from '../src-ts/gateway/index.js';
// @ts-expect-error -- a plain JS example, without types
import { createGateway as createGatewayJs } from '../examples/gateway/server.mjs';
// @ts-expect-error -- a plain JS example, without types
import { recordings as recordingsJs } from '../examples/gateway/fake-model.mjs';

const createGateway = createGatewayJs as (options?: { maxBodyBytes?: number }) => Server;
const recordings = recordingsJs as { answer: string; 'two-calls': string; builtins: string };
const enc = loadHarmonyEncoding();

let server: Server;
let url: string;

beforeAll(async () => {
  server = createGateway();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat/completions`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const body = (model: string, stream = false) =>
  JSON.stringify({
    model,
    stream,
    messages: [{ role: 'user', content: 'Weather in Paris and Tokyo?' }],
    tools: [
      { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } },
      { type: 'function', function: { name: 'get-time' } },
    ],
  });

async function complete(model: string): Promise<ChatCompletion> {
  const res = await fetch(url, { method: 'POST', body: body(model), headers: { 'content-type': 'application/json' } });
  expect(res.status).toBe(200);
  return (await res.json()) as ChatCompletion;
}

async function streamChunks(model: string): Promise<ChatCompletionChunk[]> {
  const res = await fetch(url, { method: 'POST', body: body(model, true) });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/event-stream');
  const events = (await res.text()).split('\n\n').filter(Boolean);
  expect(events.at(-1)).toBe('data: [DONE]');
  return events.slice(0, -1).map((e) => JSON.parse(e.replace(/^data: /, '')) as ChatCompletionChunk);
}

function addUp(chunks: ChatCompletionChunk[]) {
  let content: string | null = null;
  let reasoning: string | null = null;
  const calls: { name: string; arguments: string }[] = [];
  for (const c of chunks) {
    const d = c.choices[0]!.delta;
    if (d.content !== undefined) content = (content ?? '') + d.content;
    if (d.reasoning_content !== undefined) reasoning = (reasoning ?? '') + d.reasoning_content;
    for (const t of d.tool_calls ?? []) {
      calls[t.index] ??= { name: t.function.name ?? '', arguments: '' };
      calls[t.index]!.arguments += t.function.arguments;
    }
  }
  return { content, reasoning, calls, finish: chunks.at(-1)!.choices[0]!.finish_reason, recovered: chunks.flatMap((c) => c.recovered ?? []) };
}

describe('example gateway', () => {
  const scenarios: [string, { content: string | null; calls: [string, string][]; finish: string; recovered: string[] }][] = [
    ['answer', { content: 'Hello! How can I help?', calls: [], finish: 'stop', recovered: [] }],
    ['two-calls', { content: null, calls: [['get_weather', '{"city":"Paris"}'], ['get_weather', '{"city":"Tokyo"}']], finish: 'tool_calls', recovered: [] }],
    ['analysis-call', { content: null, calls: [], finish: 'stop', recovered: ['call-in-analysis'] }],
    ['stray-return', { content: 'Done.', calls: [], finish: 'stop', recovered: ['stray-stop-token'] }],
    ['broken-header', { content: 'Part one.Part two.', calls: [], finish: 'stop', recovered: ['extra-header-words'] }],
    ['truncated', { content: 'The answer is', calls: [], finish: 'length', recovered: [] }],
    ['dirty-recipient', { content: null, calls: [['manage_cart', '{"op":"add"}']], finish: 'tool_calls', recovered: ['repeated-channel'] }],
  ];

  it.each(scenarios)('%s: JSON and SSE agree with the recording', async (model, want) => {
    const json = await complete(model);
    expect(json.object).toBe('chat.completion');
    const m = json.choices[0].message;
    expect(m.content).toBe(want.content);
    expect((m.tool_calls ?? []).map((t) => [t.function.name, t.function.arguments])).toEqual(want.calls);
    expect(json.choices[0].finish_reason).toBe(want.finish);
    expect(json.recovered.map((r) => r.kind)).toEqual(want.recovered);

    const chunks = await streamChunks(model);
    expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.id === chunks[0]!.id)).toBe(true);
    const sum = addUp(chunks);
    expect(sum.content).toBe(m.content);
    expect(sum.reasoning ?? undefined).toBe(m.reasoning_content);
    expect(sum.calls.map((c) => [c.name, c.arguments])).toEqual(want.calls);
    expect(sum.finish).toBe(want.finish);
    expect(sum.recovered.map((r) => r.kind)).toEqual(want.recovered);
  });

  it('answers 400 to a malformed request and 404 elsewhere', async () => {
    const bad = await fetch(url, { method: 'POST', body: JSON.stringify({ model: 'answer', messages: [{ role: 'tool', tool_call_id: 'x', content: '' }] }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/tool_call_id/);
    expect((await fetch(url.replace('/v1/chat/completions', '/nope'))).status).toBe(404);
  });

  it('reports usage: prompt tokens from the rendered prompt, reasoning tokens, the usage chunk when asked', async () => {
    const json = await complete('answer');
    const { prompt_tokens, completion_tokens, total_tokens, completion_tokens_details } = json.usage!;
    expect(prompt_tokens).toBeGreaterThan(50);
    expect(completion_tokens).toBe(enc.encode(recordings.answer, { allowedSpecial: 'all' }).length);
    expect(total_tokens).toBe(prompt_tokens + completion_tokens);
    expect(completion_tokens_details.reasoning_tokens).toBeGreaterThan(0);
    expect(completion_tokens_details.reasoning_tokens).toBeLessThan(completion_tokens);
    const withUsage = await fetch(url, { method: 'POST', body: JSON.stringify({ ...JSON.parse(body('answer', true)), stream_options: { include_usage: true } }) });
    const chunks = (await withUsage.text()).split('\n\n').filter((e) => e.startsWith('data: {')).map((e) => JSON.parse(e.slice(6)) as ChatCompletionChunk);
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: json.usage });
    expect(chunks.slice(0, -1).every((c) => c.usage === undefined)).toBe(true);
    expect((await streamChunks('answer')).some((c) => c.usage !== undefined)).toBe(false);
  });
});

/** A raw HTTP exchange over loopback: the request written in `pieces` (bytes), the whole response text. */
function raw(pieces: Uint8Array[], { delay = 0 } = {}): Promise<{ status: number; body: string }> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    socket.on('data', (d: Buffer) => received.push(d));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(received).toString('utf8');
      const [head = '', ...rest] = text.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), body: rest.join('\r\n\r\n') });
    });
    void (async () => {
      for (const piece of pieces) {
        socket.write(piece);
        if (delay) await new Promise((r) => setTimeout(r, delay));
      }
    })();
  });
}

function httpRequest(path: string, body: Uint8Array, headers: Record<string, string> = {}): Uint8Array[] {
  const head = [`POST ${path} HTTP/1.1`, 'host: 127.0.0.1', 'connection: close', `content-length: ${body.length}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  return [Buffer.from(`${head.join('\r\n')}\r\n\r\n`), body];
}

/** OpenAI's error shape. */
const errorBody = (text: string) => (JSON.parse(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1)) as { error: { message: string; type: string; param: string | null; code: string | null } }).error;

describe('example gateway: limits and bad requests', () => {
  it('refuses a body over the limit with 413, whether declared or streamed, and keeps serving', async () => {
    const small = createGateway({ maxBodyBytes: 1000 });
    await new Promise<void>((resolve) => small.listen(0, '127.0.0.1', resolve));
    const { port } = small.address() as AddressInfo;
    try {
      const big = JSON.stringify({ model: 'answer', messages: [{ role: 'user', content: 'x'.repeat(5000) }] });
      const declared = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, { method: 'POST', body: big });
      expect(declared.status).toBe(413);
      expect(((await declared.json()) as { error: { type: string; code: string } }).error).toMatchObject({ type: 'invalid_request_error', code: 'request_too_large' });
      // Chunked upload (no content-length): counted as it arrives.
      const chunked = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
        method: 'POST',
        body: new ReadableStream({ start(c) { for (let i = 0; i < 10; i++) c.enqueue(new TextEncoder().encode('x'.repeat(500))); c.close(); } }),
        duplex: 'half',
      } as RequestInit);
      expect(chunked.status).toBe(413);
      const ok = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, { method: 'POST', body: body('answer') });
      expect(ok.status).toBe(200);
    } finally {
      await new Promise<void>((resolve) => small.close(() => resolve()));
    }
  });

  it('decodes UTF-8 split across TCP chunks', async () => {
    const text = 'héllo 天気 💖';
    const bytes = Buffer.from(JSON.stringify({ model: 'answer', messages: [{ role: 'user', content: text }] }));
    const [head, payload] = httpRequest('/v1/chat/completions', bytes);
    // Cut inside every multi-byte character: one byte per write.
    const pieces = [head!, ...Array.from(payload!, (b) => Uint8Array.of(b))];
    const res = await raw(pieces, { delay: 0 });
    expect(res.status).toBe(200);
    // The prompt the gateway rendered saw the text whole: its length matches a direct render.
    const direct = enc.renderConversationForCompletion(chatCompletionsToHarmony({ messages: [{ role: 'user', content: text }] }).conversation, 'assistant');
    expect((JSON.parse(res.body.slice(res.body.indexOf('{'), res.body.lastIndexOf('}') + 1)) as ChatCompletion).usage?.prompt_tokens).toBe(direct.length);
  });

  it('answers every bad request with a 4xx in OpenAI\'s error shape', async () => {
    const post = (b: string | Uint8Array, path = '/v1/chat/completions') => raw(httpRequest(path, typeof b === 'string' ? Buffer.from(b) : b));
    const cases: [string, Promise<{ status: number; body: string }>, number, string | null][] = [
      ['"model":"constructor"', post(JSON.stringify({ model: 'constructor', messages: [] })), 404, 'model'],
      ['"model":"__proto__"', post(JSON.stringify({ model: '__proto__', input: 'hi' }), '/v1/responses'), 404, 'model'],
      ['no model', post(JSON.stringify({ messages: [] })), 400, 'model'],
      ['invalid JSON', post('{"model":'), 400, null],
      ['invalid UTF-8', post(Uint8Array.of(0x7b, 0xff, 0x7d)), 400, null],
      ['a JSON list', post('[]'), 400, null],
      ['messages as a string', post(JSON.stringify({ model: 'answer', messages: 'hi' })), 400, 'request.messages'],
      ['a deeply nested schema', post(`{"model":"answer","messages":[],"response_format":{"type":"json_schema","json_schema":{"name":"a","schema":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}}}`), 400, 'request.response_format.json_schema.schema'],
    ];
    for (const [name, pending, status, param] of cases) {
      const res = await pending;
      expect([name, res.status]).toEqual([name, status]);
      const error = errorBody(res.body);
      expect([name, typeof error.message, error.type, error.param]).toEqual([name, 'string', 'invalid_request_error', param]);
    }
    const get = await fetch(url);
    expect(get.status).toBe(405);
  });
});

describe('example gateway: the official openai client', () => {
  const client = () => new OpenAI({ baseURL: url.replace('/chat/completions', ''), apiKey: 'unused', maxRetries: 0 });
  const messages = [{ role: 'user' as const, content: 'Weather in Paris and Tokyo?' }];
  const tools = [{ type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];

  it('chat completions: non-streaming with usage', async () => {
    const completion = await client().chat.completions.create({ model: 'two-calls', messages, tools });
    expect(completion.choices[0]!.finish_reason).toBe('tool_calls');
    expect(completion.choices[0]!.message.tool_calls?.map((t) => (t.type === 'function' ? t.function.arguments : ''))).toEqual(['{"city":"Paris"}', '{"city":"Tokyo"}']);
    expect(completion.usage?.completion_tokens).toBe(enc.encode(recordings['two-calls'], { allowedSpecial: 'all' }).length);
    expect(completion.usage?.completion_tokens_details?.reasoning_tokens).toBeGreaterThan(0);
  });

  it('chat completions: streaming with the usage chunk', async () => {
    const stream = await client().chat.completions.create({ model: 'answer', messages, stream: true, stream_options: { include_usage: true } });
    let content = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      content += chunk.choices[0]?.delta.content ?? '';
      usage = chunk.usage ?? usage;
    }
    expect(content).toBe('Hello! How can I help?');
    expect(usage?.total_tokens).toBe((usage?.prompt_tokens ?? 0) + (usage?.completion_tokens ?? 0));
    expect(usage?.prompt_tokens).toBeGreaterThan(0);
  });

  it('responses: whole and streamed', async () => {
    const response = await client().responses.create({ model: 'answer', input: 'hi' });
    expect(response.output_text).toBe('Hello! How can I help?');
    expect(response.usage?.output_tokens_details.reasoning_tokens).toBeGreaterThan(0);
    const stream = await client().responses.create({ model: 'builtins', input: 'hi', stream: true });
    const types: string[] = [];
    let completed: OpenAI.Responses.Response | undefined;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.completed') completed = event.response;
    }
    expect(types[0]).toBe('response.created');
    expect(completed?.output.map((i) => i.type)).toEqual(['reasoning', 'web_search_call', 'code_interpreter_call']);
    expect(completed?.usage?.output_tokens).toBe(enc.encode(recordings.builtins, { allowedSpecial: 'all' }).length);
  });
});
