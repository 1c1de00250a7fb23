/**
 * OpenAI Responses ↔ Harmony: the request mapper (input items → conversation), the event mapper
 * (token batches → `response.*` streaming events), and the whole `response`, which is the events
 * folded (so the two cannot disagree).
 *
 * @module
 */

import { Message, type RecoveringEvent, type Recovery, type TokenInput } from '../index.js';
import { CallerObject, guarded, invalidInput, shown, toList } from './input.js';
import type {
  Response,
  ResponseOutputItem,
  ResponseOutputText,
  ResponseReasoningText,
  ResponseOutputMessage,
  ResponseOutputReasoning,
  ResponseRequest,
  ResponseStreamEvent,
  ResponseUsage,
  ResponseWebSearchAction,
} from './openai-types.js';
import { newId, settings, type GatewayOptions, type Settings } from './options.js';
import { callName, classify, PendingRecoveries, streamedOutput, wholeOutput, type MessageKind, type ModelOutput, type TokenCounts } from './output.js';
import {
  callMessage,
  contentText,
  functionTool,
  harmonyRequest,
  newPrologue,
  requestToolNames,
  responseFormat,
  toolResultMessage,
  type HarmonyRequest,
  type RequestOptions,
} from './prompt.js';

// ---- request ----------------------------------------------------------------------------------

/** The text of a `reasoning` input item: its `reasoning_text` content, else its summaries. */
function reasoningText(item: CallerObject): string {
  const parts = (key: 'content' | 'summary', type: string): string =>
    item
      .optionalList(key)
      .map((raw, i) => {
        const part = CallerObject.of(raw, `${item.at(key)}[${i}]`);
        if (part.get('type') !== type) throw invalidInput(`${part.at('type')} must be '${type}'`, part.at('type'));
        return part.text('text');
      })
      .join(key === 'summary' ? '\n\n' : '');
  return parts('content', 'reasoning_text') || parts('summary', 'summary_text');
}

/** Each item's `type` (a message when absent), read once. */
function itemTypes(items: CallerObject[]): unknown[] {
  return items.map((item) => item.get('type') ?? 'message');
}

/**
 * For each item, whether a function call of the same turn follows it: the next item that is not
 * reasoning or an assistant message is a function call (an assistant message then is a preamble).
 * One pass from the end: a run of n assistant messages costs O(n), not O(n²).
 */
function callFollows(items: CallerObject[], types: unknown[]): boolean[] {
  const out = new Array<boolean>(items.length);
  let follows = false;
  for (let j = items.length - 1; j >= 0; j--) {
    out[j] = follows;
    if (types[j] === 'function_call') follows = true;
    else if (!(types[j] === 'reasoning' || (types[j] === 'message' && items[j]!.get('role') === 'assistant'))) follows = false;
  }
  return out;
}

/**
 * A Responses request body → the Harmony conversation to render (and the tool-name map).
 * `instructions`, then `system`/`developer` input messages, become the developer instructions;
 * function `tools` its function tools (`web_search*` and `code_interpreter` turn on the browser
 * and python tools of the system message); `reasoning.effort` the system message's;
 * `text.format` json_schema the structured-output section. `input` (a string is one user
 * message): `user` messages; `assistant` messages on `final` (on `commentary` when a function
 * call follows: a preamble); `reasoning` items → analysis; `function_call` items → commentary
 * calls to `functions.NAME`; `function_call_output` items → the results of the call with their
 * `call_id`. The request is read through its own properties only; anything gpt-oss cannot take
 * throws `ERR_HARMONY_INVALID_ARGUMENT` naming the field.
 */
