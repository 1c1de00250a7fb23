// Property tests through the public JS API (fast-check, fixed seeds), complementing
// properties.spec.ts (which covers the builders' JSON round trip and the chunking invariance of
// well-formed assistant completions):
// - render → parse gives back the same messages, for random conversations of every role, channel,
//   recipient and content type that SPEC.md §4.3 says round-trip (with unicode everywhere);
//   System/Developer content (random tools and JSON Schemas) comes back as its rendered text;
// - render never throws for well-formed builder input, except the documented cases (§3.9), and
//   the conversation renderers agree with per-message `render`;
// - `processMany` with random batch splits leaves every getter exactly as per-token `process`
//   does, after every batch, on arbitrary token sequences (errors included);
// - every …Async variant equals its sync version (results and errors).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { Conversation, HarmonyError, StreamableParser, loadHarmonyEncoding, type Message, type Role } from '../src-ts/index.js';
import {
  ROLES,
  anyMessage,
  buildRoundTrip,
  developerContent,
  expectedRenderError,
  roundTripSpec,
  systemContent,
  unicodeText,
} from './helpers/harmony-arbitraries.js';

const enc = loadHarmonyEncoding();
const START = 200006;
const MESSAGE = 200008;

function attempt<T>(fn: () => T): { ok: T } | { err: HarmonyError } {
  try {
    return { ok: fn() };
  } catch (e) {
    expect(e).toBeInstanceOf(HarmonyError);
    return { err: e as HarmonyError };
  }
}

async function attemptAsync<T>(fn: () => Promise<T>): Promise<{ ok: T } | { err: HarmonyError }> {
  try {
    return { ok: await fn() };
  } catch (e) {
    expect(e).toBeInstanceOf(HarmonyError);
    return { err: e as HarmonyError };
  }
}

const errorOf = (e: HarmonyError) => ({ code: e.code, message: e.message, tokenIndex: e.tokenIndex, messageIndex: e.messageIndex, field: e.field });

function sameOutcome<T>(a: { ok: T } | { err: HarmonyError }, b: { ok: T } | { err: HarmonyError }, norm: (v: T) => unknown): void {
  if ('err' in a || 'err' in b) {
    expect('err' in a ? errorOf(a.err) : a.ok).toEqual('err' in b ? errorOf(b.err) : b.ok);
    return;
  }
  expect(norm(a.ok)).toEqual(norm(b.ok));
}

const arr = (t: Uint32Array): number[] => Array.from(t);
const plain = (ms: readonly Message[]) => ms.map((m) => m.toJSON());

