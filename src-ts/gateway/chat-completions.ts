/**
 * OpenAI Chat Completions ↔ Harmony: the request mapper, the chunk mapper (token batches →
 * `chat.completion.chunk` objects), and the whole completion, which is the chunks folded (so
 * the two cannot disagree).
 *
 * @module
 */

import { Message, type RecoveringEvent, type Recovery, type TokenInput } from '../index.js';
import { CallerObject, guarded, invalidInput, shown, toList } from './input.js';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionChunkChoice,
  ChatCompletionDelta,
  ChatCompletionMessage,
  ChatCompletionRequest,
  ChatCompletionUsage,
  ChatFinishReason,
  ChatToolCall,
} from './openai-types.js';
import { newId, settings, type ChatCompletionChunkOptions, type GatewayOptions, type Settings } from './options.js';
import { callName, classify, PendingRecoveries, streamedOutput, wholeOutput, type MessageKind, type ModelOutput, type TokenCounts } from './output.js';
import {
  callMessage,
  contentText,
  functionTool,
  harmonyRequest,
  newPrologue,
  optionalContentText,
  requestToolNames,
  responseFormat,
  toolResultMessage,
  type HarmonyRequest,
  type RequestOptions,
} from './prompt.js';

/**
 * A Chat Completions request body → the Harmony conversation to render (and the tool-name map).
 * `system`/`developer` messages become the developer instructions; `tools` its function tools;
 * `reasoning_effort` the system message's; `response_format` json_schema the structured-output
 * section; assistant `reasoning_content`/`reasoning`/`thinking` an analysis message, `tool_calls` commentary
 * calls, and `tool` messages the results of the call with their `tool_call_id`.
 * The request is read through its own properties only; anything gpt-oss cannot take (an image
 * part, a custom tool, a malformed field) throws `ERR_HARMONY_INVALID_ARGUMENT` naming the field.
 */
export function chatCompletionsToHarmony(request: ChatCompletionRequest, options: RequestOptions = {}): HarmonyRequest {
  const toolNames = requestToolNames(options);
  const req = CallerObject.of(request, 'request');
  const prologue = newPrologue(req.get('reasoning_effort'), req.at('reasoning_effort'));
  for (const [i, raw] of req.optionalList('tools').entries()) {
    const tool = CallerObject.of(raw, `${req.at('tools')}[${i}]`);
    if (tool.get('type') !== 'function') throw invalidInput(`${tool.at('type')} must be 'function' (gpt-oss calls functions only)`, tool.at('type'));
    prologue.functions.push(functionTool(tool.record('function')));
  }
  const format = req.optionalRecord('response_format');
  if (format !== undefined) {
    const type = format.get('type');
    if (type === 'json_schema') prologue.responseFormat = responseFormat(format.record('json_schema'));
    else if (type !== 'text' && type !== 'json_object') throw invalidInput(`${format.at('type')}: unknown response format ${shown(type)}`, format.at('type'));
  }

  const body: Message[] = [];
  const callNames = new Map<string, string>();
  for (const [i, raw] of req.list('messages').entries()) {
    const m = CallerObject.of(raw, `${req.at('messages')}[${i}]`);
    const role = m.get('role');
    switch (role) {
      case 'system':
      case 'developer':
        prologue.instructions.push(contentText(m.get('content'), m.at('content')));
        break;
      case 'user':
        body.push(Message.fromRoleAndContent('user', contentText(m.get('content'), m.at('content'))));
        break;
      case 'assistant': {
        const reasoning = m.optionalText('reasoning_content') ?? m.optionalText('reasoning') ?? m.optionalText('thinking');
        if (reasoning) body.push(Message.fromRoleAndContent('assistant', reasoning).withChannel('analysis'));
        const calls = m.optionalList('tool_calls');
        const text = optionalContentText(m.get('content'), m.at('content'));
        // Text next to tool calls is a preamble, which Harmony puts on commentary.
        if (text) body.push(Message.fromRoleAndContent('assistant', text).withChannel(calls.length > 0 ? 'commentary' : 'final'));
        for (const [j, rawCall] of calls.entries()) {
          const call = CallerObject.of(rawCall, `${m.at('tool_calls')}[${j}]`);
          if (call.get('type') !== 'function') throw invalidInput(`${call.at('type')} must be 'function'`, call.at('type'));
          const f = call.record('function');
          const name = toolNames.add(f.text('name'));
          callNames.set(call.text('id'), name);
          body.push(callMessage(name, f.text('arguments')));
        }
        break;
      }
      case 'tool': {
        const id = m.text('tool_call_id');
        const name = callNames.get(id);
        if (name === undefined) throw invalidInput(`${m.at('tool_call_id')} ${JSON.stringify(id)} matches no earlier tool call`, m.at('tool_call_id'));
        body.push(toolResultMessage(name, contentText(m.get('content'), m.at('content'))));
        break;
      }
      default:
        throw invalidInput(`${m.at('role')}: unsupported role ${shown(role)}`, m.at('role'));
    }
  }
  return harmonyRequest(prologue, body, toolNames);
}