export function responsesToHarmony(request: ResponseRequest, options: RequestOptions = {}): HarmonyRequest {
  const toolNames = requestToolNames(options);
  const req = CallerObject.of(request, 'request');
  const reasoning = req.optionalRecord('reasoning');
  const prologue = newPrologue(reasoning?.get('effort'), reasoning?.at('effort') ?? 'request.reasoning.effort');
  const instructions = req.optionalText('instructions');
  if (instructions !== undefined) prologue.instructions.push(instructions);
  for (const [i, raw] of req.optionalList('tools').entries()) {
    const tool = CallerObject.of(raw, `${req.at('tools')}[${i}]`);
    const type = tool.get('type');
    if (type === 'function') prologue.functions.push(functionTool(tool));
    else if (typeof type === 'string' && type.startsWith('web_search')) prologue.browser = true;
    else if (type === 'code_interpreter') prologue.python = true;
    else throw invalidInput(`${tool.at('type')}: unsupported tool type ${shown(type)}`, tool.at('type'));
  }
  const format = req.optionalRecord('text')?.optionalRecord('format');
  if (format !== undefined) {
    const type = format.get('type');
    if (type === 'json_schema') prologue.responseFormat = responseFormat(format);
    else if (type !== 'text' && type !== 'json_object') throw invalidInput(`${format.at('type')}: unknown format ${shown(type)}`, format.at('type'));
  }

  const input = req.get('input');
  const items =
    typeof input === 'string'
      ? [CallerObject.of({ type: 'message', role: 'user', content: input }, req.at('input'))]
      : (input === undefined || input === null ? [] : toList(input, req.at('input'))).map((raw, i) => CallerObject.of(raw, `${req.at('input')}[${i}]`));
  const types = itemTypes(items);
  const preamble = callFollows(items, types);
  const body: Message[] = [];
  const callNames = new Map<string, string>();
  for (const [i, item] of items.entries()) {
    switch (types[i]) {
      case 'message': {
        const role = item.get('role');
        switch (role) {
          case 'system':
          case 'developer':
            prologue.instructions.push(contentText(item.get('content'), item.at('content')));
            break;
          case 'user':
            body.push(Message.fromRoleAndContent('user', contentText(item.get('content'), item.at('content'))));
            break;
          case 'assistant': {
            const content = contentText(item.get('content'), item.at('content'));
            if (content) body.push(Message.fromRoleAndContent('assistant', content).withChannel(preamble[i] ? 'commentary' : 'final'));
            break;
          }
          default:
            throw invalidInput(`${item.at('role')}: unsupported role ${shown(role)}`, item.at('role'));
        }
        break;
      }
      case 'reasoning': {
        const thought = reasoningText(item);
        if (thought) body.push(Message.fromRoleAndContent('assistant', thought).withChannel('analysis'));
        break;
      }
      case 'function_call': {
        const name = toolNames.add(item.text('name'));
        callNames.set(item.text('call_id'), name);
        body.push(callMessage(name, item.text('arguments')));
        break;
      }
      case 'function_call_output': {
        const id = item.text('call_id');
        const name = callNames.get(id);
        if (name === undefined) throw invalidInput(`${item.at('call_id')} ${JSON.stringify(id)} matches no earlier function_call`, item.at('call_id'));
        body.push(toolResultMessage(name, contentText(item.get('output'), item.at('output'))));
        break;
      }
      default:
        throw invalidInput(`${item.at('type')}: unsupported item type ${shown(types[i])}`, item.at('type'));
    }
  }
  return harmonyRequest(prologue, body, toolNames);
}

// ---- output -----------------------------------------------------------------------------------

/** The model's arguments when they are a JSON object. */
function argumentsObject(args: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(args);
  } catch {
    return {};
  }
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
}

/** `browser.search` → `search`, `browser.open` → `open_page`, `browser.find` → `find_in_page`. */
function browserAction(recipient: string, args: string): ResponseWebSearchAction {
  const { type: _ignored, ...rest } = argumentsObject(args);
  const text = (key: string): string | undefined => (typeof rest[key] === 'string' ? (rest[key] as string) : undefined);
  switch (recipient) {
    case 'browser.search':
      return { ...rest, type: 'search', query: text('query') ?? '' };
    case 'browser.open':
      return { ...rest, type: 'open_page', url: text('id') ?? null };
    default:
      return { ...rest, type: 'find_in_page', pattern: text('pattern') ?? '', url: text('url') ?? '' };
  }
}

