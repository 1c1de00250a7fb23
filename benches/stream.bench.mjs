// Streaming: the completion's tokens fed to a streaming parser as they would arrive from a model, in
// chunks of 1, 16 and 256 tokens, reading the content delta after every token. The peers have no
// batch call, so they process a chunk token by token; a batch API (processMany) can use the chunk.
// The concatenated deltas must equal the concatenated message texts.

import * as canonical from './lib/canonical.mjs';
import { corpus, referenceTokens } from './lib/inputs.mjs';
import { peer } from './lib/peers.mjs';
import { pythonCase } from './lib/python.mjs';

const CHUNK_SIZES = [1, 16, 256];

function chunked(tokens, size) {
  const chunks = [];
  for (let i = 0; i < tokens.length; i += size) chunks.push(tokens.subarray(i, i + size));
  return chunks;
}

export default {
  id: 'stream',
  title: 'Stream-parse a completion',
  unit: 'ns/token',
  better: 'lower',
  description: 'Streaming parser over the ~100k-token completion, reading every content delta; time per token.',

  async inputs() {
    const { completion } = corpus();
    const tokens = await referenceTokens(completion.text, true);
    const expected = completion.messages.map((m) => m.content[0].text).join('');
    return CHUNK_SIZES.map((size) => ({
      name: `chunks of ${size}`,
      value: chunked(tokens, size),
      spec: { completion: true, chunk: size },
      describe: { tokens: tokens.length, 'tokens per chunk': size },
      expected,
    }));
  },
  // Each setup returns stream(chunks) -> concatenated deltas, with a fresh parser per call.
  call: (stream, chunks) => stream(chunks),
  canonical: canonical.text,
  expected: (input) => input.expected,
  score: (ms, input) => (ms * 1e6) / input.describe.tokens,

  CASES: [
    {
      name: 'gpt-oss-harmony',
      peer: 'gpt-oss-harmony',
      product: true,
      note: 'StreamableParser.process + lastContentDelta per token',
      async setup() {
        const [enc, { StreamableParser }] = await Promise.all([peer('gpt-oss-harmony'), peer('gpt-oss-harmony:module')]);
        return (chunks) => {
          const parser = new StreamableParser(enc, 'assistant');
          let out = '';
          for (const chunk of chunks) {
            for (const token of chunk) {
              parser.process(token);
              const delta = parser.lastContentDelta;
              if (delta) out += delta;
            }
          }
          return out;
        };
      },
    },
    {
      name: 'gpt-oss-harmony (processMany)',
      peer: 'gpt-oss-harmony',
      product: true,
      note: 'StreamableParser.processMany(chunk) per chunk, concatenating its content-delta events',
      async setup() {
        const [enc, { StreamableParser }] = await Promise.all([peer('gpt-oss-harmony'), peer('gpt-oss-harmony:module')]);
        return (chunks) => {
          const parser = new StreamableParser(enc, 'assistant');
          let out = '';
          for (const chunk of chunks) {
            for (const event of parser.processMany(chunk)) if (event.type === 'content-delta') out += event.delta;
          }
          return out;
        };
      },
    },
    {
      name: 'gpt-oss-harmony (ChatCompletionChunkMapper)',
      peer: 'gpt-oss-harmony',
      product: true,
      note: 'gateway: ChatCompletionChunkMapper.push(chunk) per chunk, concatenating the chunks\' content, reasoning and argument deltas',
      async setup() {
        const { ChatCompletionChunkMapper } = await import('gpt-oss-harmony/gateway');
        return (chunks) => {
          const mapper = new ChatCompletionChunkMapper({ id: 'chatcmpl-bench', created: 0 });
          let out = '';
          const add = (list) => {
            for (const { choices } of list) {
              const d = choices[0]?.delta;
              if (d) out += d.content ?? d.reasoning_content ?? d.tool_calls?.[0]?.function.arguments ?? '';
            }
          };
          for (const chunk of chunks) add(mapper.push(chunk));
          add(mapper.end());
          return out;
        };
      },
    },
    {
      name: 'gpt-oss-harmony (ResponseEventMapper)',
      peer: 'gpt-oss-harmony',
      product: true,
      note: 'gateway: ResponseEventMapper.push(chunk) per chunk, concatenating the delta events (a web search call\'s arguments from its done item)',
      async setup() {
        const { ResponseEventMapper } = await import('gpt-oss-harmony/gateway');
        return (chunks) => {
          const mapper = new ResponseEventMapper({ id: 'resp_bench', created: 0 });
          let out = '';
          const add = (list) => {
            for (const ev of list) {
              if (ev.delta !== undefined) out += ev.delta;
              else if (ev.type === 'response.output_item.done' && ev.item.type === 'web_search_call') out += ev.item.arguments;
            }
          };
          for (const chunk of chunks) add(mapper.push(chunk));
          add(mapper.end());
          return out;
        };
      },
    },
    {
      name: 'openai-harmony (WASM)',
      peer: 'openai-harmony',
      reference: true,
      note: 'StreamableParser.process + lastContentDelta per token',
      async setup() {
        const { harmony, encoding } = await peer('openai-harmony');
        return (chunks) => {
          const parser = new harmony.JsStreamableParser(encoding, 'assistant');
          let out = '';
          for (const chunk of chunks) {
            for (const token of chunk) {
              parser.process(token);
              const delta = parser.lastContentDelta;
              if (delta) out += delta;
            }
          }
          parser.free();
          return out;
        };
      },
    },
    pythonCase('stream'),
  ],
};
