// Reliability under hostile use (the public API's side; the tokenizer's worst cases are
// benchmarks, not tests): results that own their memory, memory released in long synchronous
// loops, typed errors for the caller's own exceptions, own properties only, and one HarmonyError
// across the ESM and CommonJS builds.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';

import {
  Conversation,
  DeveloperContent,
  Message,
  StreamableParser,
  SystemContent,
  ToolDescription,
  loadHarmonyEncoding,
} from '../src-ts/index.js';
import { caught } from './helpers/errors.js';
import { onWasm } from './helpers/runtime.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const enc = loadHarmonyEncoding();

describe('token arrays own their memory', () => {
  it('a transferred result disturbs no other result and no later call', () => {
    const kept = enc.encode('secret password 1234');
    const keptCopy = Array.from(kept);
    const moved = enc.encode('hello');
    const clone = structuredClone(moved, { transfer: [moved.buffer as ArrayBuffer] });
    expect(moved.length).toBe(0);
    expect(Array.from(clone)).toEqual([24912]);
    expect(Array.from(kept)).toEqual(keptCopy);
    for (let i = 0; i < 1000; i++) expect(enc.encode(`word ${i}`).length).toBeGreaterThan(0);
  });

  it('a result\'s buffer holds only its own tokens', () => {
    enc.encode('secret password 1234');
    const one = enc.encode('hello');
    expect(Array.from(new Uint32Array(one.buffer))).toEqual([24912]);
    for (const t of [enc.encodeOrdinary('a b'), enc.encode('x'.repeat(30_000)), enc.renderConversation({ messages: [] })]) {
      expect(t.buffer.byteLength).toBe(t.byteLength);
    }
  });

  it('so does every other array a call returns, sync and async', async () => {
    const conversation = [{ role: 'user' as const, content: 'x' }, { role: 'assistant' as const, channel: 'final', content: 'y' }];
    const training = enc.renderConversationForTrainingWithMask(conversation);
    const parser = new StreamableParser(enc, null);
    parser.processMany(enc.renderConversation(conversation));
    const arrays: [string, ArrayBufferView][] = [
      ['encodeAsync', await enc.encodeAsync('hello')],
      ['decodeBytes', enc.decodeBytes([24912, 2375])],
      ['render', enc.render(conversation[0]!)],
      ['renderConversationAsync', await enc.renderConversationAsync(conversation)],
      ['renderConversationForCompletion', enc.renderConversationForCompletion(conversation, 'assistant')],
      ['renderConversationForCompletionAsync', await enc.renderConversationForCompletionAsync(conversation, 'assistant')],
      ['renderConversationForTraining', enc.renderConversationForTraining(conversation)],
      ['training tokens', training.tokens],
      ['training mask', training.mask],
      ['parser.tokens', parser.tokens],
    ];
    for (const [name, t] of arrays) {
      expect(t.byteOffset, name).toBe(0);
      expect(t.buffer.byteLength, name).toBe(t.byteLength);
    }
  });

  it('results can be posted to a worker, with and without transfer', async () => {
    const a = enc.encode('hello world');
    const b = enc.encode('other text');
    const worker = new Worker('const { parentPort } = require("node:worker_threads"); parentPort.on("message", (m) => parentPort.postMessage(Array.from(m)));', { eval: true });
    const reply = (value: Uint32Array, transfer: ArrayBuffer[]) =>
      new Promise<number[]>((resolve) => {
        worker.once('message', resolve);
        worker.postMessage(value, transfer);
      });
    try {
      expect(await reply(a, [a.buffer as ArrayBuffer])).toEqual([24912, 2375]);
      expect(await reply(b, [])).toEqual(Array.from(enc.encode('other text')));
      expect(Array.from(b)).toEqual(Array.from(enc.encode('other text')));
    } finally {
      await worker.terminate();
    }
  });
});