/** The empty item a message starts as (`output_item.added`). */
function newItem(kind: MessageKind, settings: Settings): ResponseOutputItem {
  const status = 'in_progress';
  switch (kind.kind) {
    case 'reasoning':
      return { type: 'reasoning', id: newId('rs_'), summary: [], content: [], status };
    case 'text': {
      const item: ResponseOutputMessage = { type: 'message', id: newId('msg_'), role: 'assistant', status, content: [] };
      if (kind.channel === 'final') item.phase = 'final_answer';
      else if (kind.channel === 'commentary') item.phase = 'commentary';
      return item;
    }
    default:
      break;
  }
  switch (kind.tool) {
    case 'browser':
      return { type: 'web_search_call', id: newId('ws_'), status, action: browserAction(kind.recipient, ''), arguments: '', recipient: kind.recipient };
    case 'python':
      return { type: 'code_interpreter_call', id: newId('ci_'), status, code: '', container_id: '', outputs: null };
    default:
      return { type: 'function_call', id: newId('fc_'), call_id: newId('call_'), name: callName(kind, settings.toolNames), arguments: '', status };
  }
}

/** A copy of a text part (events hand out copies; the mapper keeps appending to its own). */
function copyPart<P extends ResponseOutputText | ResponseReasoningText>(part: P): P {
  return part.type === 'output_text' ? ({ type: 'output_text', text: part.text, annotations: [] } as P) : ({ type: 'reasoning_text', text: part.text } as P);
}

/** A copy of an item (cheaper than `structuredClone`, which shows at one item per message). */
function copyItem(item: ResponseOutputItem): ResponseOutputItem {
  switch (item.type) {
    case 'message':
      return { ...item, content: item.content.map(copyPart) };
    case 'reasoning':
      return { ...item, summary: item.summary.map((p) => ({ ...p })), content: item.content.map(copyPart) };
    case 'web_search_call':
      return { ...item, action: structuredClone(item.action) };
    default:
      return { ...item };
  }
}

/** The text part of a message or reasoning item (created empty by `content_part.added`). */
function textPart(item: ResponseOutputMessage | ResponseOutputReasoning): { text: string } {
  const part = item.content[0];
  if (part === undefined) throw new Error('internal: text item without a content part');
  return part;
}

