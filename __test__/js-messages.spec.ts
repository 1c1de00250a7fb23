// Messages JS users read speak JS: no Python `allowed_special={…}` advice, no Rust `Some("…")`
// in the gateway's recovery details; errors keep the reference's first line (the API's contract)
// and add a JS reading where that line speaks another language.
import { describe, expect, it } from 'vitest';

import { HarmonyError, StreamableParser, loadHarmonyEncoding } from '../src-ts/index.js';
import { harmonyToChatCompletion, parseText } from '../src-ts/gateway/index.js';

const enc = loadHarmonyEncoding();
const tokens = (text: string) => enc.encode(text, { allowedSpecial: 'all' });
const FOREIGN = /allowed_special|disallowed_special|Some\(|None\b|\{'/;

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(HarmonyError);
    return (error as HarmonyError).message;
  }
  throw new Error('expected a HarmonyError');
}

describe('messages speak JS', () => {
  it('a disallowed special token: the reference\'s first line, then the encode options\' advice', () => {
    const message = messageOf(() => enc.encode('hi <|end|> there'));
    expect(message.split('\n')[0]).toBe("Encountered text corresponding to disallowed special token '<|end|>'.");
    expect(message).toContain("allowedSpecial: ['<|end|>']");
    expect(message).toContain('disallowedSpecial: []');
    expect(message).not.toMatch(FOREIGN);
  });

  it('a header with leftover words: the reference\'s first line (the contract), then the words quoted plainly', () => {
    const bad = tokens('<|start|>assistant a b c<|message|>x<|end|>');
    const message = messageOf(() => enc.parseMessagesFromCompletionTokens(bad, null));
    expect(message.split('\n')).toEqual([
      'unexpected tokens remaining in message header: Some("a")',
      'The header held words that are neither a channel, a recipient nor a content type: "a".',
    ]);
    const parser = new StreamableParser(enc, null);
    expect(messageOf(() => [...bad].forEach((t) => parser.process(t)))).toBe(message);
  });
});

describe('recovery details speak JS', () => {
  it('never show Rust or Python phrasing', () => {
    const outputs = [
      '<|channel|>final<|message|>One.<|end|><|start|>assistant oops bad header<|message|>Two.<|return|>',
      '<|channel|>commentary to=functions.f<|channel|>commentary <|constrain|>json<|message|>{}<|call|>',
      '<|channel|>final<|message|>a<|end|><|return|>text<|end|><|start|>assistant<|channel|>fin',
      '<|start|>assistant a b c<|message|>x<|end|>',
    ];
    for (const text of outputs) {
      const details = [...harmonyToChatCompletion(tokens(text)).recovered, ...parseText(text).recovered].map((r) => r.detail);
      expect(details.length).toBeGreaterThan(0);
      for (const detail of details) expect(detail).not.toMatch(FOREIGN);
    }
  });
});
