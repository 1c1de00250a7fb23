// The gpt-oss-harmony command (dist/esm/cli/main.js, built by `npm run build`): every input format
// against the library, modes and system flags, bad lines and exit codes, order across workers,
// count totals, parse round trips, the Megatron output, a closed pipe and Ctrl-C.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { chatCompletionsToHarmony } from '../src-ts/gateway/index.js';
import { renderedJson } from '../src-ts/cli/records.js';
import { Conversation, loadHarmonyEncoding } from '../src-ts/index.js';

const CLI = fileURLToPath(new URL('../dist/esm/cli/main.js', import.meta.url));
const enc = loadHarmonyEncoding();
const dir = mkdtempSync(join(tmpdir(), 'harmony-cli-'));

function cli(args: string[], input = '') {
  const r = spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'utf8', maxBuffer: 256 << 20 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, lines: r.stdout.split('\n').filter(Boolean) };
}

const harmonyRecord = {
  id: 'h1',
  messages: [
    { role: 'system', content: [{ type: 'system_content', model_identity: 'You are a test.', reasoning_effort: 'Low', knowledge_cutoff: '2024-06', channel_config: { valid_channels: ['analysis', 'final'], channel_required: true } }] },
    { role: 'user', content: 'What is 2+2?' },
    { role: 'assistant', channel: 'analysis', content: 'Add them.' },
    { role: 'assistant', channel: 'final', content: '4' },
  ],
};

const openaiRecord = {
  id: 7,
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Weather in SF?' },
    { role: 'assistant', reasoning_content: 'Call the tool.', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"SF"}' } }] },
    { role: 'tool', tool_call_id: 'c1', content: '{"sunny":true}' },
    { role: 'assistant', content: 'Sunny.' },
  ],
  tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather.', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
};

const jsonl = (...records: unknown[]) => records.map((r) => `${typeof r === 'string' ? r : JSON.stringify(r)}\n`).join('');

