/**
 * OpenAI Responses ↔ Harmony: the request mapper (input items → conversation), the event stream
 * (token batches → `response.*` streaming events), and the whole `response`, which is the event
 * stream folded (so the two cannot disagree).
 *
 * @module
 */

import { Message } from '../builders/message.js';
import { invalidArgument } from '../errors.js';
import type { TokenInput } from '../tokens.js';
import type {
  Response,
  ResponseOutputItem,
  ResponseOutputMessage,
  ResponseOutputReasoning,
  ResponseRequest,
  ResponseStreamEvent,
  ResponseWebSearchAction,
} from './openai-types.js';
import { metadata, newId, requireRecord, requireText, toReasoningEffort, ToolNameMap, type GatewayOptions } from './options.js';
import { callMessage, contentText, harmonyRequest, toolResultMessage, type HarmonyRequest, type Prologue } from './prompt.js';
import { callName, classify, PendingRecoveries, RecoveringParser, type GatewayEvent, type MessageKind, type Recovery } from './recovering-parser.js';

// ---- request ----------------------------------------------------------------------------------

/** The text of a `reasoning` input item: its `reasoning_text` content, else its summaries. */
function reasoningText(item: Record<string, unknown>, field: string): string {
  const parts = (key: 'content' | 'summary', type: string): string => {
    const list = item[key];
    if (list === undefined || list === null) return '';
    if (!Array.isArray(list)) throw invalidArgument(`${field}.${key} must be a list`, `${field}.${key}`);
    return list
      .map((part: unknown, i) => {
        const p = requireRecord(part, `${field}.${key}[${i}]`);
        if (p.type !== type) throw invalidArgument(`${field}.${key}[${i}].type must be '${type}'`, `${field}.${key}[${i}].type`);
        return requireText(p.text, `${field}.${key}[${i}].text`);
      })
      .join(key === 'summary' ? '\n\n' : '');
  };
  return parts('content', 'reasoning_text') || parts('summary', 'summary_text');
}

/** Whether the assistant message at `i` is followed by a function call of the same turn (a preamble). */
function precedesCall(items: unknown[], i: number): boolean {
  for (const raw of items.slice(i + 1)) {
    const item = raw as Record<string, unknown> | null;
    const type = item?.type ?? 'message';
    if (type === 'function_call') return true;
    if (type === 'reasoning' || (type === 'message' && item?.role === 'assistant')) continue;
    return false;
  }
  return false;
}

/**
 * A Responses request body → the Harmony conversation to render (and the tool-name map).
 * `instructions`, then `system`/`developer` input messages, become the developer instructions;
 * function `tools` its function tools (`web_search` and `code_interpreter` turn on the browser and
 * python tools of the system message); `reasoning.effort` the system message's; `text.format`
 * json_schema the structured-output section. `input` (a string is one user message): `user`
 * messages; `assistant` messages on `final` (on `commentary` when a function call follows: a
 * preamble); `reasoning` items → analysis; `function_call` items → commentary calls to
 * `functions.NAME`; `function_call_output` items → the results of the call with their `call_id`.
 * Malformed requests throw `ERR_HARMONY_INVALID_ARGUMENT`.
 */
