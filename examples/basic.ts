// Basic usage: build a conversation, render it for the model, parse what the model sampled.
// Run: npx tsx examples/basic.ts (after `npm run build`)
import {
  Conversation,
  DeveloperContent,
  loadHarmonyEncoding,
  Message,
  ReasoningEffort,
  Role,
  SystemContent,
} from 'gpt-oss-harmony';

const encoding = loadHarmonyEncoding('HarmonyGptOss');

const conversation = Conversation.fromMessages([
  Message.fromRoleAndContent(
    Role.System,
    SystemContent.new().withReasoningEffort(ReasoningEffort.Low).withConversationStartDate('2025-06-28'),
  ),
  Message.fromRoleAndContent(Role.Developer, DeveloperContent.new().withInstructions('Answer in one sentence.')),
  Message.fromRoleAndContent(Role.User, 'What is 2 + 2?'),
]);

// The prompt: every message, then `<|start|>assistant` for the model to continue.
const prompt = encoding.renderConversationForCompletion(conversation, Role.Assistant);
console.log(`prompt: ${prompt.length} tokens`);
console.log(encoding.decodeUtf8(prompt));

// What a model might sample after the prompt (here encoded from text for the demo).
const completion = encoding.encode(
  '<|channel|>analysis<|message|>Simple arithmetic.<|end|>' +
    '<|start|>assistant<|channel|>final<|message|>2 + 2 = 4.<|return|>',
  { allowedSpecial: 'all' },
);
for (const message of encoding.parseMessagesFromCompletionTokens(completion, Role.Assistant)) {
  console.log(`[${message.role}/${message.channel}] ${message.text}`);
}

// Messages are plain JSON in the reference's shape: JSON.stringify gives what Python reads back.
console.log(JSON.stringify(conversation.messages[2]));
console.log(`stop tokens: ${encoding.stopTokensForAssistantActions().join(', ')}`);