describe('gpt-oss-harmony render', () => {
  it('renders the reference conversation JSON as renderConversationForTraining does, with the mask', () => {
    for (const keep of [false, true]) {
      const r = cli(['render', '-q', ...(keep ? ['--keep-analysis'] : [])], jsonl(harmonyRecord));
      expect(r.status).toBe(0);
      const out = JSON.parse(r.lines[0]!);
      const ex = enc.renderConversationForTrainingWithMask({ messages: harmonyRecord.messages } as never, { autoDropAnalysis: !keep });
      expect(out.id).toBe('h1');
      expect(out.tokens).toEqual([...enc.renderConversationForTraining({ messages: harmonyRecord.messages } as never, { autoDropAnalysis: !keep })]);
      expect(out.mask).toEqual([...ex.mask]);
      expect(out.mask.some((m: number) => m === 1)).toBe(keep);
    }
  });

  it("maps OpenAI chats with the gateway's request mapper; reasoning_content, reasoning and thinking are analysis", () => {
    const mapped = chatCompletionsToHarmony(openaiRecord as never).conversation;
    const r = cli(['render', '-q', '--keep-analysis'], jsonl(openaiRecord));
    const out = JSON.parse(r.lines[0]!);
    expect(out.id).toBe(7);
    const ex = enc.renderConversationForTrainingWithMask(mapped, { autoDropAnalysis: false });
    expect(out.tokens).toEqual([...ex.tokens]);
    expect(out.mask).toEqual([...ex.mask]);
    const variants = ['reasoning', 'thinking'].map((key) => {
      const msgs = openaiRecord.messages.map((m) => {
        if (!('reasoning_content' in m)) return m;
        const { reasoning_content, ...rest } = m;
        return { ...rest, [key]: reasoning_content };
      });
      return { ...openaiRecord, messages: msgs };
    });
    const outs = cli(['render', '-q', '--keep-analysis'], jsonl(...variants)).lines.map((l) => JSON.parse(l).tokens);
    expect(outs).toEqual([out.tokens, out.tokens]);
  });

  it("reads a system_content part as the Python reference does: missing fields take SystemContent's defaults", () => {
    const bare = { messages: [{ role: 'system', content: [{ type: 'system_content' }] }, { role: 'user', content: 'hi' }] };
    const out = JSON.parse(cli(['render', '-q', '--mode', 'plain'], jsonl(bare)).lines[0]!);
    const text = enc.decodeUtf8(out.tokens);
    expect(text).toContain('You are ChatGPT, a large language model trained by OpenAI.\nKnowledge cutoff: 2024-06');
    expect(text).toContain('Reasoning: medium');
    expect(text).toContain('# Valid channels: analysis, commentary, final.');
  });

  it('completion and plain modes, and the system flags', () => {
    const convo = Conversation.fromJSON({ messages: harmonyRecord.messages } as never);
    const completion = JSON.parse(cli(['render', '-q', '--mode', 'completion'], jsonl(harmonyRecord)).lines[0]!);
    expect(completion.tokens).toEqual([...enc.renderConversationForCompletion(convo, 'assistant')]);
    expect(completion.mask).toBeUndefined();
    const plain = JSON.parse(cli(['render', '-q', '--mode', 'plain', '--keep-analysis'], jsonl(harmonyRecord)).lines[0]!);
    expect(plain.tokens).toEqual([...enc.renderConversation(convo, { autoDropAnalysis: false })]);

    const flags = ['--reasoning-effort', 'high', '--date', '2025-06-28', '--knowledge-cutoff', '2024-01', '--model-identity', 'You are X.', '--required-channels', 'analysis,final', '--browser', '--python'];
    const flagged = JSON.parse(cli(['render', '-q', '--mode', 'plain', ...flags], jsonl({ messages: [{ role: 'user', content: 'hi' }] })).lines[0]!);
    const expected = chatCompletionsToHarmony({ messages: [{ role: 'user', content: 'hi' }] }).conversation.toJSON() as unknown as { messages: { content: Record<string, unknown>[] }[] };
    const system = expected.messages[0]!.content[0]!;
    Object.assign(system, {
      reasoning_effort: 'High',
      conversation_start_date: '2025-06-28',
      knowledge_cutoff: '2024-01',
      model_identity: 'You are X.',
      channel_config: { valid_channels: ['analysis', 'final'], channel_required: true },
    });
    const withTools = enc.renderConversation(expected as never);
    const text = enc.decodeUtf8(flagged.tokens);
    expect(text).toContain('Reasoning: high');
    expect(text).toContain('Current date: 2025-06-28');
    expect(text).toContain('## browser');
    expect(text).toContain('## python');
    // Without the tools, the rest is exactly the builders' rendering.
    const noTools = JSON.parse(cli(['render', '-q', '--mode', 'plain', ...flags.slice(0, -2)], jsonl({ messages: [{ role: 'user', content: 'hi' }] })).lines[0]!);
    expect(noTools.tokens).toEqual([...withTools]);
  });

  it('gives one output or one error per line, numbered, and exits 1 when a line failed', () => {
    const input = jsonl(harmonyRecord, 'not json', '[1,2]', { messages: [{ role: 'tool', content: 'no name', channel: 'x' }] }, '', openaiRecord);
    const errors = join(dir, 'errors.jsonl');
    const r = cli(['render', '-q', '-j', '2', '--errors', errors], input);
    expect(r.status).toBe(1);
    expect(r.lines.map((l) => JSON.parse(l).id)).toEqual(['h1', 7]);
    const errs = readFileSync(errors, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(errs.map((e) => [e.line, e.code])).toEqual([
      [2, 'ERR_JSON'],
      [3, 'ERR_RECORD'],
      [4, 'ERR_HARMONY_RENDER'],
      [5, 'ERR_EMPTY_LINE'],
    ]);
    expect(r.lines.length + errs.length).toBe(6);
  });

  it('--strict stops at the first failing line, after writing the lines before it', () => {
    const r = cli(['render', '-q', '--strict', '--batch-bytes', '64'], jsonl(harmonyRecord, harmonyRecord, 'oops', harmonyRecord));
    expect(r.status).toBe(1);
    expect(r.lines).toHaveLength(2);
    expect(r.stderr).toContain('"line":3');
  });

  it('keeps input order across workers and batches', () => {
    const records = Array.from({ length: 600 }, (_, i) => ({ id: i, messages: [{ role: 'user', content: 'x'.repeat((i * 7919) % 3000) }, { role: 'assistant', content: `answer ${i}` }] }));
    const r = cli(['render', '-q', '-j', '3', '--batch-bytes', '4096'], jsonl(...records));
    expect(r.status).toBe(0);
    expect(r.lines.map((l) => JSON.parse(l).id)).toEqual(records.map((x) => x.id));
    const single = cli(['render', '-q', '-j', '1'], jsonl(...records));
    expect(single.stdout).toBe(r.stdout);
  });

  it('writes a Megatron indexed dataset: .bin tokens, .idx lengths and offsets, and the mask pair', () => {
    const prefix = join(dir, 'ds');
    const input = jsonl(harmonyRecord, 'bad', openaiRecord);
    const r = cli(['render', '-q', '--keep-analysis', '--output-format', 'megatron', '-o', prefix], input);
    expect(r.status).toBe(1);
    const expected = cli(['render', '-q', '--keep-analysis'], input).lines.map((l) => JSON.parse(l));
    for (const [suffix, key, itemSize, code] of [['', 'tokens', 4, 4], ['.mask', 'mask', 1, 1]] as const) {
      const idx = readFileSync(`${prefix}${suffix}.idx`);
      const bin = readFileSync(`${prefix}${suffix}.bin`);
      expect(idx.subarray(0, 9).toString('latin1')).toBe('MMIDIDX\0\0');
      expect(idx.readBigUInt64LE(9)).toBe(1n);
      expect(idx.readUInt8(17)).toBe(code);
      const n = Number(idx.readBigUInt64LE(18));
      expect(n).toBe(2);
      expect(Number(idx.readBigUInt64LE(26))).toBe(n + 1);
      const lengths = new Int32Array(idx.buffer.slice(idx.byteOffset + 34, idx.byteOffset + 34 + 4 * n));
      const pointers = new BigInt64Array(idx.buffer.slice(idx.byteOffset + 34 + 4 * n, idx.byteOffset + 34 + 12 * n));
      const docs = new BigInt64Array(idx.buffer.slice(idx.byteOffset + 34 + 12 * n, idx.byteOffset + 34 + 12 * n + 8 * (n + 1)));
      expect(idx.length).toBe(34 + 12 * n + 8 * (n + 1));
      expect([...docs]).toEqual([0n, 1n, 2n]);
      for (let i = 0; i < n; i++) {
        const values = expected[i][key] as number[];
        expect(lengths[i]).toBe(values.length);
        const at = Number(pointers[i]);
        const data = itemSize === 4 ? new Uint32Array(bin.buffer.slice(bin.byteOffset + at, bin.byteOffset + at + 4 * values.length)) : bin.subarray(at, at + values.length);
        expect([...data]).toEqual(values);
      }
    }
  });
});

describe('output records', () => {
  it('write token ids and masks as JSON numbers', () => {
    const tokens = Uint32Array.of(0, 9, 10, 99, 100, 200006, 201087, 4294967295);
    expect(renderedJson({ id: undefined, tokens, mask: null, unmasked: [] }, 'id')).toBe('{"tokens":[0,9,10,99,100,200006,201087,4294967295]}');
    const mask = Uint8Array.of(0, 0, 1, 1, 1, 0, 1, 0);
    expect(JSON.parse(renderedJson({ id: 'x', tokens, mask, unmasked: [] }, 'key'))).toEqual({ key: 'x', tokens: [...tokens], mask: [...mask] });
    expect(renderedJson({ id: 3, tokens: new Uint32Array(0), mask: new Uint8Array(0), unmasked: [] }, 'id')).toBe('{"id":3,"tokens":[],"mask":[]}');
  });
});

describe('gpt-oss-harmony count and parse', () => {
  it('counts tokens per record and in total, with a histogram', () => {
    const r = cli(['count', '-q'], jsonl(harmonyRecord, openaiRecord));
    const rendered = cli(['render', '-q'], jsonl(harmonyRecord, openaiRecord)).lines.map((l) => JSON.parse(l));
    expect(r.lines.map((l) => JSON.parse(l))).toEqual(
      rendered.map((x) => ({ id: x.id, tokens: x.tokens.length, trained: x.mask.filter((m: number) => m === 1).length })),
    );
    const totals = JSON.parse(cli(['count', '--totals', '--histogram'], jsonl(harmonyRecord, openaiRecord, 'bad')).stdout);
    const sizes = rendered.map((x) => x.tokens.length);
    expect(totals).toMatchObject({ records: 2, errors: 1, tokens: sizes[0] + sizes[1], min: Math.min(...sizes), max: Math.max(...sizes) });
    expect(Object.values(totals.histogram).reduce((a: number, b) => a + (b as number), 0)).toBe(2);
  });

  it('parse gives the messages back (render plain → parse), strict or lenient', () => {
    const messages = [
      { role: 'user', content: [{ type: 'text', text: 'Hi there' }] },
      { role: 'assistant', channel: 'analysis', content: [{ type: 'text', text: 'Greet.' }] },
      { role: 'assistant', channel: 'commentary', recipient: 'functions.f', content_type: '<|constrain|>json', content: [{ type: 'text', text: '{"a":1}' }] },
      { role: 'tool', name: 'functions.f', recipient: 'assistant', channel: 'commentary', content: [{ type: 'text', text: 'ok' }] },
      { role: 'assistant', channel: 'final', content: [{ type: 'text', text: 'Hello!' }] },
    ];
    const rendered = cli(['render', '-q', '--mode', 'plain', '--keep-analysis'], jsonl({ id: 'r', messages })).stdout;
    const parsed = cli(['parse', '-q'], rendered);
    expect(parsed.status).toBe(0);
    const out = JSON.parse(parsed.lines[0]!);
    expect(out.id).toBe('r');
    expect(Conversation.fromJSON({ messages: out.messages } as never).toJSON()).toEqual(Conversation.fromJSON({ messages } as never).toJSON());
    // A bare token array and the training rendering (ending with <|return|>) parse too.
    const training = JSON.parse(cli(['render', '-q', '--keep-analysis'], jsonl({ messages })).lines[0]!).tokens;
    expect(JSON.parse(cli(['parse', '-q'], `${JSON.stringify(training)}\n`).lines[0]!).messages).toEqual(out.messages);
    // A header cut short by the stop token (no <|message|>): strict fails, lenient recovers the text.
    const bad = `${JSON.stringify({ tokens: [...enc.encode('<|channel|>final Hello there<|return|>', { allowedSpecial: 'all' })] })}\n`;
    const strict = cli(['parse', '-q', '--role', 'assistant'], bad);
    expect(strict.status).toBe(1);
    expect(strict.stderr).toContain('ERR_HARMONY_PARSE');
    const lenient = cli(['parse', '-q', '--role', 'assistant', '--lenient'], bad);
    expect(lenient.status).toBe(0);
    expect(JSON.parse(lenient.lines[0]!).messages).toEqual([{ role: 'assistant', name: null, channel: 'final', content: [{ type: 'text', text: 'Hello there' }] }]);
  });
});

describe('gpt-oss-harmony as a process', () => {
  it('--help, usage errors', () => {
    expect(cli(['--help']).stdout).toContain('Usage: gpt-oss-harmony');
    expect(cli(['frobnicate']).status).toBe(2);
    expect(cli(['render', '--mode', 'nope']).status).toBe(2);
    expect(cli(['render', '--no-such-flag']).status).toBe(2);
    expect(cli(['render', join(dir, 'missing.jsonl')]).status).toBe(2);
  });

  it('reads several files in order and numbers lines per file', () => {
    const a = join(dir, 'a.jsonl');
    const b = join(dir, 'b.jsonl');
    writeFileSync(a, jsonl(harmonyRecord, 'bad'));
    writeFileSync(b, jsonl('bad', openaiRecord));
    const r = cli(['render', '-q', a, b]);
    expect(r.lines.map((l) => JSON.parse(l).id)).toEqual(['h1', 7]);
    const errs = r.stderr.trim().split('\n').map((l) => JSON.parse(l));
    expect(errs.map((e) => [e.file, e.line])).toEqual([
      [a, 2],
      [b, 1],
    ]);
  });

  it('ends quietly when the output pipe closes, and on Ctrl-C', async () => {
    const big = jsonl(...Array.from({ length: 20000 }, (_, i) => ({ id: i, messages: [{ role: 'user', content: `question ${i}` }] })));
    const file = join(dir, 'big.jsonl');
    writeFileSync(file, big);
    const closed = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [CLI, 'render', '-j', '2', file]);
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.stdout.once('data', () => child.stdout.destroy());
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(closed.code).toBe(141);
    expect(closed.stderr).toBe('');
    // Standard input left open: the run waits for more lines until interrupted.
    const interrupted = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [CLI, 'render', '-j', '2', '--batch-bytes', '1000'], { stdio: ['pipe', 'pipe', 'pipe'] });
      child.stderr.resume();
      child.stdin.write(big.slice(0, 100_000));
      child.stdout.once('data', () => child.kill('SIGINT'));
      child.stdout.resume();
      child.on('close', (code) => resolve(code));
    });
    expect(interrupted).toBe(130);
  });
});