export function responsesToHarmony(request: ResponseRequest, options: Pick<GatewayOptions, 'toolNames'> = {}): HarmonyRequest {
  const req = requireRecord(request, 'request');
  const items: unknown[] = typeof req.input === 'string' ? [{ type: 'message', role: 'user', content: req.input }] : (req.input as unknown[]);
  if (!Array.isArray(items)) throw invalidArgument('request.input must be a string or a list of items', 'request.input');
  const toolNames = options.toolNames ?? new ToolNameMap();
  const reasoning = req.reasoning === undefined || req.reasoning === null ? {} : requireRecord(req.reasoning, 'request.reasoning');
  const prologue: Prologue = {
    effort: toReasoningEffort(reasoning.effort, 'request.reasoning.effort'),
    instructions: [],
    functions: [],
    browser: false,
    python: false,
    responseFormat: null,
  };
  if (req.instructions !== undefined && req.instructions !== null) prologue.instructions.push(requireText(req.instructions, 'request.instructions'));
  if (req.tools !== undefined && !Array.isArray(req.tools)) throw invalidArgument('request.tools must be a list', 'request.tools');
  for (const [i, tool] of ((req.tools ?? []) as unknown[]).entries()) {
    const t = requireRecord(tool, `request.tools[${i}]`);
    switch (t.type) {
      case 'function':
        prologue.functions.push({
          name: requireText(t.name, `request.tools[${i}].name`),
          description: (t.description as string | null | undefined) ?? undefined,
          parameters: (t.parameters as Prologue['functions'][number]['parameters'] | null | undefined) ?? undefined,
        });
        break;
      case 'web_search':
      case 'web_search_preview':
        prologue.browser = true;
        break;
      case 'code_interpreter':
        prologue.python = true;
        break;
      default:
        throw invalidArgument(`request.tools[${i}].type: unsupported tool type ${JSON.stringify(t.type)}`, `request.tools[${i}].type`);
    }
  }
  const text = req.text === undefined || req.text === null ? {} : requireRecord(req.text, 'request.text');
  if (text.format !== undefined && text.format !== null) {
    const f = requireRecord(text.format, 'request.text.format');
    if (f.type === 'json_schema') {
      prologue.responseFormat = {
        name: requireText(f.name, 'request.text.format.name'),
        description: f.description as string | undefined,
        schema: f.schema as Prologue['functions'][number]['parameters'],
      };
    }
  }

  const body: Message[] = [];
  const callNames = new Map<string, string>();
  for (const [i, raw] of items.entries()) {
    const field = `request.input[${i}]`;
    const item = requireRecord(raw, field);
    const type = item.type ?? 'message';
    switch (type) {
      case 'message':
        switch (item.role) {
          case 'system':
          case 'developer':
            prologue.instructions.push(contentText(item.content, `${field}.content`));
            break;
          case 'user':
            body.push(Message.fromRoleAndContent('user', contentText(item.content, `${field}.content`)));
            break;
          case 'assistant': {
            const content = contentText(item.content, `${field}.content`);
            if (content) body.push(Message.fromRoleAndContent('assistant', content).withChannel(precedesCall(items, i) ? 'commentary' : 'final'));
            break;
          }
          default:
            throw invalidArgument(`${field}.role: unknown role ${JSON.stringify(item.role)}`, `${field}.role`);
        }
        break;
      case 'reasoning': {
        const thought = reasoningText(item, field);
        if (thought) body.push(Message.fromRoleAndContent('assistant', thought).withChannel('analysis'));
        break;
      }
      case 'function_call': {
        const name = toolNames.add(requireText(item.name, `${field}.name`));
        callNames.set(requireText(item.call_id, `${field}.call_id`), name);
        body.push(callMessage(name, requireText(item.arguments, `${field}.arguments`)));
        break;
      }
      case 'function_call_output': {
        const id = requireText(item.call_id, `${field}.call_id`);
        const name = callNames.get(id);
        if (name === undefined) throw invalidArgument(`${field}.call_id ${JSON.stringify(id)} matches no earlier function_call`, `${field}.call_id`);
        body.push(toolResultMessage(name, contentText(item.output, `${field}.output`)));
        break;
      }
      default:
        throw invalidArgument(`${field}.type: unsupported item type ${JSON.stringify(type)}`, `${field}.type`);
    }
  }
  return harmonyRequest(prologue, body, toolNames);
}

// ---- output -----------------------------------------------------------------------------------