/** What a chunk's delta is carrying. */
type DeltaKind = 'text' | 'reasoning' | 'args';

/** `usage` from token counts. */
function chatUsage(counts: TokenCounts): ChatCompletionUsage {
  return {
    prompt_tokens: counts.prompt,
    completion_tokens: counts.completion,
    total_tokens: counts.prompt + counts.completion,
    completion_tokens_details: { reasoning_tokens: counts.reasoning },
  };
}

/** Token batches → chunks, over streamed or whole model output. */
class ChunkMapping {
  #kind: MessageKind | null = null;
  #callIndex = -1;
  #roleSent = false;
  #finished = false;
  readonly #pending = new PendingRecoveries();

  constructor(
    readonly settings: Settings,
    readonly output: ModelOutput,
  ) {}

  push(tokens: TokenInput): ChatCompletionChunk[] {
    if (this.#finished) throw invalidInput('push after end()', 'tokens');
    return this.#map(this.output.push(tokens));
  }

  end(): ChatCompletionChunk[] {
    if (this.#finished) return [];
    this.#finished = true;
    const chunks = this.#map(this.output.end());
    const reason: ChatFinishReason = this.output.truncated ? 'length' : this.#callIndex >= 0 ? 'tool_calls' : 'stop';
    chunks.push(this.#chunk({}, reason));
    if (this.settings.includeUsage) {
      const { id, created, model } = this.settings;
      chunks.push({ id, object: 'chat.completion.chunk', created, model, choices: [], usage: this.usage });
    }
    return chunks;
  }

  get usage(): ChatCompletionUsage {
    return chatUsage(this.output.counts());
  }

  #map(events: RecoveringEvent[]): ChatCompletionChunk[] {
    const out: ChatCompletionChunk[] = [];
    /** The delta of the last chunk of this batch, to merge consecutive text into it. */
    let open: ChatCompletionDelta | null = null;
    let openKind: DeltaKind | null = null;
    for (const ev of events) {
      switch (ev.type) {
        case 'content-delta': {
          const kind = this.#kind;
          const deltaKind: DeltaKind = kind === null || kind.kind === 'text' ? 'text' : kind.kind === 'call' ? 'args' : 'reasoning';
          if (open !== null && openKind === deltaKind) {
            appendDelta(open, ev.delta);
            break;
          }
          const delta: ChatCompletionDelta =
            deltaKind === 'text'
              ? { content: ev.delta }
              : deltaKind === 'reasoning'
                ? { reasoning_content: ev.delta, reasoning: ev.delta }
                : { tool_calls: [{ index: this.#callIndex, function: { arguments: ev.delta } }] };
          const chunk = this.#chunk(delta);
          out.push(chunk);
          open = (chunk.choices[0] as ChatCompletionChunkChoice).delta;
          openKind = deltaKind;
          break;
        }
        case 'message-start': {
          const kind = classify(ev);
          this.#kind = kind;
          open = null;
          if (kind.kind === 'call') {
            this.#callIndex++;
            const name = callName(kind, this.settings.toolNames);
            out.push(this.#chunk({ tool_calls: [{ index: this.#callIndex, id: newId('call_'), type: 'function', function: { name, arguments: '' } }] }));
          }
          break;
        }
        case 'message-end':
          this.#kind = null;
          open = null;
          break;
        case 'recovered':
          this.#pending.add(ev);
          break;
        default:
          break;
      }
    }
    // A recovery with no chunk of its own after it still reaches the client.
    if (this.#pending.waiting) out.push(this.#chunk({}));
    return out;
  }

  #chunk(delta: ChatCompletionDelta, finish: ChatFinishReason | null = null): ChatCompletionChunk {
    if (!this.#roleSent) {
      this.#roleSent = true;
      delta = { role: 'assistant', ...delta };
    }
    const { id, created, model } = this.settings;
    const chunk: ChatCompletionChunk = {
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
    };
    if (this.#pending.waiting) chunk.recovered = this.#pending.take();
    return chunk;
  }
}

/**
 * The streaming mapper: `push(tokens)` for each sampled batch (the tokens after
 * `<|start|>assistant`), `end()` at the end of the stream; each returns `chat.completion.chunk`
 * objects. Tool calls: a first fragment with `id`, `type` and `function.name`, then `arguments`
 * fragments, all with the call's `index`, whatever the batch boundaries. With
 * `includeUsage` (the request's `stream_options.include_usage`), `end()` closes with a usage
 * chunk.
 */
export class ChatCompletionChunkMapper {
  readonly #mapping: ChunkMapping;

  constructor(options: ChatCompletionChunkOptions = {}) {
    const s = settings(options, 'chatcmpl-');
    this.#mapping = new ChunkMapping(s, streamedOutput(s));
  }

  /** Feeds a batch of sampled tokens; returns the chunks it produced. */
  push(tokens: TokenInput): ChatCompletionChunk[] {
    return this.#mapping.push(tokens);
  }

  /** Ends the stream: the remaining chunks, then one with `finish_reason` (and the usage chunk, if asked for). */
  end(): ChatCompletionChunk[] {
    return this.#mapping.end();
  }

  /** Token counts so far (the usage chunk's, before the stream ends). */
  get usage(): ChatCompletionUsage {
    return this.#mapping.usage;
  }
}

/** @deprecated The former name of `ChatCompletionChunkMapper` (it maps; it is not a stream). */
export const ChatCompletionChunkStream = ChatCompletionChunkMapper;
/** @deprecated The former name of `ChatCompletionChunkMapper`. */
export type ChatCompletionChunkStream = ChatCompletionChunkMapper;

function appendDelta(delta: ChatCompletionDelta, text: string): void {
  // Own properties: the chunk is ours, but a polluted Object.prototype would answer for it.
  if (Object.hasOwn(delta, 'tool_calls')) delta.tool_calls![0]!.function.arguments += text;
  else if (Object.hasOwn(delta, 'reasoning_content')) {
    delta.reasoning_content += text;
    delta.reasoning = delta.reasoning_content;
  } else delta.content = (delta.content ?? '') + text;
}

/**
 * A finished completion (the tokens after `<|start|>assistant`, as sampled) → a `chat.completion`
 * with `usage`, parsed in one native call. It is the chunks folded: `content`, `reasoning_content`/`reasoning` and each
 * call's `arguments` are the concatenations of the chunks' fragments.
 */
export function harmonyToChatCompletion(tokens: TokenInput, options: GatewayOptions = {}): ChatCompletion {
  const s = settings(options, 'chatcmpl-');
  const mapping = new ChunkMapping(s, wholeOutput(s));
  const completion = fold([...mapping.push(tokens), ...mapping.end()]);
  completion.usage = mapping.usage;
  return completion;
}

/**
 * Adds chunks up into the whole completion (`usage` from the usage chunk, when there is one).
 */
export function foldChunks(chunks: readonly ChatCompletionChunk[]): ChatCompletion {
  // The caller's chunks: a list, and what is not a chunk's shape is its mistake.
  const list = toList(chunks, 'chunks') as ChatCompletionChunk[];
  return guarded('chunks', () => fold(list));
}

/** `foldChunks` of the mapper's own chunks. */
function fold(chunks: readonly ChatCompletionChunk[]): ChatCompletion {
  let content: string | null = null;
  let reasoning: string | null = null;
  const calls: ChatToolCall[] = [];
  const recovered: Recovery[] = [];
  let finish: ChatFinishReason = 'stop';
  let usage: ChatCompletionUsage | undefined;
  for (const chunk of chunks) {
    // A loop, not push(...): model output can hold more recoveries than a call takes arguments.
    if (chunk.recovered) for (const r of chunk.recovered) recovered.push(r);
    if (chunk.usage) usage = chunk.usage;
    const choice = chunk.choices[0];
    if (choice === undefined) continue;
    const { delta, finish_reason } = choice;
    // Own properties only: a polluted Object.prototype must not add text or calls.
    const own = <K extends keyof typeof delta>(key: K) => (Object.hasOwn(delta, key) ? delta[key] : undefined);
    const text = own('content');
    if (typeof text === 'string') content = (content ?? '') + text;
    const thought = own('reasoning_content');
    if (typeof thought === 'string') reasoning = (reasoning ?? '') + thought;
    for (const d of own('tool_calls') ?? []) {
      const call = Object.hasOwn(calls, d.index)
        ? calls[d.index]!
        : (calls[d.index] = { id: (Object.hasOwn(d, 'id') ? d.id : undefined) ?? '', type: 'function', function: { name: (Object.hasOwn(d.function, 'name') ? d.function.name : undefined) ?? '', arguments: '' } });
      call.function.arguments += d.function.arguments;
    }
    if (finish_reason !== null) finish = finish_reason;
  }
  const message: ChatCompletionMessage = { role: 'assistant', content, refusal: null };
  if (reasoning !== null) {
    message.reasoning_content = reasoning;
    message.reasoning = reasoning;
  }
  if (calls.length > 0) message.tool_calls = calls;
  const first = chunks[0];
  const completion: ChatCompletion = {
    id: first?.id ?? '',
    object: 'chat.completion',
    created: first?.created ?? 0,
    model: first?.model ?? '',
    choices: [{ index: 0, message, finish_reason: finish, logprobs: null }],
    recovered,
  };
  if (usage) completion.usage = usage;
  return completion;
}
