/**
 * OpenAI Chat Completions ↔ Harmony: the request mapper, the chunk stream, and the whole
 * completion, which is the chunk stream folded (so the two cannot disagree).
 *
 * @module
 */

import { Message } from '../builders/message.js';
import { invalidArgument } from '../errors.js';
import type { TokenInput } from '../tokens.js';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionDelta,
  ChatCompletionRequest,
  ChatFinishReason,
  ChatToolCall,
} from './openai-types.js';
import {
  metadata,
  newId,
  requireRecord,
  requireText,
  toReasoningEffort,
  ToolNameMap,
  type GatewayOptions,
} from './options.js';
import { callMessage, contentText, harmonyRequest, optionalText, toolResultMessage, type HarmonyRequest, type Prologue } from './prompt.js';
import { callName, classify, PendingRecoveries, RecoveringParser, type GatewayEvent, type MessageKind, type Recovery } from './recovering-parser.js';

/**
 * A Chat Completions request body → the Harmony conversation to render (and the tool-name map).
 * `system`/`developer` messages become the developer instructions; `tools` its function tools;
 * `reasoning_effort` the system message's; `response_format` json_schema the structured-output
 * section; assistant `reasoning_content`/`reasoning` an analysis message, `tool_calls` commentary
 * calls, and `tool` messages the results of the call with their `tool_call_id`.
 * Malformed requests throw `ERR_HARMONY_INVALID_ARGUMENT`.
 */
export function chatCompletionsToHarmony(request: ChatCompletionRequest, options: Pick<GatewayOptions, 'toolNames'> = {}): HarmonyRequest {
  const req = requireRecord(request, 'request');
  if (!Array.isArray(req.messages)) throw invalidArgument('request.messages must be a list', 'request.messages');
  const toolNames = options.toolNames ?? new ToolNameMap();
  const prologue: Prologue = {
    effort: toReasoningEffort(req.reasoning_effort, 'request.reasoning_effort'),
    instructions: [],
    functions: [],
    browser: false,
    python: false,
    responseFormat: null,
  };
  for (const [i, tool] of ((req.tools ?? []) as unknown[]).entries()) {
    const t = requireRecord(tool, `request.tools[${i}]`);
    if (t.type !== 'function') throw invalidArgument(`request.tools[${i}].type must be 'function'`, `request.tools[${i}].type`);
    const f = requireRecord(t.function, `request.tools[${i}].function`);
    prologue.functions.push({
      name: requireText(f.name, `request.tools[${i}].function.name`),
      description: f.description as string | undefined,
      parameters: f.parameters as Prologue['functions'][number]['parameters'],
    });
  }
  if (req.response_format !== undefined && req.response_format !== null) {
    const rf = requireRecord(req.response_format, 'request.response_format');
    if (rf.type === 'json_schema') {
      const js = requireRecord(rf.json_schema, 'request.response_format.json_schema');
      prologue.responseFormat = {
        name: requireText(js.name, 'request.response_format.json_schema.name'),
        description: js.description as string | undefined,
        schema: js.schema as Prologue['functions'][number]['parameters'],
      };
    }
  }
  const body: Message[] = [];
  const callNames = new Map<string, string>();
  for (const [i, raw] of (req.messages as unknown[]).entries()) {
    const field = `request.messages[${i}]`;
    const m = requireRecord(raw, field);
    switch (m.role) {
      case 'system':
      case 'developer':
        prologue.instructions.push(contentText(m.content, `${field}.content`));
        break;
      case 'user':
        body.push(Message.fromRoleAndContent('user', contentText(m.content, `${field}.content`)));
        break;
      case 'assistant': {
        const reasoning = optionalText(m.reasoning_content ?? m.reasoning, `${field}.reasoning_content`);
        if (reasoning) body.push(Message.fromRoleAndContent('assistant', reasoning).withChannel('analysis'));
        const calls = (m.tool_calls ?? []) as unknown[];
        if (!Array.isArray(calls)) throw invalidArgument(`${field}.tool_calls must be a list`, `${field}.tool_calls`);
        const text = optionalText(m.content, `${field}.content`);
        // Text next to tool calls is a preamble, which Harmony puts on commentary.
        if (text) body.push(Message.fromRoleAndContent('assistant', text).withChannel(calls.length > 0 ? 'commentary' : 'final'));
        for (const [j, call] of calls.entries()) {
          const c = requireRecord(call, `${field}.tool_calls[${j}]`);
          const f = requireRecord(c.function, `${field}.tool_calls[${j}].function`);
          const name = toolNames.add(requireText(f.name, `${field}.tool_calls[${j}].function.name`));
          callNames.set(requireText(c.id, `${field}.tool_calls[${j}].id`), name);
          body.push(callMessage(name, requireText(f.arguments, `${field}.tool_calls[${j}].function.arguments`)));
        }
        break;
      }
      case 'tool': {
        const id = requireText(m.tool_call_id, `${field}.tool_call_id`);
        const name = callNames.get(id);
        if (name === undefined) throw invalidArgument(`${field}.tool_call_id ${JSON.stringify(id)} matches no earlier tool call`, `${field}.tool_call_id`);
        body.push(toolResultMessage(name, contentText(m.content, `${field}.content`)));
        break;
      }
      default:
        throw invalidArgument(`${field}.role: unknown role ${JSON.stringify(m.role)}`, `${field}.role`);
    }
  }
  return harmonyRequest(prologue, body, toolNames);
}

/**
 * The streaming mapper: `push(tokens)` for each sampled batch (the tokens after
 * `<|start|>assistant`), `end()` at the end of the stream; each returns `chat.completion.chunk`
 * objects. Tool calls: a first fragment with `id`, `type` and `function.name`, then `arguments`
 * fragments, all with the call's `index`, whatever the batch boundaries.
 */
