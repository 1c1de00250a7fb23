// parseStream and HarmonyParseStream over token batches of random sizes give the same events and
// messages as StreamableParser; errors, the onError policy and early exit behave.
import { describe, expect, it } from 'vitest';

import {
  HarmonyError,
  HarmonyParseStream,
  RecoveringParser,
  StreamableParser,
  loadHarmonyEncoding,
  parseStream,
  type HarmonyEvent,
  type RecoveringEvent,
  type Role,
  type TokenChunk,
} from '../src-ts/index.js';
import { firstLine, loadCases, plainAll, plainEvents, randomSplit, rng, snapshot, type StreamCase } from './helpers/fixtures.js';

const enc = loadHarmonyEncoding();
const cases = loadCases('stream') as StreamCase[];


/** The reference run: one processMany over everything, then processEos. */
function reference(c: StreamCase): { events: HarmonyEvent[]; error?: HarmonyError } {
  const p = new StreamableParser(enc, c.role as Role | null, { strict: c.strict });
  const events: HarmonyEvent[] = [];
  for (const t of c.tokens) {
    try {
      events.push(...p.processMany([t]));
    } catch (e) {
      return { events, error: e as HarmonyError };
    }
  }
  try {
    events.push(...p.processEos());
  } catch (e) {
    return { events, error: e as HarmonyError };
  }
  return { events };
}

async function* asyncChunks(chunks: TokenChunk[]): AsyncGenerator<TokenChunk> {
  for (const c of chunks) {
    await Promise.resolve();
    yield c;
  }
}

async function collect(iter: AsyncIterable<HarmonyEvent>): Promise<{ events: HarmonyEvent[]; error?: HarmonyError }> {
  const events: HarmonyEvent[] = [];
  try {
    for await (const e of iter) events.push(e);
  } catch (e) {
    expect(e).toBeInstanceOf(HarmonyError);
    return { events, error: e as HarmonyError };
  }
  return { events };
}

function chunksFor(c: StreamCase, seed: number): TokenChunk[] {
  const random = rng(seed);
  return randomSplit(c.tokens, random, 1 + Math.floor(random() * 32)).map((chunk, i) =>
    chunk.length === 1 && i % 2 === 0 ? chunk[0]! : i % 3 === 0 ? Uint32Array.from(chunk) : chunk,
  );
}

describe('parseStream ≡ StreamableParser', () => {
  it.each(cases.map((c) => [c.id, c] as const))('%s', async (_id, c) => {
    const want = reference(c);
    for (const seed of [11, 12, 13]) {
      const chunks = chunksFor(c, seed * 1000 + c.tokens.length);
      const options = { role: c.role as Role | null, strict: c.strict, encoding: enc };
      for (const got of [await collect(parseStream(chunks, options)), await collect(parseStream(asyncChunks(chunks), options))]) {
        expect(plainEvents(got.events)).toEqual(plainEvents(want.events));
        expect(got.error?.message).toBe(want.error?.message);
        if (c.expected.error) expect(got.error?.message).toContain(firstLine(c.expected.message));
      }
    }
  });
});

describe('HarmonyParseStream ≡ StreamableParser', () => {
  it.each(cases.map((c) => [c.id, c] as const))('%s', async (_id, c) => {
    const want = reference(c);
    const chunks = chunksFor(c, 99 + c.tokens.length);
    const readable = new ReadableStream<TokenChunk>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(chunk);
        controller.close();
      },
    });
    const got = await collect(readable.pipeThrough(new HarmonyParseStream({ role: c.role as Role | null, strict: c.strict })));
    expect(plainEvents(got.events)).toEqual(plainEvents(want.events));
    expect(got.error?.message).toBe(want.error?.message);
  });
});