describe('render → parse round trip', () => {
  it('random round-trippable conversations parse back to the same messages (role = null, strict and lenient)', () => {
    fc.assert(
      fc.property(fc.array(roundTripSpec, { minLength: 1, maxLength: 6 }), fc.boolean(), (specs, strict) => {
        const conversation = Conversation.fromMessages(specs.map(buildRoundTrip));
        const tokens = enc.renderConversation(conversation, { autoDropAnalysis: false });
        const parsed = enc.parseMessagesFromCompletionTokens(tokens, null, { strict });
        expect(
          parsed.map((m) => ({ role: m.role, name: m.name, recipient: m.recipient, channel: m.channel, contentType: m.contentType, texts: [m.text] })),
        ).toEqual(specs.map((s) => ({ ...s, texts: [s.texts.join('')] })));
        // The parsed messages render to the same tokens (multi-item texts aside, §3.1 piece boundaries).
        if (specs.every((s) => s.texts.length === 1)) expect(arr(enc.renderConversation(parsed, { autoDropAnalysis: false }))).toEqual(arr(tokens));
      }),
      { seed: 20240601, numRuns: 150 },
    );
  });

  it('a completion (after <|start|>role) parses back with the role supplied', () => {
    fc.assert(
      fc.property(fc.array(roundTripSpec, { maxLength: 3 }), roundTripSpec, (history, lastSpec) => {
        const last = { ...lastSpec, role: 'assistant' as Role, name: null };
        const prompt = enc.renderConversationForCompletion(Conversation.fromMessages(history.map(buildRoundTrip)), 'assistant', { autoDropAnalysis: false });
        const full = enc.renderConversation(Conversation.fromMessages([...history.map(buildRoundTrip), buildRoundTrip(last)]), { autoDropAnalysis: false });
        // The prompt is a prefix of the full rendering up to <|start|>assistant.
        const completion = arr(full).slice(prompt.length);
        expect(arr(full).slice(0, prompt.length)).toEqual(arr(prompt));
        const [m, ...rest] = enc.parseMessagesFromCompletionTokens(completion, 'assistant');
        expect(rest).toEqual([]);
        expect([m!.role, m!.recipient, m!.channel, m!.contentType, m!.text]).toEqual(['assistant', last.recipient, last.channel, last.contentType, last.texts.join('')]);
      }),
      { seed: 31337, numRuns: 100 },
    );
  });

  it('System/Developer content (random tools and JSON Schemas) comes back as its rendered body text', () => {
    const structured = fc.oneof(
      systemContent.map((c) => ({ role: 'system' as Role, c })),
      developerContent.map((c) => ({ role: 'developer' as Role, c })),
    );
    fc.assert(
      fc.property(structured, fc.option(fc.constantFrom('analysis', 'final', 'x'), { nil: null }), ({ role, c }, ch) => {
        let m = Conversation.fromMessages([{ role, content: [c.toJSON()] }]).messages[0]!;
        if (ch !== null) m = m.withChannel(ch);
        const tokens = enc.render(m);
        const i = tokens.indexOf(MESSAGE);
        const body = enc.decode(tokens.subarray(i + 1, tokens.length - 1));
        const [parsed, ...rest] = enc.parseMessagesFromCompletionTokens(tokens, null);
        expect(rest).toEqual([]);
        expect(parsed!.toJSON()).toEqual({ role, name: null, content: [{ type: 'text', text: body }], ...(ch === null ? {} : { channel: ch }) });
        // The body never contains a special token (all text is ordinary text).
        for (const t of tokens.subarray(i + 1, tokens.length - 1)) expect(t).toBeLessThan(199998);
      }),
      { seed: 4242, numRuns: 120 },
    );
  });
});

describe('render never throws for well-formed builder input, except the documented cases', () => {
  it('every renderer either renders or fails with exactly the documented ERR_HARMONY_RENDER', () => {
    fc.assert(
      fc.property(fc.array(anyMessage, { maxLength: 5 }), fc.constantFrom(...ROLES), fc.boolean(), (messages, next, drop) => {
        const conversation = Conversation.fromMessages(messages);
        const perMessage = messages.map((m) => attempt(() => enc.render(m)));
        messages.forEach((m, i) => {
          const expected = expectedRenderError(m);
          const got = perMessage[i]!;
          if (expected === null) expect('ok' in got ? null : errorOf(got.err)).toBeNull();
          else expect('err' in got ? [got.err.code, got.err.message] : got).toEqual(['ERR_HARMONY_RENDER', expected]);
        });
        const firstError = messages.map(expectedRenderError).find((e) => e !== null) ?? null;
        for (const render of [
          () => enc.renderConversation(conversation, { autoDropAnalysis: drop }),
          () => enc.renderConversationForTraining(conversation, { autoDropAnalysis: drop }),
          () => enc.renderConversationForCompletion(conversation, next, { autoDropAnalysis: drop }),
        ]) {
          const r = attempt(render);
          if (drop) {
            // Dropped messages are not rendered, so they cannot fail: only check the type.
            if ('err' in r) expect(r.err.code).toBe('ERR_HARMONY_RENDER');
          } else if (firstError === null) expect('ok' in r ? null : errorOf(r.err)).toBeNull();
          else expect('err' in r ? r.err.message : r).toBe(firstError);
        }
        if (firstError === null) {
          // renderConversation (no dropping) = the messages rendered one by one, with the conversation's function-tools flag.
          const hasFunctionTools = messages.some((m) =>
            m.content.some((c) => c.type === 'developer_content' && (c.tools?.['functions']?.tools.length ?? 0) > 0),
          );
          const joined = messages.flatMap((m) => arr(enc.render(m, { conversationHasFunctionTools: hasFunctionTools })));
          const whole = arr(enc.renderConversation(conversation, { autoDropAnalysis: false }));
          expect(whole).toEqual(joined);
          const completion = arr(enc.renderConversationForCompletion(conversation, next, { autoDropAnalysis: false }));
          expect(completion).toEqual([...whole, START, ...arr(enc.encode(next))]);
          // Encoded text round-trips through decode.
          for (const m of messages) for (const c of m.content) if (c.type === 'text') expect(enc.decode(enc.encodeOrdinary(c.text))).toBe(c.text);
        }
      }),
      { seed: 777, numRuns: 150 },
    );
  });
});

