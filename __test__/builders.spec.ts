// Builders: immutability, the reference defaults, and JSON interchange — `toJSON()` must give
// exactly the reference's `to_dict()` (the fixture conversations were written by it), and
// `fromJSON` must accept that, the Rust serde shape and content as a plain string.
import { describe, expect, it } from 'vitest';

import {
  Author,
  ChannelConfig,
  Conversation,
  DeveloperContent,
  HarmonyError,
  Message,
  ReasoningEffort,
  Role,
  SystemContent,
  TextContent,
  ToolDescription,
  ToolNamespaceConfig,
  loadHarmonyEncoding,
  type ConversationJSON,
  type MessageJSON,
} from '../src-ts/index.js';
import { loadCases } from './helpers/fixtures.js';

const renderCases = loadCases('render');
const conversations = renderCases.filter((c) => c.conversation).map((c) => [c.id, c.conversation as ConversationJSON] as const);
const messages = renderCases.filter((c) => c.message).map((c) => [c.id, c.message as MessageJSON] as const);

describe('JSON round trip against the reference-produced fixtures', () => {
  it('covers the fixtures', () => {
    expect(conversations.length + messages.length).toBe(198);
  });

  it.each(conversations)('conversation %s', (_id, json) => {
    const conv = Conversation.fromJSON(json);
    // Same JSON text: same keys, same values, same key order as the reference's to_dict().
    expect(JSON.stringify(conv)).toBe(JSON.stringify(json));
    expect(JSON.stringify(Conversation.fromJSON(JSON.stringify(json)))).toBe(JSON.stringify(json));
    expect(JSON.stringify(Conversation.fromMessages(conv.messages))).toBe(JSON.stringify(json));
  });

  it.each(messages)('message %s', (_id, json) => {
    expect(JSON.stringify(Message.fromJSON(json))).toBe(JSON.stringify(json));
  });

  it('accepts the Rust serde shape (no name, content as a string) and gives the reference shape', () => {
    const m = Message.fromJSON({ role: 'assistant', content: 'hi', channel: 'final' });
    expect(m.toJSON()).toEqual({ role: 'assistant', name: null, content: [{ type: 'text', text: 'hi' }], channel: 'final' });
    expect(Object.keys(m.toJSON())).toEqual(['role', 'name', 'content', 'channel']);
    const full = Message.fromJSON({
      role: 'tool',
      name: 'functions.x',
      recipient: 'assistant',
      content: '{}',
      channel: 'commentary',
      content_type: 'json',
    });
    expect(Object.keys(full.toJSON())).toEqual(['role', 'name', 'content', 'channel', 'recipient', 'content_type']);
    const nulls = Message.fromJSON({ role: 'user', name: null, content: [], channel: null, recipient: null, content_type: null });
    expect(nulls.toJSON()).toEqual({ role: 'user', name: null, content: [] });
  });

  it('accepts a bare array of messages and JSON strings', () => {
    const c = Conversation.fromJSON([{ role: 'user', content: 'a' }]);
    expect(c.messages).toHaveLength(1);
    expect(Conversation.fromJSON('{"messages":[{"role":"user","content":"a"}]}').toJSON()).toEqual(c.toJSON());
    expect(Message.fromJSON('{"role":"user","content":"a"}').text).toBe('a');
  });

  it('keeps absent system fields unset (Rust semantics, as the fixtures expect)', () => {
    const s = Message.fromJSON({ role: 'system', content: [{ type: 'system_content' }] }).content[0] as SystemContent;
    expect(s).toBeInstanceOf(SystemContent);
    expect(s.modelIdentity).toBeNull();
    expect(s.toJSON()).toEqual({ type: 'system_content' });
  });
});