describe('streams', () => {
  const toks = enc.encode('<|channel|>analysis<|message|>Think.<|end|><|start|>assistant<|channel|>final<|message|>Hello!<|return|>', { allowedSpecial: 'all' });

  it('emits typed events with the channel on deltas (one delta per message per batch)', async () => {
    const events = (await collect(parseStream([toks]))).events;
    expect(events.map((e) => e.type)).toEqual([
      'message-start',
      'content-delta',
      'message-end',
      'message-start',
      'content-delta',
      'message-end',
    ]);
    const deltas = events.filter((e) => e.type === 'content-delta');
    expect(deltas.map((d) => [d.channel, d.delta])).toEqual([
      ['analysis', 'Think.'],
      ['final', 'Hello!'],
    ]);
    const perToken = (await collect(parseStream(toks))).events.filter((e) => e.type === 'content-delta');
    expect(perToken.map((d) => [d.channel, d.delta])).toEqual([
      ['analysis', 'Think'],
      ['analysis', '.'],
      ['final', 'Hello'],
      ['final', '!'],
    ]);
    const last = events.at(-1);
    expect(last?.type === 'message-end' && last.stopToken).toBe('return');
  });

  it('emits tool-call events', async () => {
    const call = enc.encode('<|start|>assistant to=functions.get_weather<|channel|>commentary <|constrain|>json<|message|>{"city":"Paris"}<|call|>', {
      allowedSpecial: 'all',
    });
    const events = (await collect(parseStream([call], { role: null }))).events;
    const tool = events.find((e) => e.type === 'tool-call');
    expect(tool).toEqual({ type: 'tool-call', recipient: 'functions.get_weather', contentType: '<|constrain|>json', arguments: '{"city":"Paris"}' });
    const start = events.find((e) => e.type === 'message-start');
    expect(start).toMatchObject({ role: 'assistant', channel: 'commentary', recipient: 'functions.get_weather', contentType: '<|constrain|>json' });
  });

  it('throws from the iterator after yielding the events before the error', async () => {
    const bad = [...enc.encode('<|channel|>final<|message|>Hi<|end|>', { allowedSpecial: 'all' }), 24912];
    const got = await collect(parseStream([bad]));
    expect(got.events.map((e) => e.type)).toEqual(['message-start', 'content-delta', 'message-end']);
    expect(got.error?.code).toBe('ERR_HARMONY_PARSE');
    expect(got.error?.tokenIndex).toBe(bad.length - 1);
  });

  it('rejects invalid chunks', async () => {
    await expect(collect(parseStream(['abc' as never]))).resolves.toMatchObject({ error: { code: 'ERR_HARMONY_INVALID_ARGUMENT' } });
    await expect(collect(parseStream([-1]))).resolves.toMatchObject({ error: { code: 'ERR_HARMONY_INVALID_TOKEN' } });
    await expect(collect(parseStream(42 as never))).resolves.toMatchObject({ error: { code: 'ERR_HARMONY_INVALID_ARGUMENT' } });
  });

  it('stops reading the source when the consumer stops early', async () => {
    let pulled = 0;
    let closed = false;
    const source = {
      [Symbol.iterator](): Iterator<number> {
        let i = 0;
        return {
          next: () => {
            pulled++;
            return i < toks.length ? { value: toks[i++]!, done: false } : { value: undefined, done: true };
          },
          return: () => {
            closed = true;
            return { value: undefined, done: true };
          },
        };
      },
    };
    for await (const e of parseStream(source)) {
      if (e.type === 'content-delta') break;
    }
    expect(closed).toBe(true);
    expect(pulled).toBeLessThan(toks.length);
  });

  it('HarmonyParseStream: terminate (default) errors the stream; a callback skips the bad token', async () => {
    const good = enc.encode('<|channel|>final<|message|>Hi<|end|>', { allowedSpecial: 'all' });
    const input = [...good, 24912, 200006, ...enc.encode('assistant<|channel|>final<|message|>Yo<|end|>', { allowedSpecial: 'all' })];
    const stream = (s: TransformStream<TokenChunk, HarmonyEvent>): Promise<{ events: HarmonyEvent[]; error?: HarmonyError }> =>
      collect(
        new ReadableStream<TokenChunk>({
          start(controller) {
            controller.enqueue(input);
            controller.close();
          },
        }).pipeThrough(s),
      );
    const terminated = await stream(new HarmonyParseStream());
    expect(terminated.error?.code).toBe('ERR_HARMONY_PARSE');
    expect(terminated.events.filter((e) => e.type === 'message-end')).toHaveLength(1);
    const errors: HarmonyError[] = [];
    const skipped = await stream(new HarmonyParseStream({ onError: (e) => errors.push(e) }));
    expect(skipped.error).toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(errors[0]!.code).toBe('ERR_HARMONY_PARSE');
    const ends = skipped.events.filter((e) => e.type === 'message-end');
    expect(ends.map((e) => e.type === 'message-end' && e.message.text)).toEqual(['Hi', 'Yo']);
  });

  it('per-token process and processMany can be mixed and keep the events right', () => {
    const p = new StreamableParser(enc, 'assistant');
    for (let i = 0; i < 4; i++) p.process(toks[i]!); // header and 'Think'
    const events = p.processMany(toks.subarray(4));
    const deltas = events.filter((e) => e.type === 'content-delta');
    expect(deltas[0]).toEqual({ type: 'content-delta', delta: '.', channel: 'analysis' });
    expect(deltas[1]).toEqual({ type: 'content-delta', delta: 'Hello!', channel: 'final' });
    expect(p.messages.map((m) => m.text)).toEqual(['Think.', 'Hello!']);
    expect(events.filter((e) => e.type === 'message-end')).toHaveLength(2);
    expect(Object.isFrozen(p.messages)).toBe(true);
    expect(p.messages).toBe(p.messages);
  });
});

