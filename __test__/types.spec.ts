// Type-level checks of the public API (checked by `tsc -p tsconfig.json`, which `npm test`
// runs; at run time expectTypeOf is a no-op): event narrowing, builder return types, unions.
import { describe, expectTypeOf, it } from 'vitest';

import {
  HarmonyError,
  Message,
  ReasoningEffort,
  Role,
  StreamableParser,
  SystemContent,
  loadHarmonyEncoding,
  parseStream,
  type ErrorCode,
  type HarmonyEvent,
  type MessageJSON,
  type StreamState,
} from '../src-ts/index.js';

describe('types', () => {
  it('narrows events on type', () => {
    const handle = (e: HarmonyEvent): void => {
      if (e.type === 'content-delta') expectTypeOf(e.delta).toEqualTypeOf<string>();
      if (e.type === 'message-end') {
        expectTypeOf(e.message).toEqualTypeOf<Message>();
        expectTypeOf(e.stopToken).toEqualTypeOf<'end' | 'call' | 'return' | 'eos'>();
      }
      if (e.type === 'tool-call') expectTypeOf(e.arguments).toEqualTypeOf<string>();
      if (e.type === 'message-start') expectTypeOf(e.role).toEqualTypeOf<Role>();
    };
    expectTypeOf(handle).toBeFunction();
    expectTypeOf(parseStream([1])).toEqualTypeOf<AsyncGenerator<HarmonyEvent, void, undefined>>();
  });

  it('has value enums as const objects and unions', () => {
    expectTypeOf(Role.User).toEqualTypeOf<'user'>();
    expectTypeOf<Role>().toEqualTypeOf<'user' | 'assistant' | 'system' | 'developer' | 'tool'>();
    expectTypeOf<ReasoningEffort>().toEqualTypeOf<'Low' | 'Medium' | 'High'>();
    expectTypeOf<StreamState>().toEqualTypeOf<'ExpectStart' | 'Header' | 'Content'>();
    expectTypeOf<HarmonyError['code']>().toEqualTypeOf<ErrorCode>();
  });

  it('builders return their own types', () => {
    expectTypeOf(SystemContent.new().withReasoningEffort('High')).toEqualTypeOf<SystemContent>();
    expectTypeOf(Message.fromRoleAndContent('user', 'x').withChannel('final')).toEqualTypeOf<Message>();
    expectTypeOf(Message.fromRoleAndContent('user', 'x').toJSON()).toEqualTypeOf<MessageJSON>();
    const enc = loadHarmonyEncoding();
    expectTypeOf(enc.encode('x')).toEqualTypeOf<Uint32Array>();
    expectTypeOf(enc.renderConversationAsync([])).toEqualTypeOf<Promise<Uint32Array>>();
    expectTypeOf(new StreamableParser(enc, null).lastContentDelta).toEqualTypeOf<string | null>();
    const notARole = (): Message =>
      // @ts-expect-error: unknown roles are not a Role
      Message.fromRoleAndContent('robot', 'x');
    expectTypeOf(notARole).toBeFunction();
  });
});
