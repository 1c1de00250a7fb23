// Render: a conversation (reference JSON shape) → prompt tokens, as
// render_conversation_for_completion(conversation, "assistant", { auto_drop_analysis: false }) —
// the call the corpus records for these inputs — for conversations of 10, 100 and 1000 messages with
// a system message, developer instructions and function tools, analysis/final turns and tool calls.
//
// gpt-tokenizer's encodeChat only frames messages whose content is already text: it has no notion of
// system/developer content or tool schemas. Its input therefore gets the system and developer bodies
// pre-rendered by the reference (outside the timing), which favours it: it skips that work.

import * as canonical from './lib/canonical.mjs';
import { corpus } from './lib/inputs.mjs';
import { peer } from './lib/peers.mjs';
import { pythonCase } from './lib/python.mjs';

// Body text the reference renders for a system or developer message of a conversation with tools.
async function renderedBody(message) {
  const { encoding } = await peer('openai-harmony');
  const text = encoding.decodeUtf8(encoding.render(message, { conversation_has_function_tools: true }));
  return text.slice(text.indexOf('<|message|>') + '<|message|>'.length, text.lastIndexOf('<|end|>'));
}

// A reference-shaped message as gpt-tokenizer's Harmony ChatMessage. The reference writes a tool call
// as "assistant to=R<|channel|>commentary <|constrain|>json", so the recipient goes in the role part
// and the channel carries the space that precedes <|constrain|>.
async function toGptTokenizerMessage(m) {
  const content = m.content[0].type === 'text' ? m.content[0].text : await renderedBody(m);
  const chat = { role: m.role, content };
  if (m.role === 'tool') chat.name = m.name;
  if (m.channel) chat.channel = m.channel;
  if (m.recipient) Object.assign(chat, { recipient: m.recipient, recipientPlacement: 'role' });
  if (m.content_type?.startsWith('<|constrain|>')) {
    Object.assign(chat, { channel: `${m.channel} `, constraint: m.content_type.slice('<|constrain|>'.length) });
  }
  if (m.role === 'assistant' && m.recipient) chat.terminator = '<|call|>';
  return chat;
}

export default {
  id: 'render',
  title: 'Render a conversation',
  unit: 'ms',
  better: 'lower',
  description: 'render_conversation_for_completion(conversation, assistant, auto_drop_analysis=false); time per conversation.',

  async inputs() {
    const { conversations } = corpus();
    const { encoding } = await peer('openai-harmony');
    return conversations.map((c, index) => ({
      name: c.name,
      value: c.conversation,
      spec: { conversation: index },
      describe: {
        messages: c.message_count,
        tokens: encoding.renderConversationForCompletion(c.conversation, c.render.next_turn_role, c.render.config).length,
      },
    }));
  },
  call: (render, conversation) => render(conversation),
  canonical: canonical.tokens,
  score: (ms) => ms,

  CASES: [
    {
      name: 'gpt-oss-harmony',
      peer: 'gpt-oss-harmony',
      product: true,
      note: 'renderConversationForCompletion(conversation JSON object, "assistant", { autoDropAnalysis: false }); the call includes reading the plain objects',
      async setup() {
        const enc = await peer('gpt-oss-harmony');
        const options = { autoDropAnalysis: false };
        return (conversation) => enc.renderConversationForCompletion(conversation, 'assistant', options);
      },
    },
    {
      name: 'gpt-oss-harmony (Conversation)',
      peer: 'gpt-oss-harmony',
      product: true,
      note: 'the same call on a Conversation built with Conversation.fromJSON outside the timing (as the Python row)',
      prepare: async (conversation) => (await peer('gpt-oss-harmony:module')).Conversation.fromJSON(conversation),
      async setup() {
        const enc = await peer('gpt-oss-harmony');
        const options = { autoDropAnalysis: false };
        return (conversation) => enc.renderConversationForCompletion(conversation, 'assistant', options);
      },
    },
    {
      name: 'openai-harmony (WASM)',
      peer: 'openai-harmony',
      reference: true,
      async setup() {
        const { encoding } = await peer('openai-harmony');
        const config = { auto_drop_analysis: false };
        return (conversation) => encoding.renderConversationForCompletion(conversation, 'assistant', config);
      },
    },
    {
      name: 'gpt-tokenizer',
      peer: 'gpt-tokenizer',
      note: 'encodeChat; system/developer bodies pre-rendered by the reference, untimed',
      prepare: (conversation) => Promise.all(conversation.messages.map(toGptTokenizerMessage)),
      async setup() {
        const t = await peer('gpt-tokenizer');
        return (chat) => t.encodeChat(chat);
      },
    },
    pythonCase('render', 'Conversation built outside the timing; the call includes its to_json()'),
  ],
};