// ---- processMany ≡ process -------------------------------------------------------------------------

interface Full {
  state: string;
  role: string | null;
  channel: string | null;
  recipient: string | null;
  contentType: string | null;
  content: string;
  delta: string | null;
  messages: unknown[];
  tokens: number[];
}

const full = (p: StreamableParser): Full => ({
  state: p.state,
  role: p.currentRole,
  channel: p.currentChannel,
  recipient: p.currentRecipient,
  contentType: p.currentContentType,
  content: p.currentContent,
  delta: p.lastContentDelta,
  messages: plain(p.messages),
  tokens: arr(p.tokens),
});

/** Token sequences: rendered messages, control tokens, random ids (special, reserved, multi-byte pieces). */
const tokenSequence = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: roundTripSpec.map((s) => arr(enc.render(buildRoundTrip(s)))) },
      { weight: 2, arbitrary: fc.array(fc.constantFrom(200005, 200006, 200007, 200008, 200012, 200002, 200003, 199999, 200018), { maxLength: 3 }) },
      { weight: 2, arbitrary: fc.array(fc.integer({ min: 0, max: 201088 }), { maxLength: 6 }) },
      // Pieces of multi-byte characters (streaming UTF-8 assembly).
      { weight: 1, arbitrary: unicodeText.map((t) => arr(enc.encodeOrdinary(t))) },
      { weight: 1, arbitrary: fc.constantFrom([173781], [17196], [200005, 17196, 200008], [35644, 200008]) },
    ),
    { maxLength: 8 },
  )
  .map((parts) => parts.flat());

describe('processMany ≡ per-token process', () => {
  it('after every batch of a random split, all getters agree (errors: same error, same position)', () => {
    fc.assert(
      fc.property(
        tokenSequence,
        fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 30 }),
        fc.constantFrom<Role | null>(null, 'assistant', 'user'),
        fc.boolean(),
        (tokens, rawCuts, role, strict) => {
          // Batch sizes (0 = an empty batch); all-zero cuts would never progress: one batch then.
          const cuts = rawCuts.some((c) => c > 0) ? rawCuts : [];
          const single = new StreamableParser(enc, role, { strict });
          const batched = new StreamableParser(enc, role, { strict });
          let pos = 0;
          let cut = 0;
          while (pos < tokens.length) {
            const size = cuts.length === 0 ? tokens.length : cuts[cut++ % cuts.length]!;
            const batch = tokens.slice(pos, pos + size);
            // Per-token reference, stopping at the first failing token of the batch.
            let failedAt = -1;
            let singleError: HarmonyError | undefined;
            for (let i = 0; i < batch.length; i++) {
              const r = attempt(() => single.process(batch[i]!));
              if ('err' in r) {
                failedAt = i;
                singleError = r.err;
                break;
              }
            }
            const r = attempt(() => batched.processMany(batch));
            if (singleError === undefined) {
              expect('err' in r ? errorOf(r.err) : null).toBeNull();
            } else {
              expect('err' in r).toBe(true);
              const e = (r as { err: HarmonyError }).err;
              expect([e.code, e.message]).toEqual([singleError.code, singleError.message]);
              expect(e.tokenIndex).toBe(pos + failedAt);
            }
            expect(full(batched)).toEqual(full(single));
            // After a failure the rest of the batch was not processed: it is fed again next time.
            pos += failedAt >= 0 ? failedAt + 1 : batch.length;
          }
          const e1 = attempt(() => single.processEos());
          const e2 = attempt(() => batched.processEos());
          sameOutcome(e1, e2, () => null);
          expect(full(batched)).toEqual(full(single));
        },
      ),
      { seed: 99, numRuns: 200 },
    );
  });
});