describe('memory in long synchronous loops', () => {
  it('freed parsers release their native memory before the event loop turns', () => {
    const tokens = enc.encode('<|channel|>final<|message|>' + 'some content '.repeat(200) + '<|end|>', { allowedSpecial: 'all' });
    const start = process.memoryUsage().rss;
    for (let i = 0; i < 20_000; i++) {
      const parser = new StreamableParser(enc, 'assistant');
      parser.processMany(tokens);
      parser.free();
    }
    const grown = (process.memoryUsage().rss - start) / 2 ** 20;
    // Each parser holds its tokens and content (~8 KB here): 20k unfreed would be ~160 MB.
    expect(grown).toBeLessThan(60);
  });

  it('a freed parser refuses further use with a typed error', () => {
    const parser = new StreamableParser(enc, 'assistant');
    parser[Symbol.dispose]();
    expect(caught(() => parser.process(1)).code).toBe('ERR_HARMONY_INVALID_ARGUMENT');
    expect(caught(() => parser.state).code).toBe('ERR_HARMONY_INVALID_ARGUMENT');
    parser.free();
  });
});

/**
 * The memory scenarios of `helpers/memory-scenario.mjs`, each in a fresh process against the
 * built package; HARMONY_HEAVY=1 runs them at 4× (the sizes: 120k parses, 32 MB inputs).
 */
const heavy = process.env.HARMONY_HEAVY === '1';
function memoryScenario(name: string): { start: number; peak: number; end: number } {
  const script = join(root, '__test__', 'helpers', 'memory-scenario.mjs');
  const out = execFileSync(process.execPath, ['--expose-gc', script, name, heavy ? '4' : '1'], { cwd: root, encoding: 'utf8' });
  const figures = JSON.parse(out) as { start: number; peak: number; end: number };
  console.log(`[memory] ${name}${heavy ? ' (heavy)' : ''}: RSS ${figures.start} MB → ${figures.peak} MB after the work → ${figures.end} MB at the end`);
  return figures;
}

// Not on the WebAssembly build: its linear memory only grows (memory.grow, never a shrink), so the
// RSS of these scenarios measures the high-water mark, not what the library holds.
describe.skipIf(onWasm)('memory after long loops and huge async calls (fresh processes)', () => {
  it('long synchronous loops of parse, stream and gateway calls, in one tick', () => {
    // Growth bounds in MB (quick / heavy). Before: 120k parses held ~310 MB; the gateway's
    // streaming mappers kept each native parser until its finaliser ran (30k chat mappers:
    // +215 MB, +68 MB since end() frees it).
    const bounds: [string, number, number][] = [
      ['parse-loop', 30, 30],
      ['stream-loop', 60, 150],
      ['gateway-stream-loop', 120, 250],
      ['gateway-whole-loop', 80, 120],
    ];
    for (const [name, quick, slow] of bounds) {
      const { start, end } = memoryScenario(name);
      expect(end - start, name).toBeLessThan(heavy ? slow : quick);
    }
  });

  it('after huge async calls the libuv pool threads give their working memory back', () => {
    // Four concurrent encodeAsync / render…Async calls on 8 MB (heavy: 32 MB) of one letter,
    // one pre-token piece: the merge workspace once stayed at its high-water mark on each thread.
    // (The peak holds the inputs and results; the renders' plain messages cross without a JSON copy.)
    const { start, peak, end } = memoryScenario('async-huge');
    expect(peak - start).toBeGreaterThan(heavy ? 120 : 30);
    expect(end - start).toBeLessThan(64);
  });
});

describe("the caller's own exceptions", () => {
  it('a throwing getter or toJSON is an invalid argument carrying the exception', () => {
    const boom = new Error('boom');
    const getter = { get role() { throw boom; }, content: 'x' };
    let e = caught(() => Message.fromJSON(getter as never));
    expect(e.code).toBe('ERR_HARMONY_INVALID_ARGUMENT');
    expect(e.cause).toBe(boom);
    e = caught(() => enc.renderConversation({ messages: [{ role: 'user', content: 'x', toJSON() { throw boom; } }] } as never));
    expect(e.code).toBe('ERR_HARMONY_INVALID_ARGUMENT');
    expect(e.cause).toBe(boom);
    const tokens = { length: 2, 0: 1, get 1(): number { throw boom; } };
    e = caught(() => enc.decode(tokens));
    expect(e.code).toBe('ERR_HARMONY_INVALID_ARGUMENT');
    expect(e.cause).toBe(boom);
    e = caught(() => enc.encode('x', { get allowedSpecial(): 'all' { throw boom; } }));
    expect(e.code).toBe('ERR_HARMONY_INVALID_ARGUMENT');
    expect(e.cause).toBe(boom);
  });
});

