// Encoding API beyond the fixtures: input forms, the scratch-buffer fast path vs the large path,
// encodeInto's buffer contract, countTokens, the shared instance.
import { describe, expect, it } from 'vitest';

import { HarmonyError, loadHarmonyEncoding, toUint32Array } from '../src-ts/index.js';

const enc = loadHarmonyEncoding();

describe('HarmonyEncoding', () => {
  it('is one shared instance with the reference constants', () => {
    expect(loadHarmonyEncoding()).toBe(enc);
    expect(loadHarmonyEncoding('HarmonyGptOss')).toBe(enc);
    expect(enc.name).toBe('HarmonyGptOss');
    expect(enc.tokenizerName).toBe('o200k_harmony');
    expect(enc.maxMessageTokens).toBe(524_288);
    expect(enc.stopTokens()).toEqual([200002, 200007, 200012]);
    expect(enc.stopTokensForAssistantActions()).toEqual([200002, 200012]);
    expect(enc.specialTokens()).toHaveLength(1091);
    expect(enc.specialTokensSet.has('<|start|>')).toBe(true);
  });

  it('encodes with the reference special-token semantics', () => {
    expect(Array.from(enc.encode('hello world'))).toEqual([24912, 2375]);
    expect(Array.from(enc.encode('<|start|>', { disallowedSpecial: [] }))).toEqual([27, 91, 5236, 91, 29]);
    expect(Array.from(enc.encode('<|start|>', { allowedSpecial: ['<|start|>'] }))).toEqual([200006]);
    expect(Array.from(enc.encode('<|start|>', { allowedSpecial: new Set(['<|start|>']) }))).toEqual([200006]);
    expect(Array.from(enc.encode('a<|end|>', { allowedSpecial: 'all' }))).toEqual([...enc.encode('a'), 200007]);
    expect(() => enc.encode('x<|end|>')).toThrow(HarmonyError);
    expect(Array.from(enc.encodeOrdinary('<|end|>'))).toEqual(Array.from(enc.encode('<|end|>', { disallowedSpecial: [] })));
  });

  it('gives the same tokens on the short (scratch buffer) and long paths', () => {
    const unit = 'The quick brown fox — 日本語のテキスト 🦊 jumps over the lazy dog. ';
    const long = unit.repeat(Math.ceil(70_000 / unit.length)); // > 65536/3 UTF-16 units: long path
    expect(long.length).toBeGreaterThan(22_000);
    const tokens = enc.encode(long);
    const byPieces = unit.length > 0 ? enc.encode(unit) : new Uint32Array();
    expect(tokens.length).toBeGreaterThan(byPieces.length);
    expect(enc.decodeUtf8(tokens)).toBe(long);
    expect(enc.countTokens(long)).toBe(tokens.length);
    expect(Array.from(enc.encodeOrdinary(long))).toEqual(Array.from(tokens));
    // Short results own their memory: later calls never overwrite earlier results.
    const texts = Array.from({ length: 3000 }, (_, i) => `text number ${i} `.repeat(1 + (i % 7)));
    const got = texts.map((t) => enc.encode(t));
    texts.forEach((t, i) => expect(enc.decodeUtf8(got[i]!)).toBe(t));
    for (const t of got) expect(t.buffer.byteLength).toBe(t.byteLength);
    // Mid-size texts are independent copies too.
    const mid = 'x y z '.repeat(100);
    const m1 = enc.encode(mid);
    const m2 = enc.encode(mid);
    expect(m1.buffer).not.toBe(m2.buffer);
    expect(Array.from(m1)).toEqual(Array.from(m2));
  });

  it('encodeInto writes into the caller buffer and refuses one that is too small', () => {
    const out = new Uint32Array(8).fill(7);
    expect(enc.encodeInto('hello world', out)).toBe(2);
    expect(Array.from(out)).toEqual([24912, 2375, 7, 7, 7, 7, 7, 7]);
    const small = new Uint32Array(1).fill(9);
    try {
      enc.encodeInto('hello world', small);
      expect.unreachable();
    } catch (e) {
      expect((e as HarmonyError).code).toBe('ERR_HARMONY_INVALID_ARGUMENT');
      expect((e as HarmonyError).message).toContain('too small');
    }
    expect(small[0]).toBe(9);
  });

  it('countTokens counts ordinary tokens', () => {
    for (const s of ['', 'a', 'hello world', '<|start|>hi', '🦊🦊🦊', ' \n\t  x']) {
      expect(enc.countTokens(s)).toBe(enc.encodeOrdinary(s).length);
    }
  });

  it('clearMergeCaches changes no result', () => {
    // Words that recur (piece cache) and long CJK runs (pair cache) in one text.
    const text = 'The merge caches remember pieces. The merge caches remember pairs. '.repeat(20) +
      '日本語の文章を分割して、日本語の文章を符号化する。'.repeat(20);
    const warm = enc.encodeOrdinary(text);
    enc.clearMergeCaches();
    expect(enc.encodeOrdinary(text)).toEqual(warm);
    enc.clearMergeCaches();
    expect(enc.countTokens(text)).toBe(warm.length);
    expect(enc.decode(warm)).toBe(text);
  });

  it('accepts Uint32Array (no copy), number[] and other array-likes as tokens', () => {
    const u = Uint32Array.from([24912, 2375]);
    expect(toUint32Array(u)).toBe(u);
    expect(enc.decode(u)).toBe('hello world');
    expect(enc.decode([24912, 2375])).toBe('hello world');
    expect(enc.decode({ length: 2, 0: 24912, 1: 2375 })).toBe('hello world');
    expect(enc.decode(Float64Array.from([24912, 2375]))).toBe('hello world');
    expect(enc.decode([])).toBe('');
    expect(enc.decode(u.subarray(1))).toBe(' world');
  });

  it('decodes lossily, strictly and to bytes', () => {
    expect(enc.decode([9552])).toBe(' \uFFFD');
    expect(Array.from(enc.decodeBytes([9552]))).toEqual([0x20, 0xf0, 0x9f]);
    expect(enc.decodeBytes([9552])).toBeInstanceOf(Uint8Array);
    expect(() => enc.decodeUtf8([9552])).toThrow(/Could not decode tokens/);
    expect(enc.decode([200006])).toBe('<|start|>');
  });

  it('decodes long texts, ASCII-led or not, to the same string whichever way it crosses', () => {
    // The binding hands long non-ASCII text to V8 as UTF-16 and ASCII as UTF-8, judging by the
    // start of the text: every mix must come back intact (astral chars as surrogate pairs too).
    const ascii = 'plain ascii text. '.repeat(400);
    const other = 'Привет, 世界! 🙂👍🏽 e\u0301 '.repeat(300);
    for (const text of [ascii, other, ascii + other, other + ascii, '🙂', '']) {
      const tokens = enc.encode(text);
      expect(enc.decode(tokens)).toBe(text);
      expect(enc.decodeUtf8(tokens)).toBe(text);
    }
    // Lossy decode of a split char (9552 = bytes 20 F0 9F), after a long non-ASCII head.
    expect(enc.decode([...enc.encode(other), 9552])).toBe(`${other} \ufffd`);
    const messages = enc.parseMessagesFromCompletionTokens(enc.encode(`<|message|>${other}<|end|>`, { allowedSpecial: 'all' }), 'assistant');
    expect(messages[0]!.text).toBe(other);
  });

  it('handles a 1M-token array in and out', () => {
    const text = 'ab '.repeat(400_000);
    const tokens = enc.encode(text);
    expect(tokens.length).toBeGreaterThan(100_000);
    const big = new Uint32Array(1_000_000);
    for (let i = 0; i < big.length; i++) big[i] = tokens[i % tokens.length]!;
    expect(enc.decodeBytes(big).length).toBeGreaterThan(1_000_000);
    expect(enc.isSpecialToken(200006)).toBe(true);
    expect(enc.isSpecialToken(1)).toBe(false);
    expect(enc.isSpecialToken(300_000)).toBe(false);
  });
});
