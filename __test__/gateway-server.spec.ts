// The example gateway (examples/gateway) over loopback with fetch: JSON and SSE responses for
// well-formed and malformed recorded completions. It runs on the built package (dist/).
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ChatCompletion, ChatCompletionChunk } from '../src-ts/gateway/index.js';
// @ts-expect-error -- a plain JS example, without types
import { createGateway } from '../examples/gateway/server.mjs';

let server: Server;
let url: string;

beforeAll(async () => {
  server = (createGateway as () => Server)();
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
    ['analysis-call', { content: null, calls: [['get-time', '{"tz":"UTC"}']], finish: 'tool_calls', recovered: [] }],
    ['stray-return', { content: 'Done.', calls: [], finish: 'stop', recovered: ['stray-stop-token'] }],
    ['broken-header', { content: 'Part one.<|start|>assistant oops bad header<|message|>Part two.', calls: [], finish: 'stop', recovered: ['broken-header'] }],
    ['truncated', { content: 'The answer is', calls: [], finish: 'length', recovered: [] }],
    ['dirty-recipient', { content: null, calls: [['manage_cart', '{"op":"add"}']], finish: 'tool_calls', recovered: ['control-token-in-recipient'] }],
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
});
