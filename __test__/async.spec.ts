// The …Async variants compute on the libuv pool with the same code as the sync ones: identical
// results and identical failures, also when many run at once.
import { describe, expect, it } from 'vitest';

import { Conversation, HarmonyError, loadHarmonyEncoding, type Role } from '../src-ts/index.js';
import { loadCases, plainAll } from './helpers/fixtures.js';

const enc = loadHarmonyEncoding();

async function settle<T>(fn: () => Promise<T>): Promise<{ ok: T } | { err: HarmonyError }> {
  try {
    return { ok: await fn() };
  } catch (e) {
    expect(e).toBeInstanceOf(HarmonyError);
    return { err: e as HarmonyError };
  }
}

function settleSync<T>(fn: () => T): { ok: T } | { err: HarmonyError } {
  try {
    return { ok: fn() };
  } catch (e) {
    expect(e).toBeInstanceOf(HarmonyError);
    return { err: e as HarmonyError };
  }
}

function same<T>(a: { ok: T } | { err: HarmonyError }, b: { ok: T } | { err: HarmonyError }, norm: (v: T) => unknown): void {
  if ('err' in a || 'err' in b) {
    expect('err' in a && 'err' in b).toBe(true);
    const [ea, eb] = [(a as { err: HarmonyError }).err, (b as { err: HarmonyError }).err];
    expect([ea.code, ea.message, ea.tokenIndex, ea.messageIndex, ea.field]).toEqual([eb.code, eb.message, eb.tokenIndex, eb.messageIndex, eb.field]);
    return;
  }
  expect(norm(a.ok)).toEqual(norm(b.ok));
}

const arr = (t: Uint32Array): number[] => Array.from(t);

describe('async ≡ sync', () => {
  it('render: every fixture conversation, all at once', async () => {
    const cases = loadCases('render').filter((c) => c.conversation);
    await Promise.all(
      cases.map(async (c) => {
        const conv = Conversation.fromJSON(c.conversation as never);
        const cfg = c.config as { auto_drop_analysis: boolean } | null;
        const opts = cfg ? { autoDropAnalysis: cfg.auto_drop_analysis } : undefined;
        const role = (c.next_turn_role as Role | undefined) ?? 'assistant';
        same(await settle(() => enc.renderConversationAsync(conv, opts)), settleSync(() => enc.renderConversation(conv, opts)), arr);
        same(await settle(() => enc.renderConversationForTrainingAsync(conv, opts)), settleSync(() => enc.renderConversationForTraining(conv, opts)), arr);
        same(
          await settle(() => enc.renderConversationForCompletionAsync(conv, role, opts)),
          settleSync(() => enc.renderConversationForCompletion(conv, role, opts)),
          arr,
        );
      }),
    );
  });

  it('parse: every fixture', async () => {
    const cases = [...loadCases('parse'), ...loadCases('stream')];
    await Promise.all(
      cases.map(async (c) => {
        const args = [c.tokens as number[], c.role as Role | null, { strict: c.strict as boolean }] as const;
        same(await settle(() => enc.parseMessagesFromCompletionTokensAsync(...args)), settleSync(() => enc.parseMessagesFromCompletionTokens(...args)), plainAll);
      }),
    );
  });

  it('encode: every fixture text', async () => {
    const cases = loadCases('encode').filter((c) => c.op === 'encode');
    await Promise.all(
      cases.map(async (c) => {
        const sp = (v: unknown): 'all' | string[] | undefined => (v == null ? undefined : v === 'all' ? 'all' : (v as string[]));
        const opts = { allowedSpecial: sp(c.allowed_special), disallowedSpecial: sp(c.disallowed_special) };
        same(await settle(() => enc.encodeAsync(c.text as string, opts)), settleSync(() => enc.encode(c.text as string, opts)), arr);
      }),
    );
  });

  it('returns promises and Uint32Arrays', async () => {
    const p = enc.encodeAsync('hello world');
    expect(p).toBeInstanceOf(Promise);
    const t = await p;
    expect(t).toBeInstanceOf(Uint32Array);
    expect(Array.from(t)).toEqual([24912, 2375]);
    const big = 'lorem ipsum dolor sit amet '.repeat(50_000);
    expect(Array.from(await enc.encodeAsync(big))).toEqual(Array.from(enc.encode(big)));
  });
});