// ---- async ≡ sync ----------------------------------------------------------------------------------

describe('async variants ≡ sync', () => {
  it('renderConversation{,ForCompletion,ForTraining}Async on random conversations', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(anyMessage, { maxLength: 4 }), fc.constantFrom(...ROLES), fc.boolean(), async (messages, next, drop) => {
        const conversation = Conversation.fromMessages(messages);
        const o = { autoDropAnalysis: drop };
        sameOutcome(await attemptAsync(() => enc.renderConversationAsync(conversation, o)), attempt(() => enc.renderConversation(conversation, o)), arr);
        sameOutcome(await attemptAsync(() => enc.renderConversationForTrainingAsync(conversation, o)), attempt(() => enc.renderConversationForTraining(conversation, o)), arr);
        sameOutcome(
          await attemptAsync(() => enc.renderConversationForCompletionAsync(conversation.toJSON(), next, o)),
          attempt(() => enc.renderConversationForCompletion(conversation, next, o)),
          arr,
        );
      }),
      { seed: 5150, numRuns: 80 },
    );
  });

  it('encodeAsync on random text and special-token options', async () => {
    const specials = ['<|start|>', '<|end|>', '<|message|>', '<|channel|>', '<|endoftext|>'];
    const options = fc.option(
      fc.record(
        { allowedSpecial: fc.oneof(fc.constant('all' as const), fc.subarray(specials)), disallowedSpecial: fc.oneof(fc.constant('all' as const), fc.subarray(specials)) },
        { requiredKeys: [] },
      ),
      { nil: undefined },
    );
    const text = fc.array(fc.oneof(unicodeText, fc.constantFrom(...specials)), { maxLength: 6 }).map((p) => p.join(''));
    await fc.assert(
      fc.asyncProperty(text, options, async (t, o) => {
        sameOutcome(await attemptAsync(() => enc.encodeAsync(t, o)), attempt(() => enc.encode(t, o)), arr);
      }),
      { seed: 8080, numRuns: 200 },
    );
  });

  it('parseMessagesFromCompletionTokensAsync on random token sequences', async () => {
    await fc.assert(
      fc.asyncProperty(tokenSequence, fc.constantFrom<Role | null>(null, 'assistant', 'tool'), fc.boolean(), async (tokens, role, strict) => {
        sameOutcome(
          await attemptAsync(() => enc.parseMessagesFromCompletionTokensAsync(tokens, role, { strict })),
          attempt(() => enc.parseMessagesFromCompletionTokens(new Uint32Array(tokens), role, { strict })),
          plain,
        );
      }),
      { seed: 6502, numRuns: 200 },
    );
  });

  it('many interleaved async calls each equal their sync result', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(unicodeText, tokenSequence), { minLength: 5, maxLength: 20 }), async (jobs) => {
        const results = await Promise.all(
          jobs.map(async ([t, toks]) => [await attemptAsync(() => enc.encodeAsync(t, { disallowedSpecial: [] })), await attemptAsync(() => enc.parseMessagesFromCompletionTokensAsync(toks, null, { strict: false }))] as const),
        );
        jobs.forEach(([t, toks], i) => {
          sameOutcome(results[i]![0], attempt(() => enc.encode(t, { disallowedSpecial: [] })), arr);
          sameOutcome(results[i]![1], attempt(() => enc.parseMessagesFromCompletionTokens(toks, null, { strict: false })), plain);
        });
      }),
      { seed: 1234, numRuns: 25 },
    );
  });
});