describe('builders', () => {
  it('SystemContent.new() has the reference defaults, serialised as the reference does', () => {
    expect(SystemContent.new().toJSON()).toEqual({
      model_identity: 'You are ChatGPT, a large language model trained by OpenAI.',
      reasoning_effort: 'Medium',
      knowledge_cutoff: '2024-06',
      channel_config: { valid_channels: ['analysis', 'commentary', 'final'], channel_required: true },
      type: 'system_content',
    });
    expect(Object.keys(SystemContent.new().withConversationStartDate('2025-06-28').withBrowserTool().toJSON())).toEqual([
      'model_identity',
      'reasoning_effort',
      'conversation_start_date',
      'knowledge_cutoff',
      'channel_config',
      'tools',
      'type',
    ]);
  });

  it('browser() and python() are the reference data', () => {
    const found = conversations.find(([id]) => id === 'pub-render-0007');
    expect(found).toBeDefined();
    const sys = found![1].messages[0]!.content[0] as { tools: Record<string, unknown> };
    expect(ToolNamespaceConfig.browser().toJSON()).toEqual(sys.tools.browser);
    expect(ToolNamespaceConfig.python().toJSON()).toEqual(sys.tools.python);
    expect(JSON.stringify(ToolNamespaceConfig.browser())).toBe(JSON.stringify(sys.tools.browser));
  });

  it('a conversation built with builders renders like the reference', () => {
    const enc = loadHarmonyEncoding();
    const conv = Conversation.fromMessages([
      Message.fromRoleAndContent(Role.System, SystemContent.new().withConversationStartDate('2025-06-28')),
      Message.fromRoleAndContent(Role.User, 'What is 2 + 2?'),
    ]);
    // SPEC.md §9, first vector.
    expect(Array.from(enc.renderConversationForCompletion(conv, Role.Assistant))).toEqual([
      200006, 17360, 200008, 3575, 553, 17554, 162016, 11, 261, 4410, 6439, 2359, 22203, 656, 7788, 17527, 558, 87447,
      100594, 25, 220, 1323, 19, 12, 3218, 198, 6576, 3521, 25, 220, 1323, 20, 12, 3218, 12, 2029, 279, 30377, 289, 25,
      14093, 279, 2, 13888, 18403, 25, 8450, 11, 49159, 11, 1721, 13, 21030, 2804, 413, 7360, 395, 1753, 3176, 13, 200007,
      200006, 1428, 200008, 4827, 382, 220, 17, 659, 220, 17, 30, 200007, 200006, 173781,
    ]);
    const call = Message.fromRoleAndContent(Role.Assistant, '{"location":"Tokyo"}')
      .withChannel('commentary')
      .withRecipient('functions.get_weather')
      .withContentType('<|constrain|>json');
    expect(Array.from(enc.render(call))).toEqual([
      200006, 173781, 316, 28, 44580, 775, 170154, 200005, 12606, 815, 220, 200003, 4108, 200008, 10848, 7693, 7534, 173844,
      18583, 200012,
    ]);
    const tool = Message.fromAuthorAndContent(Author.new(Role.Tool, 'functions.get_weather'), '{"temp":20}')
      .withRecipient('assistant')
      .withChannel('commentary');
    expect(Array.from(enc.render(tool))).toEqual([200006, 44580, 775, 170154, 316, 28, 173781, 200005, 12606, 815, 200008, 10848, 7340, 1243, 455, 92, 200007]);
    expect(Array.from(enc.render(Message.fromRoleAndContents(Role.User, ['hel', 'lo'])))).toEqual([200006, 1428, 200008, 4161, 746, 200007]);
  });

  it('is immutable: with…/adding… return new objects, everything is frozen', () => {
    const a = Message.fromRoleAndContent(Role.User, 'hi');
    const b = a.withChannel('final');
    expect(a.channel).toBeNull();
    expect(b.channel).toBe('final');
    expect(a.addingContent('x').content).toHaveLength(2);
    expect(a.content).toHaveLength(1);
    for (const o of [a, a.content, a.author, SystemContent.new(), SystemContent.new().channelConfig, ToolNamespaceConfig.browser().tools]) {
      expect(Object.isFrozen(o)).toBe(true);
    }
    expect(() => {
      (a.content as TextContent[]).push(new TextContent('x'));
    }).toThrow(TypeError);
    const params = { type: 'object', properties: { a: { type: 'string' } } };
    const tool = ToolDescription.new('f', 'd', params);
    params.properties.a.type = 'number';
    expect(tool.toJSON().parameters).toEqual({ type: 'object', properties: { a: { type: 'string' } } });
    expect(Object.isFrozen(tool.parameters)).toBe(true);
    // toJSON hands out a fresh, mutable copy.
    const j = tool.toJSON();
    (j.parameters as { type: string }).type = 'x';
    expect((tool.parameters as { type: string }).type).toBe('object');
    const s1 = SystemContent.new();
    const s2 = s1.withReasoningEffort(ReasoningEffort.High);
    expect(s1.reasoningEffort).toBe('Medium');
    expect(s2.reasoningEffort).toBe('High');
  });

  it('withTools replaces a namespace of the same name in place; withFunctionTools sets "functions"', () => {
    const d = DeveloperContent.new()
      .withInstructions('Be nice')
      .withFunctionTools([ToolDescription.new('a', 'A')])
      .withTools(new ToolNamespaceConfig({ name: 'other', tools: [] }))
      .withFunctionTools([ToolDescription.new('b', 'B', { type: 'object' })]);
    expect(Object.keys(d.tools!)).toEqual(['functions', 'other']);
    expect(d.toJSON()).toEqual({
      instructions: 'Be nice',
      tools: {
        functions: { name: 'functions', tools: [{ name: 'b', description: 'B', parameters: { type: 'object' } }] },
        other: { name: 'other', tools: [] },
      },
      type: 'developer_content',
    });
    expect(ChannelConfig.requireChannels(['a']).toJSON()).toEqual({ valid_channels: ['a'], channel_required: true });
  });

  it('tools reads one frozen record per builder, kept in insertion order along a chain of withTools', () => {
    let s = SystemContent.new();
    for (let i = 0; i < 3000; i++) s = s.withTools(new ToolNamespaceConfig({ name: `ns${i}`, tools: [] }));
    s = s.withTools(new ToolNamespaceConfig({ name: 'ns0', tools: [ToolDescription.new('f', 'F')] }));
    const tools = s.tools!;
    expect(s.tools).toBe(tools);
    expect(Object.isFrozen(tools)).toBe(true);
    expect(Object.keys(tools)).toEqual(Array.from({ length: 3000 }, (_, i) => `ns${i}`));
    expect(tools.ns0!.tools.map((t) => t.name)).toEqual(['f']);
    expect(new SystemContent({ tools }).toJSON().tools).toEqual(s.toJSON().tools);
  });

  it('rejects unknown roles, content variants and malformed shapes with ERR_HARMONY_INVALID_ARGUMENT', () => {
    const bad: [() => unknown, string][] = [
      [() => Message.fromJSON({ role: 'robot' as never, content: 'x' }), 'unknown role: robot'],
      [() => Message.fromRoleAndContent('Assistant' as never, 'x'), 'unknown role: Assistant'],
      [() => Message.fromJSON({ role: 'user', content: [{ type: 'image' } as never] }), 'Unknown content variant'],
      [() => Message.fromJSON({ role: 'user', content: null as never }), 'content'],
      [() => Message.fromJSON('{not json'), 'invalid message JSON'],
      [() => Conversation.fromJSON({ messages: [{ role: 'user', content: 'a' }, { role: 'nobody' as never, content: 'b' }] }), 'unknown role: nobody'],
      [() => Conversation.fromJSON(42 as never), 'conversation must be'],
      [() => Message.fromJSON({ role: 'system', content: [{ type: 'system_content', reasoning_effort: 'low' as never }] }), 'unknown variant'],
      [() => ToolDescription.new('f', 'd', { f: () => 1 } as never), 'not JSON'],
      [() => Message.fromRoleAndContent(Role.User, 'x').withChannel(3 as never), 'channel must be a string'],
    ];
    for (const [fn, text] of bad) {
      let caught: unknown;
      try {
        fn();
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(HarmonyError);
      expect((caught as HarmonyError).code).toBe('ERR_HARMONY_INVALID_ARGUMENT');
      expect((caught as HarmonyError).message).toContain(text);
    }
    try {
      Conversation.fromJSON({ messages: [{ role: 'user', content: 'a' }, { role: 'nobody' as never, content: 'b' }] });
    } catch (e) {
      expect((e as HarmonyError).messageIndex).toBe(1);
      expect((e as HarmonyError).field).toBe('messages[1].role');
    }
  });

  it('shows builders as their JSON in console output', async () => {
    const { inspect } = await import('node:util');
    expect(inspect(Message.fromRoleAndContent(Role.User, 'hi'))).toBe('Message {"role":"user","name":null,"content":[{"type":"text","text":"hi"}]}');
  });
});
