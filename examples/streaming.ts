// Streaming parser: typed events as tokens arrive, from an async source of token batches.
// Run: npx tsx examples/streaming.ts (after `npm run build`)
import { HarmonyParseStream, loadHarmonyEncoding, parseStream, Role, StreamableParser } from 'gpt-oss-harmony';

const encoding = loadHarmonyEncoding();
const sampled = encoding.encode(
  '<|channel|>analysis<|message|>The user greets me. 🙂<|end|>' +
    '<|start|>assistant to=functions.lookup<|channel|>commentary <|constrain|>json<|message|>{"q":"hello"}<|call|>',
  { allowedSpecial: 'all' },
);

// A fake model: yields the tokens in batches of 3, as an inference server would.
async function* model(): AsyncGenerator<Uint32Array> {
  for (let i = 0; i < sampled.length; i += 3) {
    await new Promise((resolve) => setTimeout(resolve, 1));
    yield sampled.subarray(i, i + 3);
  }
}

for await (const event of parseStream(model(), { encoding, role: Role.Assistant })) {
  switch (event.type) {
    case 'message-start':
      console.log(`\n-- ${event.role} channel=${event.channel ?? '-'} recipient=${event.recipient ?? '-'}`);
      break;
    case 'content-delta':
      process.stdout.write(event.delta);
      break;
    case 'message-end':
      console.log(`\n-- end (${event.stopToken})`);
      break;
    case 'tool-call':
      console.log(`tool call: ${event.recipient} ${event.arguments}`);
      break;
  }
}

// The same as a Web TransformStream.
const events = ReadableStream.from(model()).pipeThrough(new HarmonyParseStream({ encoding, role: Role.Assistant }));
let count = 0;
for await (const _event of events) count++;
console.log(`TransformStream: ${count} events`);

// Token by token, reading the reference accessors, as the Python StreamableParser does.
const parser = new StreamableParser(encoding, Role.Assistant);
for (const token of sampled) {
  parser.process(token);
  if (parser.lastContentDelta !== null) process.stdout.write(`[${parser.lastContentDelta}]`);
}
parser.processEos();
console.log(`\n${parser.messages.length} messages`);
