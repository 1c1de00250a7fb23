// Parse: the ~100k-token completion (~1 500 assistant messages: analysis, tool calls with
// <|constrain|>json, final answers) → messages, strict, with the first message's role given as
// "assistant". The expected messages are the ones the corpus generator wrote the text from.

import * as canonical from './lib/canonical.mjs';
import { corpus, referenceTokens } from './lib/inputs.mjs';
import { peer } from './lib/peers.mjs';
import { pythonCase } from './lib/python.mjs';

export default {
  id: 'parse',
  title: 'Parse a completion',
  unit: 'ms',
  better: 'lower',
  description: 'parse_messages_from_completion_tokens(tokens, role=assistant, strict) on the whole completion; time per parse.',

  async inputs() {
    const { completion } = corpus();
    const tokens = await referenceTokens(completion.text, true);
    return [{
      name: `${completion.message_count} messages`,
      value: tokens,
      spec: { completion: true },
      describe: { tokens: tokens.length, messages: completion.message_count },
      messages: completion.messages,
    }];
  },
  call: (parse, tokens) => parse(tokens),
  canonical: canonical.messages,
  expected: (input) => canonical.messages(input.messages),
  score: (ms) => ms,

  CASES: [
    {
      name: 'gpt-oss-harmony',
      peer: 'gpt-oss-harmony',
      product: true,
      note: 'parseMessagesFromCompletionTokens(tokens, "assistant") → Message objects; checked through their toJSON()',
      async setup() {
        const enc = await peer('gpt-oss-harmony');
        return (tokens) => enc.parseMessagesFromCompletionTokens(tokens, 'assistant');
      },
      check: (parse, tokens) => parse(tokens).map((m) => m.toJSON()),
    },
    {
      name: 'openai-harmony (WASM)',
      peer: 'openai-harmony',
      reference: true,
      note: 'returns a JSON string; JSON.parse included',
      async setup() {
        const { encoding } = await peer('openai-harmony');
        return (tokens) => JSON.parse(encoding.parseMessagesFromCompletionTokens(tokens, 'assistant'));
      },
    },
    pythonCase('parse'),
  ],
};
