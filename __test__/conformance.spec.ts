// Replays every reference case of fixtures/conformance through the public JS API (the same cases
// `cargo test` runs against the core): encode/decode, render from the JSON conversations, parse,
// the per-token stream snapshots, and processMany over random splits ending in the same state.
import { describe, expect, it } from 'vitest';

import {
  Conversation,
  HarmonyError,
  Message,
  StreamableParser,
  loadHarmonyEncoding,
  type ErrorCode,
  type HarmonyEvent,
  type Role,
} from '../src-ts/index.js';
import {
  firstLine,
  loadCases,
  plainAll,
  randomSplit,
  rng,
  snapshot,
  type FixtureCase,
  type PlainMessage,
  type StreamCase,
} from './helpers/fixtures.js';

const enc = loadHarmonyEncoding('HarmonyGptOss');

/** Runs `fn`, expecting a HarmonyError with one of `codes` whose message contains the reference's. */
function expectHarmonyError(fn: () => unknown, c: FixtureCase, codes: readonly ErrorCode[]): HarmonyError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, `${c.id} should throw`).toBeInstanceOf(HarmonyError);
  const err = caught as HarmonyError;
  expect(err.message).toContain(firstLine(c.expected.message));
  expect(codes).toContain(err.code);
  return err;
}

/** The codes a parse/stream failure may carry: bad UTF-8 in a header is a UTF-8 error. */
function parseCodes(message: string | undefined): ErrorCode[] {
  return message?.startsWith('Could not decode tokens') ? ['ERR_HARMONY_UTF8', 'ERR_HARMONY_PARSE'] : ['ERR_HARMONY_PARSE'];
}

type Specials = 'all' | string[] | undefined;
const specials = (v: unknown): Specials => (v === null || v === undefined ? undefined : v === 'all' ? 'all' : (v as string[]));

describe('encode.jsonl', () => {
  const cases = loadCases('encode');
  it('has every case', () => expect(cases.length).toBe(154));
  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const x = c.expected;
    const tokens = c.tokens as number[];
    switch (c.op) {
      case 'encode': {
        const opts = { allowedSpecial: specials(c.allowed_special), disallowedSpecial: specials(c.disallowed_special) };
        if (x.error) {
          const err = expectHarmonyError(() => enc.encode(c.text as string, opts), c, ['ERR_HARMONY_DISALLOWED_SPECIAL']);
          expect(typeof err.field).toBe('string');
          return;
        }
        const got = enc.encode(c.text as string, opts);
        expect(got).toBeInstanceOf(Uint32Array);
        expect(Array.from(got)).toEqual(x.tokens);
        expect(enc.decodeUtf8(got)).toBe(x.decoded);
        // Every other route to the same tokens agrees.
        const out = new Uint32Array(got.length + 3);
        expect(enc.encodeInto(c.text as string, out, opts)).toBe(got.length);
        expect(Array.from(out.subarray(0, got.length))).toEqual(x.tokens);
        return;
      }
      case 'decode_utf8':
        if (x.error) {
          const codes: ErrorCode[] = (x.message ?? '').includes('Invalid token') ? ['ERR_HARMONY_INVALID_TOKEN'] : ['ERR_HARMONY_UTF8'];
          expectHarmonyError(() => enc.decodeUtf8(tokens), c, codes);
          return;
        }
        expect(enc.decodeUtf8(tokens)).toBe(x.text);
        expect(enc.decodeUtf8(Uint32Array.from(tokens))).toBe(x.text);
        return;
      case 'decode':
        if (x.error) {
          expectHarmonyError(() => enc.decode(tokens), c, ['ERR_HARMONY_INVALID_TOKEN']);
          expectHarmonyError(() => enc.decodeBytes(tokens), c, ['ERR_HARMONY_INVALID_TOKEN']);
          return;
        }
        expect(Buffer.from(enc.decodeBytes(tokens)).toString('hex')).toBe(x.bytes_hex);
        expect(enc.decode(tokens)).toBe(x.text);
        return;
      case 'is_special_token':
        expect(tokens.map((t) => enc.isSpecialToken(t))).toEqual(x.results);
        return;
      case 'special_tokens': {
        const want = x.special_tokens as [string, number][];
        expect(enc.specialTokens()).toEqual(want.map(([t]) => t));
        for (const [text, id] of want) {
          expect(enc.specialTokenId(text)).toBe(id);
          expect(Array.from(enc.encode(text, { allowedSpecial: 'all' }))).toEqual([id]);
        }
        return;
      }
      default:
        throw new Error(`unknown op ${String(c.op)}`);
    }
  });
});

