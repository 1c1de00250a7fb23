// Every error code is reachable from the public API with the right class, code and location, and
// native failures never escape untyped.
import { describe, expect, it } from 'vitest';

import {
  Conversation,
  ErrorCode,
  HarmonyError,
  Message,
  StreamableParser,
  loadHarmonyEncoding,
  type ErrorCode as ErrorCodeType,
} from '../src-ts/index.js';
import { fromNativeError } from '../src-ts/native/errors.js';
import { caught } from './helpers/errors.js';

const enc = loadHarmonyEncoding();

function expectCode(fn: () => unknown, code: ErrorCodeType, message?: string | RegExp): HarmonyError {
  const e = caught(fn);
  expect(e.code).toBe(code);
  expect(e.name).toBe('HarmonyError');
  if (message !== undefined) expect(e.message).toMatch(message);
  return e;
}

describe('error codes', () => {
  it('ERR_HARMONY_INVALID_TOKEN: negative, fractional, NaN, ≥ 2^32, non-numbers; unknown ids', () => {
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 32, Number.POSITIVE_INFINITY, '5', null, 10n]) {
      const e = expectCode(() => enc.decode([24912, bad as number]), 'ERR_HARMONY_INVALID_TOKEN');
      expect(e.tokenIndex).toBe(1);
      expectCode(() => enc.parseMessagesFromCompletionTokens([bad as number]), 'ERR_HARMONY_INVALID_TOKEN');
      expectCode(() => new StreamableParser(enc, 'assistant').process(bad as number), 'ERR_HARMONY_INVALID_TOKEN');
      expectCode(() => enc.isSpecialToken(bad as number), 'ERR_HARMONY_INVALID_TOKEN');
    }
    const e = expectCode(() => enc.decode([24912, 201_089]), 'ERR_HARMONY_INVALID_TOKEN', /Invalid token for decoding: 201089/);
    expect(e.tokenIndex).toBe(1);
    expectCode(() => enc.decodeUtf8([4_294_967_295]), 'ERR_HARMONY_INVALID_TOKEN');
  });

  it('ERR_HARMONY_INVALID_ARGUMENT: a string or a non-array-like where tokens are expected', () => {
    for (const bad of ['hello', 42, null, undefined, { foo: 1 }, true]) {
      expectCode(() => enc.decode(bad as never), 'ERR_HARMONY_INVALID_ARGUMENT', /tokens must be/);
      expectCode(() => enc.parseMessagesFromCompletionTokens(bad as never), 'ERR_HARMONY_INVALID_ARGUMENT');
      expectCode(() => new StreamableParser(enc, null).processMany(bad as never), 'ERR_HARMONY_INVALID_ARGUMENT');
    }
    expectCode(() => enc.encode(42 as never), 'ERR_HARMONY_INVALID_ARGUMENT', /text must be a string/);
    expectCode(() => enc.encode('x', { allowedSpecial: 'some' as never }), 'ERR_HARMONY_INVALID_ARGUMENT');
  });

  it('ERR_HARMONY_INVALID_ARGUMENT: malformed conversation JSON and unknown roles', () => {
    const e = expectCode(() => enc.renderConversation('{"messages": [}'), 'ERR_HARMONY_INVALID_ARGUMENT', /invalid conversation JSON/);
    expect(e.field).toBe('conversation');
    expectCode(() => enc.renderConversation({ messages: [{ role: 'user' }] } as never), 'ERR_HARMONY_INVALID_ARGUMENT', /content/);
    expectCode(() => enc.renderConversation({ msgs: [] } as never), 'ERR_HARMONY_INVALID_ARGUMENT');
    expectCode(() => enc.renderConversation(7 as never), 'ERR_HARMONY_INVALID_ARGUMENT');
    expectCode(() => enc.renderConversationForCompletion(Conversation.fromMessages([]), 'robot' as never), 'ERR_HARMONY_INVALID_ARGUMENT', /unknown role: robot/);
    expectCode(() => enc.parseMessagesFromCompletionTokens([1], 'Assistant' as never), 'ERR_HARMONY_INVALID_ARGUMENT', /unknown role: Assistant/);
    expectCode(() => new StreamableParser(enc, 'nobody' as never), 'ERR_HARMONY_INVALID_ARGUMENT', /unknown role: nobody/);
    expectCode(() => new StreamableParser({} as never, null), 'ERR_HARMONY_INVALID_ARGUMENT');
    expectCode(() => loadHarmonyEncoding('Nope' as never), 'ERR_HARMONY_INVALID_ARGUMENT', /Invalid HarmonyEncodingName: Nope/);
    const cyclic: { messages: unknown[] } = { messages: [] };
    cyclic.messages.push(cyclic);
    expectCode(() => enc.renderConversation(cyclic as never), 'ERR_HARMONY_INVALID_ARGUMENT', /not JSON-serialisable/);
  });

  it('ERR_HARMONY_DISALLOWED_SPECIAL names the token', () => {
    const e = expectCode(() => enc.encode('hi <|end|> there'), 'ERR_HARMONY_DISALLOWED_SPECIAL', /disallowed special token '<\|end\|>'/);
    expect(e.field).toBe('<|end|>');
    expectCode(() => enc.encode('<|start|>', { allowedSpecial: ['<|end|>'] }), 'ERR_HARMONY_DISALLOWED_SPECIAL');
  });

  it('ERR_HARMONY_UTF8 for invalid UTF-8 in decodeUtf8', () => {
    expectCode(() => enc.decodeUtf8([9552]), 'ERR_HARMONY_UTF8', /Could not decode tokens: Invalid utf-8 sequence/);
  });

  it('ERR_HARMONY_RENDER for content the renderer cannot express', () => {
    expectCode(
      () => enc.renderConversation(Conversation.fromMessages([Message.fromRoleAndContent('tool', 'no name')])),
      'ERR_HARMONY_RENDER',
    );
    const e = expectCode(
      () => enc.renderConversation({ messages: [{ role: 'user', content: 'a' }, { role: 'user', content: [{ type: 'system_content' }] }] }),
      'ERR_HARMONY_RENDER',
      /SystemContent may only appear in system messages/,
    );
    expect(e.messageIndex === undefined || e.messageIndex === 1).toBe(true);
  });

  it('ERR_HARMONY_PARSE with the failing token', () => {
    const tokens = enc.encode('hello', {});
    const e = expectCode(() => enc.parseMessagesFromCompletionTokens(tokens, null), 'ERR_HARMONY_PARSE', /Unexpected token 24912 while expecting start token 200006/);
    expect(e.tokenIndex).toBe(0);
    const p = new StreamableParser(enc, null);
    expectCode(() => p.processMany([200006, 173781, 200008, 200007, 24912]), 'ERR_HARMONY_PARSE');
    const p2 = new StreamableParser(enc, 'assistant');
    p2.process(200005);
    expectCode(() => p2.processEos(), 'ERR_HARMONY_PARSE', /Unexpected EOS while waiting for message header to complete/);
  });

  it('ERR_HARMONY_INTERNAL for anything native that is not a Harmony error', () => {
    const e = fromNativeError(new Error('boom'));
    expect(e.code).toBe('ERR_HARMONY_INTERNAL');
    expect(e.cause).toBeInstanceOf(Error);
    const panic = fromNativeError(
      Object.assign(new Error('{"code":"ERR_HARMONY_INTERNAL","message":"internal error (panic in native code): x","context":{}}'), { code: 'GenericFailure' }),
    );
    expect(panic.code).toBe('ERR_HARMONY_INTERNAL');
    expect(panic.message).toContain('panic');
    const napiArg = fromNativeError(Object.assign(new Error('Expected Uint32Array'), { code: 'InvalidArg' }));
    expect(napiArg.code).toBe('ERR_HARMONY_INVALID_ARGUMENT');
    const same = new HarmonyError(ErrorCode.Parse, 'x');
    expect(fromNativeError(same)).toBe(same);
  });

  it('every code is exported and distinct', () => {
    expect(new Set(Object.values(ErrorCode)).size).toBe(7);
    expect(Object.values(ErrorCode)).toEqual([
      'ERR_HARMONY_INVALID_ARGUMENT',
      'ERR_HARMONY_INVALID_TOKEN',
      'ERR_HARMONY_DISALLOWED_SPECIAL',
      'ERR_HARMONY_UTF8',
      'ERR_HARMONY_RENDER',
      'ERR_HARMONY_PARSE',
      'ERR_HARMONY_INTERNAL',
    ]);
  });

  it('async variants reject with HarmonyError too', async () => {
    await expect(enc.encodeAsync('<|end|>')).rejects.toMatchObject({ code: 'ERR_HARMONY_DISALLOWED_SPECIAL', name: 'HarmonyError' });
    await expect(enc.renderConversationAsync('{')).rejects.toBeInstanceOf(HarmonyError);
    await expect(enc.renderConversationForCompletionAsync({ messages: [] }, 'robot' as never)).rejects.toMatchObject({ code: 'ERR_HARMONY_INVALID_ARGUMENT' });
    await expect(enc.parseMessagesFromCompletionTokensAsync([24912])).rejects.toMatchObject({ code: 'ERR_HARMONY_PARSE', tokenIndex: 0 });
    await expect(enc.parseMessagesFromCompletionTokensAsync('x' as never)).rejects.toMatchObject({ code: 'ERR_HARMONY_INVALID_ARGUMENT' });
  });
});
