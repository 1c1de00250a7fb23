// A fake gpt-oss: replays recorded Harmony completions (the tokens after `<|start|>assistant`),
// generated here with the package's own encoder, in small token batches like a sampler would.
import { loadHarmonyEncoding } from '../../dist/esm/index.js';

const enc = loadHarmonyEncoding();
const encode = (text) => enc.encode(text, { allowedSpecial: 'all' });

/** Recorded completions, by scenario name. The malformed ones are what real models do. */
export const recordings = {
  answer: '<|channel|>analysis<|message|>User greets. Reply briefly.<|end|><|start|>assistant<|channel|>final<|message|>Hello! How can I help?<|return|>',
  // Two calls sampled back to back (both fit in one batch), the second one with a preamble.
  'two-calls':
    '<|channel|>analysis<|message|>Need weather for both cities.<|end|>' +
    '<|start|>assistant to=functions.get_weather<|channel|>commentary <|constrain|>json<|message|>{"city":"Paris"}<|call|>' +
    '<|start|>assistant to=functions.get_weather<|channel|>commentary <|constrain|>json<|message|>{"city":"Tokyo"}<|call|>',
  // A tool call on the analysis channel, with a tool name that is not a TS identifier in the request.
  'analysis-call': '<|channel|>analysis to=functions.get-time <|constrain|>json<|message|>{"tz":"UTC"}<|call|>',
  // The model writes <|return|> again after <|end|>: gateways used to answer 500.
  'stray-return': '<|channel|>final<|message|>Done.<|end|><|return|>',
  // A header the parser cannot read: the text must still reach the client.
  'broken-header': '<|channel|>final<|message|>Part one.<|end|><|start|>assistant oops bad header<|message|>Part two.<|return|>',
  // Cut off by max_tokens in the middle of the answer.
  truncated: '<|channel|>analysis<|message|>Long thought<|end|><|start|>assistant<|channel|>final<|message|>The answer is',
  // Control tokens leaking into the tool name.
  'dirty-recipient': '<|channel|>commentary to=functions.manage_cart<|channel|>commentary <|constrain|>json<|message|>{"op":"add"}<|call|>',
  // The built-in tools: a browser search and a python call, both on the analysis channel.
  builtins:
    '<|channel|>analysis<|message|>Search, then compute.<|end|>' +
    '<|start|>assistant<|channel|>analysis to=browser.search code<|message|>{"query":"Paris population"}<|call|>' +
    '<|start|>assistant<|channel|>analysis to=python code<|message|>print(2_100_000 / 105)<|call|>',
};

/** The tokens of a scenario. */
export function completionTokens(name) {
  const text = recordings[name];
  if (text === undefined) throw new Error(`unknown scenario ${name}`);
  return encode(text);
}

/** Yields the scenario's tokens in batches of `batch` tokens (a whole call may fit in one). */
export async function* sample(name, batch = 4) {
  const tokens = completionTokens(name);
  for (let i = 0; i < tokens.length; i += batch) {
    await new Promise((resolve) => setImmediate(resolve));
    yield tokens.subarray(i, i + batch);
  }
}
