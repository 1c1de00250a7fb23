// The gateway's privacy invariant, through the JS API, on generated completions (fast-check,
// fixed seeds): completions made of analysis messages (each with a unique marker word), final
// answers, preambles and tool calls, damaged in the ways the serving stacks meet (channel
// spellings, missing or repeated `<|start|>assistant`, words before a header, a header without a
// role, filler after a stop token, a `<|start|>` inside an unclosed message, a stray
// `to=assistant` header, stray stop tokens, a header cut off by the end) and combinations of
// them, fed whole and at random splits through Chat Completions (whole and chunks), Responses
// (whole and events) and text mode. Never: analysis text in anything visible (content,
// output_text, tool names, arguments), an intact final answer lost, a throw.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { loadHarmonyEncoding } from '../src-ts/index.js';
import {
  ChatCompletionChunkMapper,
  ResponseEventMapper,
  TextStreamParser,
  foldChunks,
  foldResponseEvents,
  harmonyToChatCompletion,
  harmonyToResponse,
  parseText,
  type ChatCompletion,
  type ChatCompletionChunk,
  type Response,
  type ResponseStreamEvent,
} from '../src-ts/gateway/index.js';

const enc = loadHarmonyEncoding();
const tokens = (text: string) => enc.encode(text, { allowedSpecial: 'all' });
/** Cases per property (raise with GATEWAY_PROPERTY_RUNS for a longer search). */
const NUM_RUNS = Number(process.env.GATEWAY_PROPERTY_RUNS ?? 60);

/** A piece of a generated completion: its text, and what it puts in or keeps out of the output. */
interface Piece {
  text: string;
  /** Analysis markers: must never be visible. */
  secrets: string[];
  /** A final answer with an intact header: must be visible. */
  answer?: string;
}

const word = fc.stringMatching(/^[a-z]{4,8}$/);
/** A unique-looking marker (the index keeps markers of one completion apart). */
const marker = (kind: string, i: number, w: string) => `${kind}${i}x${w}`;

/** How an analysis header may be spelled by a sampled model. */
const analysisChannel = fc.constantFrom('analysis', 'ANALYSIS', 'Analysis', 'analysis?', ' analysis', 'analysis ', 'analysis.', 'analysis:', 'analysis<|constrain|>');
/** How the header of a message may start: intact, without `<|start|>assistant`, repeated, without the role. */
const start = fc.constantFrom('<|start|>assistant', '', '<|start|>assistant<|start|>assistant', 'filler ', '<|start|>');
const stop = fc.constantFrom('<|end|>', '<|end|>', '<|end|><|return|>', '<|end|><|end|>');

function analysisPiece(i: number): fc.Arbitrary<Piece> {
  return fc.record({ channel: analysisChannel, lead: start, w: word, body: fc.constantFrom('', ' and more thinking', ' 💭 étude'), end: stop }).map(({ channel, lead, w, body, end }) => {
    const secret = marker('secret', i, w);
    return { text: `${lead}<|channel|>${channel}<|message|>${secret}${body}${end}`, secrets: [secret] };
  });
}

function finalPiece(i: number): fc.Arbitrary<Piece> {
  return fc.record({ w: word, end: fc.constantFrom('<|return|>', '<|end|>') }).map(({ w, end }) => {
    const answer = marker('answer', i, w);
    return { text: `<|start|>assistant<|channel|>final<|message|>${answer}${end}`, secrets: [], answer };
  });
}

function callPiece(i: number): fc.Arbitrary<Piece> {
  return fc
    .record({
      w: word,
      lead: fc.constantFrom('<|start|>assistant', '<|start|>assistant<|start|>assistant', '<|start|>', '', 'commentary'),
      placement: fc.constantFrom('before', 'after'),
    })
    .map(({ w, lead, placement }) => {
      const header =
        placement === 'before'
          ? `${lead} to=functions.lookup<|channel|>commentary <|constrain|>json`
          : `${lead}<|channel|>commentary to=functions.lookup <|constrain|>json`;
      return { text: `${header}<|message|>{"q":"${marker('arg', i, w)}"}<|call|>`, secrets: [] };
    });
}

/** Damage that hides analysis in odd places. */
function trickyPiece(i: number): fc.Arbitrary<Piece> {
  return fc.record({ w: word, kind: fc.integer({ min: 0, max: 3 }) }).map(({ w, kind }): Piece => {
    const secret = marker('secret', i, w);
    switch (kind) {
      case 0: // words before the header: never a tool name
        return { text: `Some text <|channel|>analysis<|message|>${secret}<|end|>`, secrets: [secret] };
      case 1: // a stray `to=assistant` header before the analysis one
        return { text: `<|channel|>commentary to=assistant<|channel|>analysis<|message|>${secret}<|end|>`, secrets: [secret] };
      case 2: // an analysis message never closed: the next `<|start|>` closes it
        return { text: `<|start|>assistant<|channel|>analysis<|message|>${secret}`, secrets: [secret] };
      default: // a stray stop token before the analysis
        return { text: `<|return|><|channel|>analysis<|message|>${secret}<|end|>`, secrets: [secret] };
    }
  });
}

