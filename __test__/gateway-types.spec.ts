// The gateway's types against the official `openai` SDK (a devDependency): its request types go
// into the mappers without casts, and the results are assignable to its response types. The
// checks are made by `tsc` (strict) when it type-checks this file; the run-time part feeds real
// output through the SDK-typed variables. Also: the entry point itself (ESM and CommonJS builds,
// one HarmonyError class) and its import graph (public API only, no cycle).
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

import type OpenAI from 'openai';
import type { ChatCompletionCreateParams, ChatCompletionCreateParamsStreaming } from 'openai/resources/chat/completions';
import type { ResponseCreateParams } from 'openai/resources/responses/responses';
import { describe, expect, it } from 'vitest';

import { loadHarmonyEncoding } from '../src-ts/index.js';
import {
  ChatCompletionChunkMapper,
  ResponseEventMapper,
  chatCompletionsToHarmony,
  harmonyToChatCompletion,
  harmonyToResponse,
  responsesToHarmony,
} from '../src-ts/gateway/index.js';

const enc = loadHarmonyEncoding();
const tokens = (text: string) => enc.encode(text, { allowedSpecial: 'all' });
const OUTPUT =
  '<|channel|>analysis<|message|>Need the weather.<|end|>' +
  '<|start|>assistant to=functions.get_weather<|channel|>commentary <|constrain|>json<|message|>{"city":"Paris"}<|call|>';

// Compile-time: every SDK request is a request here, every result here is an SDK result.
export function sdkRequestsFit(chat: ChatCompletionCreateParams, responses: ResponseCreateParams): void {
  chatCompletionsToHarmony(chat);
  responsesToHarmony(responses);
}
export function resultsFitTheSdk(mapper: ChatCompletionChunkMapper, events: ResponseEventMapper, t: Uint32Array) {
  const completion: OpenAI.ChatCompletion = harmonyToChatCompletion(t);
  const chunks: OpenAI.ChatCompletionChunk[] = mapper.push(t);
  const usage: OpenAI.CompletionUsage = mapper.usage;
  const response: OpenAI.Responses.Response = harmonyToResponse(t);
  const streamed: OpenAI.Responses.ResponseStreamEvent[] = events.push(t);
  return { completion, chunks, usage, response, streamed };
}

describe('gateway types against the openai SDK', () => {
  it('takes an SDK-typed Chat Completions request and gives SDK-typed results', () => {
    const request: ChatCompletionCreateParamsStreaming = {
      model: 'gpt-oss-20b',
      stream: true,
      stream_options: { include_usage: true },
      reasoning_effort: 'low',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] },
      ],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
    };
    const { conversation, toolNames } = chatCompletionsToHarmony(request);
    const prompt = enc.renderConversationForCompletion(conversation, 'assistant');
    const mapper = new ChatCompletionChunkMapper({ toolNames, promptTokens: prompt, includeUsage: request.stream_options?.include_usage ?? false });
    const chunks: OpenAI.ChatCompletionChunk[] = [...mapper.push(tokens(OUTPUT)), ...mapper.end()];
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toMatchObject({ prompt_tokens: prompt.length, total_tokens: prompt.length + tokens(OUTPUT).length });
    const completion: OpenAI.ChatCompletion = harmonyToChatCompletion(tokens(OUTPUT), { toolNames, promptTokens: prompt.length });
    expect(completion.choices[0]!.message.tool_calls?.[0]).toMatchObject({ type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } });
    expect(completion.usage?.completion_tokens_details?.reasoning_tokens).toBeGreaterThan(0);
  });

  it('takes an SDK-typed Responses request and gives SDK-typed results', () => {
    const request: ResponseCreateParams = {
      model: 'gpt-oss-20b',
      instructions: 'Be brief.',
      reasoning: { effort: 'medium' },
      input: [{ role: 'user', content: [{ type: 'input_text', text: 'Weather in Paris?' }] }],
      tools: [{ type: 'function', name: 'get_weather', parameters: { type: 'object' }, strict: false }, { type: 'web_search' }],
      text: { format: { type: 'json_schema', name: 'answer', schema: { type: 'object' } } },
    };
    const { toolNames } = responsesToHarmony(request);
    const response: OpenAI.Responses.Response = harmonyToResponse(tokens(OUTPUT), { toolNames, promptTokens: 100 });
    expect(response.output.map((i) => i.type)).toEqual(['reasoning', 'function_call']);
    expect(response.usage).toMatchObject({ input_tokens: 100, output_tokens: tokens(OUTPUT).length, total_tokens: 100 + tokens(OUTPUT).length });
    const mapper = new ResponseEventMapper({ toolNames });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [...mapper.push(tokens(OUTPUT)), ...mapper.end()];
    expect(events.at(-1)?.type).toBe('response.completed');
  });
});

const root = join(import.meta.dirname, '..');

describe('the gpt-oss-harmony/gateway entry point', () => {
  it('loads from the ESM and CommonJS builds, sharing the main entry\'s HarmonyError', async () => {
    // Through the package's own name, as users import it (dist/, resolved by package.json `exports`).
    const load = (specifier: string) => import(specifier) as Promise<unknown>;
    const esm = (await load('gpt-oss-harmony/gateway')) as typeof import('../src-ts/gateway/index.js');
    const main = (await load('gpt-oss-harmony')) as typeof import('../src-ts/index.js');
    const cjs = createRequire(import.meta.url)('gpt-oss-harmony/gateway') as typeof esm;
    for (const gateway of [esm, cjs]) {
      expect(typeof gateway.harmonyToChatCompletion).toBe('function');
      expect(gateway.ChatCompletionChunkStream).toBe(gateway.ChatCompletionChunkMapper);
    }
    let error: unknown;
    try {
      esm.chatCompletionsToHarmony({ messages: 'no' as never });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(main.HarmonyError);
    // The main entry no longer carries the gateway.
    expect('harmonyToChatCompletion' in main).toBe(false);
  });

  it('imports only the public API, with no cycle among its files', () => {
    const dir = join(root, 'src-ts', 'gateway');
    const graph = new Map<string, string[]>();
    for (const file of readdirSync(dir)) {
      const source = readFileSync(join(dir, file), 'utf8');
      const targets = [...source.matchAll(/^(?:import|export)[^;]*?from '([^']+)'/gms)].map((m) => m[1]!);
      for (const target of targets) expect([`${file}: ${target}`]).toEqual([`${file}: ${target.startsWith('./') || target === '../index.js' || target.startsWith('node:') ? target : 'a public import'}`]);
      graph.set(file, targets.filter((t) => t.startsWith('./')).map((t) => t.slice(2).replace(/\.js$/, '.ts')));
    }
    const visiting = new Set<string>();
    const done = new Set<string>();
    const visit = (file: string, path: string[]): void => {
      if (done.has(file)) return;
      expect(visiting.has(file), `cycle: ${[...path, file].join(' → ')}`).toBe(false);
      visiting.add(file);
      for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
      visiting.delete(file);
      done.add(file);
    };
    for (const file of graph.keys()) visit(file, []);
    expect(graph.get('openai-types.ts')).toEqual([]);
  });
});