/** `browser.search` → `search`, `browser.open` → `open_page`, `browser.find` → `find`. */
function browserAction(recipient: string, args: string): ResponseWebSearchAction {
  const fn = recipient.slice('browser.'.length);
  const type = fn === 'open' ? 'open_page' : fn;
  let parsed: unknown;
  try {
    parsed = JSON.parse(args);
  } catch {
    parsed = null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { type };
  const action: ResponseWebSearchAction = { type };
  for (const [key, value] of Object.entries(parsed)) if (key !== 'type') action[key] = value;
  return action;
}

/** The empty item a message starts as (`output_item.added`). */
function newItem(kind: MessageKind, toolNames: ToolNameMap | undefined): ResponseOutputItem {
  const status = 'in_progress';
  if (kind.kind === 'reasoning') return { type: 'reasoning', id: newId('rs_'), summary: [], content: [], status };
  if (kind.kind === 'text') return { type: 'message', id: newId('msg_'), role: 'assistant', status, content: [] };
  switch (kind.tool) {
    case 'browser':
      return { type: 'web_search_call', id: newId('ws_'), status, action: browserAction(kind.recipient, ''), arguments: '', recipient: kind.recipient };
    case 'python':
      return { type: 'code_interpreter_call', id: newId('ci_'), status, code: '', container_id: null, outputs: null };
    default:
      return { type: 'function_call', id: newId('fc_'), call_id: newId('call_'), name: callName(kind, toolNames), arguments: '', status };
  }
}

/** The text part of a message or reasoning item (created empty by `content_part.added`). */
function textPart(item: ResponseOutputMessage | ResponseOutputReasoning): { text: string } {
  const part = item.content[0];
  if (part === undefined) throw new Error('internal: text item without a content part');
  return part;
}

/** Appends model text to an item: its text part, arguments or code. */
function appendText(item: ResponseOutputItem, text: string): void {
  switch (item.type) {
    case 'message':
    case 'reasoning':
      textPart(item).text += text;
      break;
    case 'function_call':
    case 'web_search_call':
      item.arguments += text;
      break;
    case 'code_interpreter_call':
      item.code += text;
      break;
  }
}

/** An event before `#emit` numbers it and attaches the waiting recoveries (distributes over the union). */
type Body<E> = E extends ResponseStreamEvent ? Omit<E, 'sequence_number' | 'recovered'> : never;
type EventBody = Body<ResponseStreamEvent>;

/**
 * The streaming mapper: `push(tokens)` for each sampled batch (the tokens after
 * `<|start|>assistant`), `end()` at the end of the stream; each returns Responses streaming events.
 * The first batch starts with `response.created` and `response.in_progress`. Each Harmony message
 * is one output item: `response.output_item.added`, then its text (`content_part.added` and
 * `output_text.delta` / `reasoning_text.delta`, or `function_call_arguments.delta`, or
 * `code_interpreter_call_code.delta`), then the `.done` events and `response.output_item.done`.
 * `end()` closes with `response.completed` (or `response.incomplete` when the stream stopped
 * inside a message). `sequence_number` counts every event; `output_index` and `item_id` of an item
 * never change, whatever the batch boundaries.
 */
export class ResponseEventStream {
  readonly #parser: RecoveringParser;
  readonly #meta: { id: string; model: string; created: number };
  readonly #toolNames: ToolNameMap | undefined;
  readonly #output: ResponseOutputItem[] = [];
  #current: ResponseOutputItem | null = null;
  #sequence = 0;
  #started = false;
  #truncated = false;
  #finished = false;
  readonly #pending = new PendingRecoveries();

  constructor(options: GatewayOptions = {}) {
    this.#parser = new RecoveringParser('assistant', options.strict);
    this.#meta = metadata(options, 'resp_');
    this.#toolNames = options.toolNames;
  }

  /** Feeds a batch of sampled tokens. */
  push(tokens: TokenInput): ResponseStreamEvent[] {
    if (this.#finished) throw invalidArgument('push after end()', 'tokens');
    const out = this.#map(this.#parser.pushTokens(tokens));
    // A recovery with no event of its own after it still reaches the client.
    if (this.#pending.waiting) this.#emit(out, { type: 'response.in_progress', response: this.#snapshot('in_progress') });
    return out;
  }

  /** Ends the stream: the remaining events, the last one `response.completed` or `response.incomplete`. */
  end(): ResponseStreamEvent[] {
    if (this.#finished) return [];
    this.#finished = true;
    const out = this.#map(this.#parser.end());
    const status = this.#truncated ? 'incomplete' : 'completed';
    this.#emit(out, { type: status === 'completed' ? 'response.completed' : 'response.incomplete', response: this.#snapshot(status) });
    return out;
  }

  #map(events: GatewayEvent[]): ResponseStreamEvent[] {
    const out: ResponseStreamEvent[] = [];
    if (!this.#started) {
      this.#started = true;
      this.#emit(out, { type: 'response.created', response: this.#snapshot('in_progress') });
      this.#emit(out, { type: 'response.in_progress', response: this.#snapshot('in_progress') });
    }
    for (const ev of events) {
      switch (ev.type) {
        case 'recovered':
          this.#pending.add(ev);
          break;
        case 'message-start':
          this.#open(out, newItem(classify(ev), this.#toolNames));
          break;
        case 'content-delta':
          if (this.#current) this.#delta(out, this.#current, ev.delta);
          break;
        case 'message-end':
          if (this.#current) this.#close(out, this.#current, ev.stopToken === 'eos' ? 'incomplete' : 'completed');
          this.#truncated = ev.stopToken === 'eos';
          break;
        default:
          break;
      }
    }
    return out;
  }

  #open(out: ResponseStreamEvent[], item: ResponseOutputItem): void {
    const output_index = this.#output.length;
    this.#output.push(item);
    this.#current = item;
    this.#emit(out, { type: 'response.output_item.added', output_index, item: structuredClone(item) });
    const ids = { item_id: item.id, output_index };
    if (item.type === 'message') {
      item.content.push({ type: 'output_text', text: '', annotations: [] });
      this.#emit(out, { type: 'response.content_part.added', ...ids, content_index: 0, part: structuredClone(item.content[0]!) });
    } else if (item.type === 'reasoning') {
      item.content.push({ type: 'reasoning_text', text: '' });
      this.#emit(out, { type: 'response.content_part.added', ...ids, content_index: 0, part: structuredClone(item.content[0]!) });
    } else if (item.type === 'web_search_call') {
      this.#emit(out, { type: 'response.web_search_call.in_progress', ...ids });
    }
  }

  #delta(out: ResponseStreamEvent[], item: ResponseOutputItem, delta: string): void {
    appendText(item, delta);
    const ids = { item_id: item.id, output_index: this.#output.length - 1 };
    const type =
      item.type === 'message'
        ? 'response.output_text.delta'
        : item.type === 'reasoning'
          ? 'response.reasoning_text.delta'
          : item.type === 'function_call'
            ? 'response.function_call_arguments.delta'
            : item.type === 'code_interpreter_call'
              ? 'response.code_interpreter_call_code.delta'
              : null; // a web search call's arguments arrive whole, in its `output_item.done`
    if (type === null) return;
    // Consecutive fragments of one item within a batch are merged into one event.
    const last = out.at(-1);
    if (last && last.type === type && 'delta' in last && last.item_id === item.id && !this.#pending.waiting) {
      last.delta += delta;
      return;
    }
    if (type === 'response.output_text.delta' || type === 'response.reasoning_text.delta') this.#emit(out, { type, ...ids, content_index: 0, delta });
    else this.#emit(out, { type, ...ids, delta });
  }

  #close(out: ResponseStreamEvent[], item: ResponseOutputItem, status: 'completed' | 'incomplete'): void {
    const ids = { item_id: item.id, output_index: this.#output.length - 1 };
    item.status = status;
    switch (item.type) {
      case 'message':
      case 'reasoning': {
        const part = item.content[0]!;
        const text = item.type === 'message' ? 'response.output_text.done' : 'response.reasoning_text.done';
        this.#emit(out, { type: text, ...ids, content_index: 0, text: part.text });
        this.#emit(out, { type: 'response.content_part.done', ...ids, content_index: 0, part: structuredClone(part) });
        break;
      }
      case 'function_call':
        this.#emit(out, { type: 'response.function_call_arguments.done', ...ids, arguments: item.arguments });
        break;
      case 'code_interpreter_call':
        this.#emit(out, { type: 'response.code_interpreter_call_code.done', ...ids, code: item.code });
        break;
      case 'web_search_call':
        item.action = browserAction(item.recipient, item.arguments);
        break;
    }
    this.#emit(out, { type: 'response.output_item.done', output_index: ids.output_index, item: structuredClone(item) });
    this.#current = null;
  }

  #emit(out: ResponseStreamEvent[], body: EventBody): void {
    const event = { ...body, sequence_number: this.#sequence++ } as ResponseStreamEvent;
    const recovered = this.#pending.take();
    if (recovered) event.recovered = recovered;
    out.push(event);
  }

  #snapshot(status: Response['status']): Response {
    return {
      id: this.#meta.id,
      object: 'response',
      created_at: this.#meta.created,
      model: this.#meta.model,
      status,
      incomplete_details: status === 'incomplete' ? { reason: 'max_output_tokens' } : null,
      output: structuredClone(this.#output),
      recovered: [...this.#parser.recovered],
    };
  }
}

/**
 * A finished completion (the tokens after `<|start|>assistant`, as sampled) → a `response`.
 * It is the event stream folded: each item's text, arguments or code are the concatenations of
 * the deltas.
 */
export function harmonyToResponse(tokens: TokenInput, options: GatewayOptions = {}): Response {
  const stream = new ResponseEventStream(options);
  return foldResponseEvents([...stream.push(tokens), ...stream.end()]);
}

/**
 * Adds streaming events up into the whole `response`: items from `output_item.added`, their text
 * from the deltas, their final `status` from `output_item.done` (and a web search call's action
 * and arguments, which have no delta events), recoveries from every event's `recovered`.
 */
export function foldResponseEvents(events: readonly ResponseStreamEvent[]): Response {
  const output: ResponseOutputItem[] = [];
  const recovered: Recovery[] = [];
  let response: Response | null = null;
  let status: Response['status'] = 'in_progress';
  const at = (index: number): ResponseOutputItem => {
    const item = output[index];
    if (item === undefined) throw invalidArgument(`event for output_index ${index} before its output_item.added`, 'events');
    return item;
  };
  for (const ev of events) {
    if (ev.recovered) recovered.push(...ev.recovered);
    switch (ev.type) {
      case 'response.created':
        response = ev.response;
        break;
      case 'response.completed':
        status = 'completed';
        break;
      case 'response.incomplete':
        status = 'incomplete';
        break;
      case 'response.output_item.added':
        output[ev.output_index] = structuredClone(ev.item);
        break;
      case 'response.content_part.added': {
        const item = at(ev.output_index);
        if (item.type === 'message' && ev.part.type === 'output_text') item.content[ev.content_index] = structuredClone(ev.part);
        else if (item.type === 'reasoning' && ev.part.type === 'reasoning_text') item.content[ev.content_index] = structuredClone(ev.part);
        break;
      }
      case 'response.output_text.delta':
      case 'response.reasoning_text.delta':
      case 'response.function_call_arguments.delta':
      case 'response.code_interpreter_call_code.delta':
        appendText(at(ev.output_index), ev.delta);
        break;
      case 'response.output_item.done': {
        const item = at(ev.output_index);
        item.status = ev.item.status;
        if (item.type === 'web_search_call' && ev.item.type === 'web_search_call') {
          item.action = structuredClone(ev.item.action);
          item.arguments = ev.item.arguments;
        }
        break;
      }
      default:
        break;
    }
  }
  return {
    id: response?.id ?? '',
    object: 'response',
    created_at: response?.created_at ?? 0,
    model: response?.model ?? '',
    status,
    incomplete_details: status === 'incomplete' ? { reason: 'max_output_tokens' } : null,
    output,
    recovered,
  };
}