/** A completion: pieces in any order, maybe cut off inside a last header. */
const completion: fc.Arbitrary<{ pieces: Piece[]; tail: string }> = fc
  .array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 6 })
  .chain((kinds) =>
    fc.record({
      pieces: fc.tuple(...kinds.map((k, i) => [analysisPiece, finalPiece, callPiece, trickyPiece][k]!(i))),
      tail: fc.constantFrom('', '', '<|start|>assistant<|channel|>final', '<|start|>assistant<|channel|>analysis', '<|channel|>analysis<|message|>'),
    }),
  )
  .map(({ pieces, tail }) => ({ pieces, tail }));

/** The completion text as sampled after `<|start|>assistant` (the first `<|start|>assistant` is the prompt's). */
function completionText({ pieces, tail }: { pieces: Piece[]; tail: string }): string {
  return pieces.map((p) => p.text).join('').replace(/^<\|start\|>assistant/, '') + tail;
}

/** Random batch boundaries over `n` tokens. */
const splits = fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 40 });
function batches(all: Uint32Array, sizes: number[]): Uint32Array[] {
  const out: Uint32Array[] = [];
  for (let i = 0, k = 0; i < all.length; k++) {
    const size = sizes[k % sizes.length]!;
    out.push(all.subarray(i, i + size));
    i += size;
  }
  return out;
}

/** Everything a Chat Completions client shows. */
function chatVisible(c: ChatCompletion): string {
  const m = c.choices[0].message;
  return [m.content ?? '', ...(m.tool_calls ?? []).flatMap((t) => [t.function.name, t.function.arguments])].join('\u0000');
}
/** Everything a Responses client shows (output_text, messages, calls). */
function responseVisible(r: Response): string {
  const items = r.output.flatMap((i) => {
    switch (i.type) {
      case 'message':
        return i.content.map((p) => p.text);
      case 'function_call':
        return [i.name, i.arguments];
      case 'web_search_call':
        return [i.arguments, JSON.stringify(i.action)];
      case 'code_interpreter_call':
        return [i.code];
      default:
        return [];
    }
  });
  return [r.output_text, ...items].join('\u0000');
}

function checkInvariant(visible: string, pieces: Piece[], where: string): void {
  for (const secret of pieces.flatMap((p) => p.secrets)) expect(visible.includes(secret), `${where}: ${secret} visible in ${JSON.stringify(visible)}`).toBe(false);
  expect(visible, `${where}: raw markup visible`).not.toMatch(/<\|(start|channel|message|end|return|call|constrain)\|>/);
  for (const answer of pieces.flatMap((p) => (p.answer ? [p.answer] : []))) expect(visible.includes(answer), `${where}: final answer ${answer} lost`).toBe(true);
}

describe('gateway privacy invariant (generated damaged completions)', () => {
  it('Chat Completions: whole and chunk stream at random splits', () => {
    fc.assert(
      fc.property(completion, splits, (c, sizes) => {
        const all = tokens(completionText(c));
        checkInvariant(chatVisible(harmonyToChatCompletion(all)), c.pieces, 'whole');
        const mapper = new ChatCompletionChunkMapper();
        const chunks: ChatCompletionChunk[] = [];
        for (const batch of batches(all, sizes)) chunks.push(...mapper.push(batch));
        chunks.push(...mapper.end());
        checkInvariant(chatVisible(foldChunks(chunks)), c.pieces, 'chunks');
      }),
      { seed: 1414, numRuns: NUM_RUNS },
    );
  });

  it('Responses: whole and event stream at random splits', () => {
    fc.assert(
      fc.property(completion, splits, (c, sizes) => {
        const all = tokens(completionText(c));
        checkInvariant(responseVisible(harmonyToResponse(all)), c.pieces, 'whole');
        const mapper = new ResponseEventMapper();
        const events: ResponseStreamEvent[] = [];
        for (const batch of batches(all, sizes)) events.push(...mapper.push(batch));
        events.push(...mapper.end());
        checkInvariant(responseVisible(foldResponseEvents(events)), c.pieces, 'events');
        // Deltas as a client would show them as they arrive.
        const shown = events.flatMap((e) => (e.type === 'response.output_text.delta' || e.type === 'response.function_call_arguments.delta' ? [e.delta] : []));
        checkInvariant([...shown, responseVisible(foldResponseEvents(events))].join('\u0000'), c.pieces, 'deltas');
      }),
      { seed: 2828, numRuns: NUM_RUNS },
    );
  });

  it('text mode: whole and at random character splits', () => {
    fc.assert(
      fc.property(completion, splits, (c, sizes) => {
        const text = completionText(c);
        const visibleOf = (messages: readonly { channel: string | null; recipient: string | null; content: readonly unknown[] }[]) =>
          messages
            .filter((m) => m.channel !== 'analysis')
            .map((m) => JSON.stringify(m.content))
            .join('\u0000');
        const whole = parseText(text);
        checkInvariant(visibleOf(whole.messages.map((m) => m.toJSON() as never)), c.pieces, 'text');
        const parser = new TextStreamParser();
        const chars = [...text];
        for (let i = 0, k = 0; i < chars.length; k++) {
          const size = sizes[k % sizes.length]!;
          parser.push(chars.slice(i, i + size).join(''));
          i += size;
        }
        parser.end();
        checkInvariant(visibleOf(parser.messages.map((m) => m.toJSON() as never)), c.pieces, 'text stream');
      }),
      { seed: 4242, numRuns: NUM_RUNS },
    );
  });
});