describe('inherited properties are never read', () => {
  it('a polluted Object.prototype changes no prompt', () => {
    const build = () =>
      Conversation.fromJSON({
        messages: [
          { role: 'system', content: [SystemContent.new().toJSON()] },
          { role: 'developer', content: [DeveloperContent.new().withFunctionTools([ToolDescription.new('f', 'does f')]).toJSON()] },
          { role: 'user', content: 'hi' },
          { role: 'assistant', content: 'hello' },
        ],
      });
    const clean = Array.from(enc.renderConversationForCompletion(build(), 'assistant'));
    const cleanMessage = Message.fromJSON({ role: 'user', content: 'hi' }).toJSON();
    const proto = Object.prototype as Record<string, unknown>;
    const polluted = { channel: 'analysis', recipient: 'functions.evil', name: 'evil', content_type: 'x', model_identity: 'evil', strict: false, autoDropAnalysis: false };
    Object.assign(proto, polluted);
    try {
      expect(Array.from(enc.renderConversationForCompletion(build(), 'assistant'))).toEqual(clean);
      expect(Message.fromJSON({ role: 'user', content: 'hi' }).toJSON()).toEqual(cleanMessage);
    } finally {
      for (const key of Object.keys(polluted)) delete proto[key];
    }
  });
});

describe('one HarmonyError for both builds', () => {
  it('errors of the CommonJS build are instances of the ESM build\'s class and vice versa', () => {
    const program = `
      import { createRequire } from 'node:module';
      import * as esm from './dist/esm/index.js';
      const cjs = createRequire(import.meta.url)('./dist/cjs/index.js');
      const fail = (lib) => { try { lib.loadHarmonyEncoding().decode('x'); } catch (e) { return e; } };
      const fromCjs = fail(cjs), fromEsm = fail(esm);
      console.log(JSON.stringify([fromCjs instanceof esm.HarmonyError, fromEsm instanceof cjs.HarmonyError, fromCjs instanceof cjs.HarmonyError, new Error('x') instanceof esm.HarmonyError]));
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', program], { cwd: root, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual([true, true, true, false]);
  });

  it("the builders of one build are taken by the other's calls and builders", () => {
    // Each value built with the CommonJS build, used with the ESM build: the same tokens as the
    // same value built with the ESM build.
    const program = `
      import { createRequire } from 'node:module';
      import * as esm from './dist/esm/index.js';
      const cjs = createRequire(import.meta.url)('./dist/cjs/index.js');
      const enc = esm.loadHarmonyEncoding();
      const build = (lib) => [
        lib.Message.fromRoleAndContent('system', lib.SystemContent.new().withTools(lib.ToolNamespaceConfig.browser()).withChannelConfig(lib.ChannelConfig.requireChannels(['final']))),
        lib.Message.fromAuthorAndContent(lib.Author.new('tool', 'browser.search'), 'result'),
        lib.Message.fromRoleAndContent('developer', lib.DeveloperContent.new().withFunctionTools([lib.ToolDescription.new('f', 'does f')])),
      ];
      const tokens = (messages) => Array.from(enc.renderConversation(messages));
      const [sys, tool, dev] = build(cjs);
      const mixed = [
        esm.Message.fromRoleAndContent('system', esm.SystemContent.new().withTools(cjs.ToolNamespaceConfig.browser()).withChannelConfig(cjs.ChannelConfig.requireChannels(['final']))),
        esm.Message.fromAuthorAndContent(cjs.Author.new('tool', 'browser.search'), 'result'),
        esm.Message.fromRoleAndContent('developer', esm.DeveloperContent.new().withFunctionTools([cjs.ToolDescription.new('f', 'does f')])),
      ];
      const expected = JSON.stringify(tokens(build(esm)));
      console.log(JSON.stringify([
        JSON.stringify(tokens([sys, tool, dev])) === expected,
        JSON.stringify(tokens(cjs.Conversation.fromMessages([sys, tool, dev]))) === expected,
        JSON.stringify(tokens(esm.Conversation.fromMessages([sys, tool, dev]))) === expected,
        JSON.stringify(tokens(mixed)) === expected,
      ]));
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', program], { cwd: root, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual([true, true, true, true]);
  });
});