function renderCall(c: FixtureCase): () => Uint32Array {
  const cfg = c.config as { auto_drop_analysis: boolean } | null;
  const opts = cfg === null || cfg === undefined ? undefined : { autoDropAnalysis: cfg.auto_drop_analysis };
  switch (c.op) {
    case 'render_conversation_for_completion':
      return () => enc.renderConversationForCompletion(Conversation.fromJSON(c.conversation as never), c.next_turn_role as Role, opts);
    case 'render_conversation_for_training':
      return () => enc.renderConversationForTraining(Conversation.fromJSON(c.conversation as never), opts);
    case 'render_conversation':
      return () => enc.renderConversation(Conversation.fromJSON(c.conversation as never), opts);
    case 'render': {
      const ro = c.render_options as { conversation_has_function_tools: boolean } | null;
      const ropts = ro === null || ro === undefined ? undefined : { conversationHasFunctionTools: ro.conversation_has_function_tools };
      return () => enc.render(Message.fromJSON(c.message as never), ropts);
    }
    default:
      throw new Error(`unknown op ${String(c.op)}`);
  }
}

/** The same call with the plain fixture JSON instead of builder objects. */
function renderCallPlain(c: FixtureCase): () => Uint32Array {
  const cfg = c.config as { auto_drop_analysis: boolean } | null;
  const opts = cfg === null || cfg === undefined ? undefined : { autoDropAnalysis: cfg.auto_drop_analysis };
  switch (c.op) {
    case 'render_conversation_for_completion':
      return () => enc.renderConversationForCompletion(c.conversation as never, c.next_turn_role as Role, opts);
    case 'render_conversation_for_training':
      return () => enc.renderConversationForTraining(c.conversation as never, opts);
    case 'render_conversation':
      return () => enc.renderConversation(c.conversation as never, opts);
    default: {
      const ro = c.render_options as { conversation_has_function_tools: boolean } | null;
      return () => enc.render(c.message as never, ro ? { conversationHasFunctionTools: ro.conversation_has_function_tools } : undefined);
    }
  }
}

describe('render.jsonl', () => {
  const cases = loadCases('render');
  it('has every case', () => expect(cases.length).toBe(198));
  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    if (c.expected.error) {
      expectHarmonyError(renderCall(c), c, ['ERR_HARMONY_RENDER']);
      expectHarmonyError(renderCallPlain(c), c, ['ERR_HARMONY_RENDER']);
      return;
    }
    const got = renderCall(c)();
    expect(got).toBeInstanceOf(Uint32Array);
    expect(Array.from(got)).toEqual(c.expected.tokens);
    expect(Array.from(renderCallPlain(c)())).toEqual(c.expected.tokens);
  });
});

describe('parse.jsonl', () => {
  const cases = loadCases('parse');
  it('has every case', () => expect(cases.length).toBe(127));
  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const call = (): Message[] => enc.parseMessagesFromCompletionTokens(c.tokens as number[], c.role as Role | null, { strict: c.strict as boolean });
    if (c.expected.error) {
      expectHarmonyError(call, c, parseCodes(c.expected.message));
      return;
    }
    const messages = call();
    expect(plainAll(messages)).toEqual(c.expected.messages);
    messages.forEach((m) => expect(m).toBeInstanceOf(Message));
  });
});

