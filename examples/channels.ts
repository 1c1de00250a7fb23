// Channel management: analysis / commentary / final, required channels, and how the chain of
// thought (analysis) of earlier turns is dropped when a conversation is rendered again.
// Run: npx tsx examples/channels.ts (after `npm run build`)
import { Conversation, loadHarmonyEncoding, Message, Role, SystemContent } from 'gpt-oss-harmony';

const encoding = loadHarmonyEncoding();
const text = (tokens: Uint32Array) => encoding.decodeUtf8(tokens);

const conversation = Conversation.fromMessages([
  Message.fromRoleAndContent(Role.System, SystemContent.new().withRequiredChannels(['analysis', 'commentary', 'final'])),
  Message.fromRoleAndContent(Role.User, 'What is 2 + 2?'),
  Message.fromRoleAndContent(Role.Assistant, 'Simple: 4.').withChannel('analysis'),
  Message.fromRoleAndContent(Role.Assistant, '4').withChannel('final'),
  Message.fromRoleAndContent(Role.User, 'And 3 + 5?'),
]);

// Default (autoDropAnalysis: true): the finished turn's analysis is not sent again.
console.log(text(encoding.renderConversationForCompletion(conversation, Role.Assistant)));
console.log('\n-- keeping analysis:');
console.log(text(encoding.renderConversationForCompletion(conversation, Role.Assistant, { autoDropAnalysis: false })));

// Training examples end with <|return|> when the last message is the assistant's final answer.
const training = Conversation.fromMessages([
  ...conversation.messages.slice(0, 2),
  Message.fromRoleAndContent(Role.Assistant, '2 + 2 = 4').withChannel('final'),
]);
console.log('\n-- for training:');
console.log(text(encoding.renderConversationForTraining(training)));

// Parsing sorts sampled messages by channel.
const sampled = encoding.encode(
  '<|channel|>analysis<|message|>8.<|end|><|start|>assistant<|channel|>final<|message|>3 + 5 = 8<|return|>',
  { allowedSpecial: 'all' },
);
for (const m of encoding.parseMessagesFromCompletionTokens(sampled, Role.Assistant)) {
  console.log(`${m.channel === 'final' ? 'show to user' : 'hide'}: ${m.text}`);
}