describe('batches whose events outgrow the shared outline buffer', () => {
  // Each call's events cross as one string and an outline written into a buffer shared by all
  // parsers; an outline that does not fit is copied again into a larger buffer.
  const completion = Array.from({ length: 400 }, (_, i) =>
    `<|start|>assistant to=functions.f${i}<|channel|>commentary <|constrain|>json<|message|>{"i":${i},"s":"é😀"}<|call|>`,
  ).join('');
  const tokens = enc.encode(completion, { allowedSpecial: 'all' });

  it('StreamableParser: one batch ≡ one token per batch', () => {
    const whole = new StreamableParser(enc, null);
    const big = [...whole.processMany(tokens), ...whole.processEos()];
    expect(big.filter((e) => e.type === 'tool-call')).toHaveLength(400);
    const small = reference({ tokens: [...tokens], role: null, strict: true } as unknown as StreamCase);
    expect(small.error).toBeUndefined();
    expect(plainEvents(big)).toEqual(plainEvents(small.events));
    expect(plainAll(whole.messages)).toHaveLength(400);
  });

  it('RecoveringParser: one batch ≡ one token per batch ≡ the whole completion in one call', () => {
    const batched = new RecoveringParser(enc, null);
    const big = [...batched.processMany(tokens), ...batched.processEos()];
    const single = new RecoveringParser(enc, null);
    const small: RecoveringEvent[] = [];
    for (let i = 0; i < tokens.length; i++) small.push(...single.processMany(tokens.subarray(i, i + 1)));
    small.push(...single.processEos());
    const whole = RecoveringParser.parseCompletion(enc, tokens, null);
    expect(big.filter((e) => e.type === 'tool-call')).toHaveLength(400);
    expect(plainEvents(big as HarmonyEvent[])).toEqual(plainEvents(small as HarmonyEvent[]));
    expect(plainEvents(whole.events as HarmonyEvent[])).toEqual(plainEvents(big as HarmonyEvent[]));
  });
});

describe('per-token process: state read rarely ≡ state read after every token', () => {
  it('thousands of content tokens in a row without a read (the queue fills and is fed several times)', () => {
    const body = enc.encode(' hello world, and more words here'.repeat(300));
    const head = enc.encode('<|channel|>final<|message|>', { allowedSpecial: 'all' });
    const tokens = [...head, ...body, ...body, 200007];
    const queued = new StreamableParser(enc, 'assistant');
    let text = '';
    for (const t of tokens) {
      queued.process(t);
      text += queued.lastContentDelta ?? '';
    }
    const batched = new StreamableParser(enc, 'assistant');
    batched.processMany(tokens);
    expect(text).toBe(enc.decode([...body, ...body]));
    expect(snapshot(queued)).toEqual(snapshot(batched));
    expect(plainAll(queued.messages)).toEqual(plainAll(batched.messages));
    expect([...queued.tokens]).toEqual(tokens);
  });

  // `process` answers most content tokens without the native parser and feeds them before the
  // next read; reading at random points (or only at the end) must show what reading after every
  // token shows. Each case runs twice: the second run meets tokens whose text is already known.
  type Outcome = { deltas: (string | null)[]; failedAt?: number; code?: string };
  function run(c: StreamCase, read: (i: number) => boolean, seen: (i: number, p: StreamableParser) => void): Outcome {
    const p = new StreamableParser(enc, c.role as Role | null, { strict: c.strict });
    const deltas: (string | null)[] = [];
    for (let i = 0; i < c.tokens.length; i++) {
      try {
        p.process(c.tokens[i]!);
      } catch (e) {
        seen(i, p);
        return { deltas, failedAt: i, code: (e as HarmonyError).code };
      }
      deltas.push(p.lastContentDelta);
      if (read(i)) seen(i, p);
    }
    seen(c.tokens.length, p);
    return { deltas };
  }
  const full = (p: StreamableParser) => ({ ...snapshot(p), tokens: [...p.tokens], messages: plainAll(p.messages), json: p.stateJson });
  for (const round of [1, 2]) {
    it.each(cases.map((c) => [`${c.id} (run ${round})`, c] as const))('%s', (_name, c) => {
      const every = new Map<number, ReturnType<typeof full>>();
      const expected = run(c, () => true, (i, p) => every.set(i, full(p)));
      const random = rng(0x5eed + c.tokens.length * round);
      const checked: number[] = [];
      const got = run(
        c,
        () => random() < 0.1,
        (i, p) => {
          expect(full(p)).toEqual(every.get(i));
          checked.push(i);
        },
      );
      expect(got).toEqual(expected);
      expect(checked.length).toBeGreaterThan(0);
    });
  }
});