/** Checks what the events of a whole run say against the messages the parser completed. */
function checkEvents(events: HarmonyEvent[], messages: PlainMessage[]): void {
  const ends = events.filter((e) => e.type === 'message-end');
  expect(ends.map((e) => e.message.toJSON())).toEqual(messages);
  let open: { text: string; channel?: string; recipient?: string } | undefined;
  for (const e of events) {
    if (e.type === 'message-start') {
      expect(open).toBeUndefined();
      open = { text: '', channel: e.channel, recipient: e.recipient };
    } else if (e.type === 'content-delta') {
      expect(open).toBeDefined();
      expect(e.delta.length).toBeGreaterThan(0);
      expect(e.channel).toBe(open?.channel);
      expect(e.recipient).toBe(open?.recipient);
      open!.text += e.delta;
    } else if (e.type === 'message-end') {
      if (open) {
        // The deltas of a message add up to its content.
        expect(open.text).toBe(e.message.text);
        open = undefined;
      }
    }
  }
}

describe('stream.jsonl: token by token', () => {
  const cases = loadCases('stream') as StreamCase[];
  it('has every case', () => expect(cases.length).toBe(99));
  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const x = c.expected;
    const n = c.tokens.length;
    const failAt = x.error ? x.error_at! : -1;
    const p = new StreamableParser(enc, c.role as Role | null, { strict: c.strict });
    for (let i = 0; i < n; i++) {
      if (i === failAt) {
        const err = expectHarmonyError(() => p.process(c.tokens[i]!), c, parseCodes(x.message));
        expect(err).toBeInstanceOf(HarmonyError);
        expect(plainAll(p.messages)).toEqual(x.messages);
        return;
      }
      p.process(c.tokens[i]!);
      expect(snapshot(p), `step ${i}`).toEqual(x.steps[i]);
    }
    expect(Array.from(p.tokens)).toEqual(c.tokens);
    expect(plainAll(p.messages)).toEqual(x.messages_before_eos);
    if (failAt === n) {
      expectHarmonyError(() => p.processEos(), c, parseCodes(x.message));
      expect(plainAll(p.messages)).toEqual(x.messages);
      return;
    }
    p.processEos();
    expect(snapshot(p)).toEqual(x.eos_step);
    expect(plainAll(p.messages)).toEqual(x.messages);
  });
});

describe('stream.jsonl: processMany over random splits', () => {
  const cases = loadCases('stream') as StreamCase[];
  const SEEDS = [1, 2, 3, 4, 5, 6];
  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const x = c.expected;
    const n = c.tokens.length;
    const failAt = x.error ? x.error_at! : -1;
    for (const seed of SEEDS) {
      const p = new StreamableParser(enc, c.role as Role | null, { strict: c.strict });
      const events: HarmonyEvent[] = [];
      let consumed = 0;
      let failed = false;
      for (const chunk of randomSplit(c.tokens, rng(seed * 7919 + n), seed === 1 ? 1 : seed * 3)) {
        try {
          events.push(...p.processMany(chunk));
          consumed += chunk.length;
        } catch (e) {
          // The failure is the reference's, at the same token, and the parser holds the tokens before it.
          expect(e).toBeInstanceOf(HarmonyError);
          const err = e as HarmonyError;
          expect(err.message).toContain(firstLine(x.message));
          // tokenIndex is the failing token's position in parser.tokens, which records it (as the reference does).
          expect(err.tokenIndex).toBe(failAt);
          expect(consumed).toBeLessThanOrEqual(failAt);
          expect(p.tokens.length).toBe(failAt + 1);
          expect(plainAll(p.messages)).toEqual(x.messages);
          failed = true;
          break;
        }
        // After each batch, the state is the per-token state after its last token.
        if (consumed > 0) expect(snapshot(p), `seed ${seed} after ${consumed}`).toEqual(x.steps[consumed - 1]);
      }
      if (failed) continue;
      expect(failAt === -1 || failAt === n).toBe(true);
      expect(plainAll(p.messages)).toEqual(x.messages_before_eos);
      if (failAt === n) {
        expect(() => p.processEos()).toThrow(HarmonyError);
        continue;
      }
      events.push(...p.processEos());
      expect(snapshot(p)).toEqual(x.eos_step);
      expect(plainAll(p.messages)).toEqual(x.messages);
      checkEvents(events, x.messages);
    }
  });
});

describe('stop_tokens.jsonl', () => {
  const cases = loadCases('stop_tokens');
  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const got = c.op === 'stop_tokens' ? enc.stopTokens() : enc.stopTokensForAssistantActions();
    expect([...got].sort((a, b) => a - b)).toEqual(c.expected.tokens);
  });
});
