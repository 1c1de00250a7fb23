// Tool integration: function tools and the built-in browser/python namespaces, and one tool-call
// round trip (model calls a function, the tool answers, the model continues).
// Run: npx tsx examples/tools.ts (after `npm run build`)
import {
  Author,
  Conversation,
  DeveloperContent,
  loadHarmonyEncoding,
  Message,
  Role,
  SystemContent,
  ToolDescription,
} from 'gpt-oss-harmony';

const encoding = loadHarmonyEncoding();

const getWeather = ToolDescription.new('get_weather', 'Gets the current weather for a location.', {
  type: 'object',
  properties: {
    location: { type: 'string', description: 'City and country, e.g. Tokyo, Japan' },
    unit: { type: 'string', enum: ['celsius', 'fahrenheit'], default: 'celsius' },
  },
  required: ['location'],
});

const system = SystemContent.new().withBrowserTool().withPythonTool();
const developer = DeveloperContent.new().withInstructions('Use tools when helpful.').withFunctionTools([getWeather]);

const developerMessage = Message.fromRoleAndContent(Role.Developer, developer);
const prompt = [
  Message.fromRoleAndContent(Role.System, system),
  developerMessage,
  Message.fromRoleAndContent(Role.User, 'What is the weather in Tokyo?'),
];

// The developer message renders the tools as a TypeScript namespace.
console.log(encoding.decodeUtf8(encoding.render(developerMessage)));

// The model asks for a tool call; it ends with <|call|>.
const sampled = encoding.encode(
  '<|channel|>analysis<|message|>Need the weather tool.<|end|>' +
    '<|start|>assistant to=functions.get_weather<|channel|>commentary <|constrain|>json<|message|>{"location":"Tokyo, Japan"}<|call|>',
  { allowedSpecial: 'all' },
);
const call = encoding.parseMessagesFromCompletionTokens(sampled, Role.Assistant).find((m) => m.recipient !== null);
if (call === undefined) throw new Error('the model made no tool call');
console.log(`tool call to ${call.recipient} (${call.contentType}): ${call.text}`);

// Run the tool, append its answer as a tool message from `functions.get_weather` back to the assistant.
const args = JSON.parse(call.text) as { location: string };
const result = Message.fromAuthorAndContent(
  Author.new(Role.Tool, 'functions.get_weather'),
  JSON.stringify({ location: args.location, temperature: 21, unit: 'celsius' }),
)
  .withRecipient('assistant')
  .withChannel('commentary');
const conversation = Conversation.fromMessages([...prompt, call, result]);

const next = encoding.renderConversationForCompletion(conversation, Role.Assistant);
console.log(`next prompt: ${next.length} tokens, ends with:`);
console.log(encoding.decodeUtf8(next.subarray(next.length - 40)));
