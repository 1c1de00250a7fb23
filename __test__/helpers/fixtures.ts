// Loading of the conformance fixtures (fixtures/conformance/*.jsonl, produced by the reference
// openai-harmony 0.0.8) and the helpers the specs share: snapshots, message and event normalisation and a
// seeded random generator (every random choice in the suite is reproducible from its seed).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { expect } from 'vitest';

import type { HarmonyEvent, Message, StreamableParser } from '../../src-ts/index.js';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'conformance');

export interface Expected {
  error: boolean;
  message?: string;
  error_type?: string;
  [key: string]: unknown;
}

export interface FixtureCase {
  id: string;
  kind: 'encode' | 'render' | 'parse' | 'stream' | 'stop_tokens';
  op?: string;
  note?: string;
  expected: Expected;
  [key: string]: unknown;
}

export interface StreamCase extends FixtureCase {
  tokens: number[];
  role: string | null;
  strict: boolean;
  expected: Expected & {
    steps: Snapshot[];
    messages: PlainMessage[];
    messages_before_eos?: PlainMessage[];
    eos_step?: Snapshot;
    error_at?: number;
  };
}

export function loadCases(file: string): FixtureCase[] {
  return readFileSync(join(FIXTURES, `${file}.jsonl`), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as FixtureCase);
}

export interface Snapshot {
  state: string;
  current_role: string | null;
  current_channel: string | null;
  current_recipient: string | null;
  current_content_type: string | null;
  last_content_delta: string | null;
  current_content: string;
}

export function snapshot(p: StreamableParser): Snapshot {
  return {
    state: p.state,
    current_role: p.currentRole,
    current_channel: p.currentChannel,
    current_recipient: p.currentRecipient,
    current_content_type: p.currentContentType,
    last_content_delta: p.lastContentDelta,
    current_content: p.currentContent,
  };
}

export interface PlainMessage {
  role: string;
  name: string | null;
  content: { type: string; text?: string }[];
  channel?: string;
  recipient?: string;
  content_type?: string;
}

/** A message as the fixtures write parse results (key order irrelevant for toEqual). */
export function plain(m: Message): PlainMessage {
  return m.toJSON() as PlainMessage;
}

export const plainAll = (ms: readonly Message[]): PlainMessage[] => ms.map(plain);

/**
 * Events as comparable plain data, each run of content deltas as one delta: how a stream's text
 * is cut into deltas depends on how its tokens were batched (a batch's consecutive deltas come
 * as one), and nothing else may.
 */
export function plainEvents(events: readonly HarmonyEvent[]): unknown[] {
  const out: Record<string, unknown>[] = [];
  for (const e of events) {
    const last = out[out.length - 1];
    if (e.type === 'content-delta' && last?.type === 'content-delta') {
      expect({ ...last, delta: '' }).toEqual({ ...e, delta: '' });
      last.delta = `${String(last.delta)}${e.delta}`;
    } else {
      out.push(e.type === 'message-end' ? { ...e, message: e.message.toJSON() } : { ...e });
    }
  }
  return out;
}

export { rng } from './rng.mjs';

/** Splits `tokens` into consecutive chunks of random sizes (1..maxSize, sometimes empty). */
export function randomSplit(tokens: readonly number[], random: () => number, maxSize = 8): number[][] {
  const out: number[][] = [];
  let i = 0;
  while (i < tokens.length) {
    const size = random() < 0.05 ? 0 : 1 + Math.floor(random() * maxSize);
    out.push(tokens.slice(i, i + size));
    i += size;
  }
  if (random() < 0.3) out.push([]);
  return out;
}

/** The first line of a reference error message (what the library's message must contain). */
export const firstLine = (message: string | undefined): string => (message ?? '').split('\n')[0]!;

/**
 * Asserts two token sequences equal. vitest's deep equality takes seconds per million elements;
 * this compares in a loop and, on a difference, shows the first one with its neighbourhood.
 */
export function expectSameTokens(actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  const common = Math.min(actual.length, expected.length);
  let at = 0;
  while (at < common && actual[at] === expected[at]) at++;
  if (at === common && actual.length === expected.length) return;
  const around = (tokens: ArrayLike<number>) => Array.from(tokens).slice(Math.max(0, at - 4), at + 4);
  expect({ firstDifference: at, length: actual.length, around: around(actual) }).toEqual({
    firstDifference: at,
    length: expected.length,
    around: around(expected),
  });
}
