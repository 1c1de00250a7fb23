// The damaged model outputs of fixtures/gateway/damaged.jsonl (from the Harmony parser tests of
// Ollama, llama.cpp, vLLM and SGLang; format in fixtures/gateway/README.md) through the JS API:
// harmonyToChatCompletion, the chunk mapper at random splits, and the Responses mappings.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { loadHarmonyEncoding } from '../src-ts/index.js';
import {
  ChatCompletionChunkMapper,
  ResponseEventMapper,
  foldChunks,
  foldResponseEvents,
  harmonyToChatCompletion,
  harmonyToResponse,
  type ChatCompletion,
  type ChatCompletionChunk,
  type Response,
  type ResponseStreamEvent,
} from '../src-ts/gateway/index.js';
import { randomSplit, rng } from './helpers/fixtures.js';

interface DamagedCase {
  source: string;
  from: string;
  completion: string;
  expect: { content: string; reasoning: string; tool_calls: { name: string; arguments: string }[]; finish: 'stop' | 'tool_calls' | 'length'; recovered: string[] };
}

const cases = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'gateway', 'damaged.jsonl'), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as DamagedCase);

const enc = loadHarmonyEncoding();
const tokens = (text: string) => enc.encode(text, { allowedSpecial: 'all' });

/** What a Chat Completions result says, in the fixture's terms. */
function fromChat(c: ChatCompletion) {
  const m = c.choices[0].message;
  return {
    content: m.content ?? '',
    reasoning: m.reasoning_content ?? '',
    tool_calls: (m.tool_calls ?? []).map((t) => ({ name: t.function.name, arguments: t.function.arguments })),
    finish: c.choices[0].finish_reason,
    recovered: c.recovered.map((r) => r.kind),
  };
}

/** What a Responses result says, in the fixture's terms. */
function fromResponse(r: Response) {
  const calls = r.output.flatMap((i) => {
    switch (i.type) {
      case 'function_call':
        return [{ name: i.name, arguments: i.arguments }];
      case 'web_search_call':
        return [{ name: i.recipient, arguments: i.arguments }];
      case 'code_interpreter_call':
        return [{ name: 'python', arguments: i.code }];
      default:
        return [];
    }
  });
  return {
    content: r.output_text,
    reasoning: r.output.flatMap((i) => (i.type === 'reasoning' ? i.content.map((p) => p.text) : [])).join(''),
    tool_calls: calls,
    finish: r.status === 'incomplete' ? 'length' : calls.length > 0 ? 'tool_calls' : 'stop',
    recovered: r.recovered.map((x) => x.kind),
  };
}

describe('damaged model outputs (fixtures/gateway/damaged.jsonl)', () => {
  it('has cases from every serving stack', () => {
    expect(new Set(cases.map((c) => c.source))).toEqual(new Set(['ollama', 'llama.cpp', 'vllm', 'sglang', 'ours']));
  });

  for (const [i, c] of cases.entries()) {
    it(`${c.source}: ${c.from} (#${i + 1})`, () => {
      const all = tokens(c.completion);
      expect(fromChat(harmonyToChatCompletion(all))).toEqual(c.expect);
      const random = rng(i + 1);
      for (let round = 0; round < 5; round++) {
        const mapper = new ChatCompletionChunkMapper();
        const chunks: ChatCompletionChunk[] = [];
        for (const batch of randomSplit(Array.from(all), random)) chunks.push(...mapper.push(batch));
        chunks.push(...mapper.end());
        expect(fromChat(foldChunks(chunks))).toEqual(c.expect);

        const events = new ResponseEventMapper();
        const out: ResponseStreamEvent[] = [];
        for (const batch of randomSplit(Array.from(all), random)) out.push(...events.push(batch));
        out.push(...events.end());
        expect(fromResponse(foldResponseEvents(out))).toEqual(c.expect);
      }
      expect(fromResponse(harmonyToResponse(all))).toEqual(c.expect);
    });
  }
});