/** Sets the model text of an item: its text part, arguments or code. */
function setText(item: ResponseOutputItem, text: string): void {
  switch (item.type) {
    case 'message':
    case 'reasoning':
      textPart(item).text = text;
      break;
    case 'function_call':
    case 'web_search_call':
      item.arguments = text;
      break;
    case 'code_interpreter_call':
      item.code = text;
      break;
  }
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

/** The text of the output messages, joined (the SDK's `output_text`). */
function outputText(output: readonly ResponseOutputItem[]): string {
  let text = '';
  for (const item of output) if (item.type === 'message') for (const part of item.content) text += part.text;
  return text;
}

/** `usage` from token counts. */
function responseUsage(counts: TokenCounts): ResponseUsage {
  return {
    input_tokens: counts.prompt,
    input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
    output_tokens: counts.completion,
    output_tokens_details: { reasoning_tokens: counts.reasoning },
    total_tokens: counts.prompt + counts.completion,
  };
}

/** A `response` object around `output` (a copy is made by the caller when needed). */
function responseObject(settings: Pick<Settings, 'id' | 'created' | 'model'>, status: Response['status'], output: ResponseOutputItem[], recovered: Recovery[]): Response {
  return {
    id: settings.id,
    object: 'response',
    created_at: settings.created,
    model: settings.model,
    status,
    incomplete_details: status === 'incomplete' ? { reason: 'max_output_tokens' } : null,
    error: null,
    output,
    output_text: outputText(output),
    instructions: null,
    metadata: null,
    parallel_tool_calls: true,
    temperature: null,
    top_p: null,
    tool_choice: 'auto',
    tools: [],
    recovered,
  };
}

/** An event before it is numbered and given the waiting recoveries (distributes over the union). */
type Body<E> = E extends ResponseStreamEvent ? Omit<E, 'sequence_number' | 'recovered'> : never;
type EventBody = Body<ResponseStreamEvent>;

/** Token batches → events, over streamed or whole model output. */
class EventMapping {
  readonly #items: ResponseOutputItem[] = [];
  #current: ResponseOutputItem | null = null;
  #sequence = 0;
  #started = false;
  #finished = false;
  readonly #pending = new PendingRecoveries();

  constructor(
    readonly settings: Settings,
    readonly output: ModelOutput,
  ) {}

  /** Feeds a batch of sampled tokens; returns the events it produced. */
  push(tokens: TokenInput): ResponseStreamEvent[] {
    if (this.#finished) throw invalidInput('push after end()', 'tokens');
    const out = this.#map(this.output.push(tokens));
    // A recovery with no event of its own after it still reaches the client.
    if (this.#pending.waiting) this.#emit(out, { type: 'response.in_progress', response: this.#snapshot('in_progress') });
    return out;
  }

  /** Ends the stream: the remaining events, the last one `response.completed` or `response.incomplete`. */
  end(): ResponseStreamEvent[] {
    if (this.#finished) return [];
    this.#finished = true;
    const out = this.#map(this.output.end());
    const status = this.output.truncated ? 'incomplete' : 'completed';
    const response = this.#snapshot(status);
    response.usage = responseUsage(this.output.counts());
    this.#emit(out, { type: status === 'completed' ? 'response.completed' : 'response.incomplete', response });
    return out;
  }

  #map(events: RecoveringEvent[]): ResponseStreamEvent[] {
    const out: ResponseStreamEvent[] = [];
    if (!this.#started) {
      this.#started = true;
      this.#emit(out, { type: 'response.created', response: this.#snapshot('in_progress') });
      this.#emit(out, { type: 'response.in_progress', response: this.#snapshot('in_progress') });
    }
    for (const ev of events) {
      switch (ev.type) {
        case 'content-delta':
          if (this.#current) this.#delta(out, this.#current, ev.delta);
          break;
        case 'message-start':
          this.#open(out, newItem(classify(ev), this.settings));
          break;
        case 'message-end':
          if (this.#current) this.#close(out, this.#current, ev.message.text, ev.stopToken === 'eos');
          break;
        case 'recovered':
          this.#pending.add(ev);
          break;
        default:
          break;
      }
    }
    return out;
  }

  #open(out: ResponseStreamEvent[], item: ResponseOutputItem): void {
    const output_index = this.#items.length;
    this.#items.push(item);
    this.#current = item;
    this.#emit(out, { type: 'response.output_item.added', output_index, item: copyItem(item) });
    const ids = { item_id: item.id, output_index };
    if (item.type === 'message') {
      item.content.push({ type: 'output_text', text: '', annotations: [] });
      this.#emit(out, { type: 'response.content_part.added', ...ids, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } });
    } else if (item.type === 'reasoning') {
      item.content.push({ type: 'reasoning_text', text: '' });
      this.#emit(out, { type: 'response.content_part.added', ...ids, content_index: 0, part: { type: 'reasoning_text', text: '' } });
    } else if (item.type === 'web_search_call') {
      this.#emit(out, { type: 'response.web_search_call.in_progress', ...ids });
    }
  }

  /** The item's text grows in the core (its whole text comes with `message-end`): only events here. */
  #delta(out: ResponseStreamEvent[], item: ResponseOutputItem, delta: string): void {
    // Consecutive fragments of one item within a batch are merged into one event.
    const last = out[out.length - 1];
    // (Own property: a polluted Object.prototype must not make any event look like a delta.)
    if (last !== undefined && Object.hasOwn(last, 'delta') && 'delta' in last && last.item_id === item.id && !this.#pending.waiting) {
      last.delta += delta;
      return;
    }
    // The hot path (one per token when streaming): each event built whole, numbered in place.
    const item_id = item.id;
    const output_index = this.#items.length - 1;
    let event: ResponseStreamEvent;
    switch (item.type) {
      case 'message':
        event = { type: 'response.output_text.delta', item_id, output_index, content_index: 0, delta, logprobs: [], sequence_number: this.#sequence++ };
        break;
      case 'reasoning':
        event = { type: 'response.reasoning_text.delta', item_id, output_index, content_index: 0, delta, sequence_number: this.#sequence++ };
        break;
      case 'function_call':
        event = { type: 'response.function_call_arguments.delta', item_id, output_index, delta, sequence_number: this.#sequence++ };
        break;
      case 'code_interpreter_call':
        event = { type: 'response.code_interpreter_call_code.delta', item_id, output_index, delta, sequence_number: this.#sequence++ };
        break;
      default:
        // A web search call's arguments arrive whole, in its `output_item.done`.
        return;
    }
    if (this.#pending.waiting) event.recovered = this.#pending.take();
    out.push(event);
  }

  #close(out: ResponseStreamEvent[], item: ResponseOutputItem, text: string, truncated: boolean): void {
    const ids = { item_id: item.id, output_index: this.#items.length - 1 };
    setText(item, text);
    switch (item.type) {
      case 'message':
      case 'reasoning': {
        item.status = truncated ? 'incomplete' : 'completed';
        const part = item.content[0]!;
        if (item.type === 'message') this.#emit(out, { type: 'response.output_text.done', ...ids, content_index: 0, text: part.text, logprobs: [] });
        else this.#emit(out, { type: 'response.reasoning_text.done', ...ids, content_index: 0, text: part.text });
        this.#emit(out, { type: 'response.content_part.done', ...ids, content_index: 0, part: copyPart(part) });
        break;
      }
      case 'function_call':
        item.status = truncated ? 'incomplete' : 'completed';
        this.#emit(out, { type: 'response.function_call_arguments.done', ...ids, name: item.name, arguments: item.arguments });
        break;
      case 'code_interpreter_call':
        item.status = truncated ? 'incomplete' : 'completed';
        this.#emit(out, { type: 'response.code_interpreter_call_code.done', ...ids, code: item.code });
        break;
      case 'web_search_call':
        item.status = truncated ? 'failed' : 'completed';
        item.action = browserAction(item.recipient, item.arguments);
        break;
    }
    this.#emit(out, { type: 'response.output_item.done', output_index: ids.output_index, item: copyItem(item) });
    this.#current = null;
  }

  #emit(out: ResponseStreamEvent[], body: EventBody): void {
    const event = body as ResponseStreamEvent;
    event.sequence_number = this.#sequence++;
    if (this.#pending.waiting) event.recovered = this.#pending.take();
    out.push(event);
  }

  #snapshot(status: Response['status']): Response {
    return responseObject(this.settings, status, this.#items.map(copyItem), [...this.output.recovered]);
  }
}

/**
 * The streaming mapper: `push(tokens)` for each sampled batch (the tokens after
 * `<|start|>assistant`), `end()` at the end of the stream; each returns Responses streaming events.
 * The first batch starts with `response.created` and `response.in_progress`. Each Harmony message
 * is one output item: `response.output_item.added`, then its text (`content_part.added` and
 * `output_text.delta` / `reasoning_text.delta`, or `function_call_arguments.delta`, or
 * `code_interpreter_call_code.delta`), then the `.done` events and `response.output_item.done`.
 * `end()` closes with `response.completed` (or `response.incomplete` when the stream stopped
 * inside a message), whose response carries `usage`. `sequence_number` counts every event;
 * `output_index` and `item_id` of an item never change, whatever the batch boundaries.
 */
export class ResponseEventMapper {
  readonly #mapping: EventMapping;

  constructor(options: GatewayOptions = {}) {
    const s = settings(options, 'resp_');
    this.#mapping = new EventMapping(s, streamedOutput(s));
  }

  /** Feeds a batch of sampled tokens; returns the events it produced. */
  push(tokens: TokenInput): ResponseStreamEvent[] {
    return this.#mapping.push(tokens);
  }

  /** Ends the stream: the remaining events, the last one `response.completed` or `response.incomplete`. */
  end(): ResponseStreamEvent[] {
    return this.#mapping.end();
  }
}

/** @deprecated The former name of `ResponseEventMapper` (it maps; it is not a stream). */
export const ResponseEventStream = ResponseEventMapper;
/** @deprecated The former name of `ResponseEventMapper`. */
export type ResponseEventStream = ResponseEventMapper;

/**
 * A finished completion (the tokens after `<|start|>assistant`, as sampled) → a `response` with
 * `usage`, parsed in one native call. It is the events folded: each item's text, arguments or code are the concatenations
 * of the deltas.
 */
export function harmonyToResponse(tokens: TokenInput, options: GatewayOptions = {}): Response {
  const s = settings(options, 'resp_');
  const mapping = new EventMapping(s, wholeOutput(s));
  return fold([...mapping.push(tokens), ...mapping.end()]);
}

/**
 * Adds streaming events up into the whole `response`: items from `output_item.added`, their text
 * from the deltas, their final `status` from `output_item.done` (and a web search call's action
 * and arguments, which have no delta events), recoveries from every event's `recovered`, `usage`
 * from the last event's response.
 */
export function foldResponseEvents(events: readonly ResponseStreamEvent[]): Response {
  // The caller's events: a list, and what is not an event's shape is its mistake.
  const list = toList(events, 'events') as ResponseStreamEvent[];
  return guarded('events', () => fold(list));
}

/** `foldResponseEvents` of the mapper's own events. */
function fold(events: readonly ResponseStreamEvent[]): Response {
  const output: ResponseOutputItem[] = [];
  const recovered: Recovery[] = [];
  let first: Response | null = null;
  let last: Response | null = null;
  let status: Response['status'] = 'in_progress';
  const at = (index: number): ResponseOutputItem => {
    const item = output[index];
    if (item === undefined) throw invalidInput(`event for output_index ${index} before its output_item.added`, 'events');
    return item;
  };
  for (const ev of events) {
    // A loop, not push(...): model output can hold more recoveries than a call takes arguments.
    if (ev.recovered) for (const r of ev.recovered) recovered.push(r);
    switch (ev.type) {
      case 'response.created':
        first = ev.response;
        break;
      case 'response.completed':
      case 'response.incomplete':
        status = ev.type === 'response.completed' ? 'completed' : 'incomplete';
        last = ev.response;
        break;
      case 'response.output_item.added':
        output[ev.output_index] = copyItem(ev.item);
        break;
      case 'response.content_part.added': {
        const item = at(ev.output_index);
        if (item.type === 'message' && ev.part.type === 'output_text') item.content[ev.content_index] = copyPart(ev.part);
        else if (item.type === 'reasoning' && ev.part.type === 'reasoning_text') item.content[ev.content_index] = copyPart(ev.part);
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
        (item as { status: string }).status = ev.item.status;
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
  const meta = first ?? last;
  const response = responseObject(
    { id: meta?.id ?? '', created: meta?.created_at ?? 0, model: meta?.model ?? '' },
    status,
    output,
    recovered,
  );
  if (last?.usage) response.usage = structuredClone(last.usage);
  return response;
}