export class ChatCompletionChunkStream {
  readonly #parser: RecoveringParser;
  readonly #meta: { id: string; model: string; created: number };
  readonly #toolNames: ToolNameMap | undefined;
  #kind: MessageKind | null = null;
  #callIndex = -1;
  #roleSent = false;
  #truncated = false;
  #finished = false;
  readonly #pending = new PendingRecoveries();

  constructor(options: GatewayOptions = {}) {
    this.#parser = new RecoveringParser('assistant', options.strict);
    this.#meta = metadata(options, 'chatcmpl-');
    this.#toolNames = options.toolNames;
  }

  /** Feeds a batch of sampled tokens. */
  push(tokens: TokenInput): ChatCompletionChunk[] {
    if (this.#finished) throw invalidArgument('push after end()', 'tokens');
    return this.#map(this.#parser.pushTokens(tokens));
  }

  /** Ends the stream: the remaining chunks, the last one with `finish_reason`. */
  end(): ChatCompletionChunk[] {
    if (this.#finished) return [];
    this.#finished = true;
    const chunks = this.#map(this.#parser.end());
    const reason: ChatFinishReason = this.#truncated ? 'length' : this.#callIndex >= 0 ? 'tool_calls' : 'stop';
    chunks.push(this.#chunk({}, reason));
    return chunks;
  }

  #map(events: GatewayEvent[]): ChatCompletionChunk[] {
    const out: ChatCompletionChunk[] = [];
    /** What the last chunk of this batch carries, to merge consecutive deltas into it. */
    let open = null as { kind: 'text' | 'reasoning' | 'args'; delta: ChatCompletionDelta } | null;
    for (const ev of events) {
      switch (ev.type) {
        case 'recovered':
          this.#pending.add(ev);
          break;
        case 'message-start': {
          const kind = classify(ev);
          this.#kind = kind;
          open = null;
          if (kind.kind === 'call') {
            this.#callIndex++;
            const name = callName(kind, this.#toolNames);
            out.push(this.#chunk({ tool_calls: [{ index: this.#callIndex, id: newId('call_'), type: 'function', function: { name, arguments: '' } }] }));
          }
          break;
        }
        case 'content-delta': {
          const current = this.#kind as MessageKind | null;
          const kind = current?.kind === 'call' ? 'args' : (current?.kind ?? 'text');
          if (open?.kind === kind) {
            appendDelta(open.delta, ev.delta);
            break;
          }
          const delta: ChatCompletionDelta =
            kind === 'args'
              ? { tool_calls: [{ index: this.#callIndex, function: { arguments: ev.delta } }] }
              : kind === 'reasoning'
                ? { reasoning_content: ev.delta, reasoning: ev.delta }
                : { content: ev.delta };
          const chunk = this.#chunk(delta);
          out.push(chunk);
          open = { kind, delta: chunk.choices[0].delta };
          break;
        }
        case 'message-end':
          this.#kind = null;
          open = null;
          this.#truncated = ev.stopToken === 'eos';
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
    const chunk: ChatCompletionChunk = {
      id: this.#meta.id,
      object: 'chat.completion.chunk',
      created: this.#meta.created,
      model: this.#meta.model,
      choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
    };
    const recovered = this.#pending.take();
    if (recovered) chunk.recovered = recovered;
    return chunk;
  }
}

function appendDelta(delta: ChatCompletionDelta, text: string): void {
  if (delta.tool_calls) delta.tool_calls[0]!.function.arguments += text;
  else if (delta.reasoning_content !== undefined) {
    delta.reasoning_content += text;
    delta.reasoning = delta.reasoning_content;
  } else delta.content = (delta.content ?? '') + text;
}

/**
 * A finished completion (the tokens after `<|start|>assistant`, as sampled) → a `chat.completion`.
 * It is the chunk stream folded: `content`, `reasoning_content`/`reasoning` and each call's
 * `arguments` are the concatenations of the chunks' fragments.
 */
export function harmonyToChatCompletion(tokens: TokenInput, options: GatewayOptions = {}): ChatCompletion {
  const stream = new ChatCompletionChunkStream(options);
  return foldChunks([...stream.push(tokens), ...stream.end()]);
}

/** Adds chunks up into the whole completion. */
export function foldChunks(chunks: readonly ChatCompletionChunk[]): ChatCompletion {
  let content: string | null = null;
  let reasoning: string | null = null;
  const calls: ChatToolCall[] = [];
  const recovered: Recovery[] = [];
  let finish: ChatFinishReason = 'stop';
  const first = chunks[0];
  for (const chunk of chunks) {
    const { delta, finish_reason } = chunk.choices[0];
    if (delta.content !== undefined) content = (content ?? '') + delta.content;
    if (delta.reasoning_content !== undefined) reasoning = (reasoning ?? '') + delta.reasoning_content;
    for (const d of delta.tool_calls ?? []) {
      const call = (calls[d.index] ??= { id: d.id ?? '', type: 'function', function: { name: d.function.name ?? '', arguments: '' } });
      call.function.arguments += d.function.arguments;
    }
    if (chunk.recovered) recovered.push(...chunk.recovered);
    if (finish_reason !== null) finish = finish_reason;
  }
  const message: ChatCompletion['choices'][0]['message'] = { role: 'assistant', content };
  if (reasoning !== null) {
    message.reasoning_content = reasoning;
    message.reasoning = reasoning;
  }
  if (calls.length > 0) message.tool_calls = calls;
  return {
    id: first?.id ?? '',
    object: 'chat.completion',
    created: first?.created ?? 0,
    model: first?.model ?? '',
    choices: [{ index: 0, message, finish_reason: finish, logprobs: null }],
    recovered,
  };
}
