/**
 * The OpenAI Chat Completions and Responses shapes the gateway toolkit reads and writes (the
 * subset gpt-oss needs), written here so that the package does not depend on the `openai` SDK.
 *
 * @module
 */

import type { Recovery } from './recovering-parser.js';

// ---- shared ---------------------------------------------------------------------------------

/** A JSON Schema object (as given by the caller). */
export type JsonSchema = { [key: string]: unknown };

/** `low | medium | high` (the OpenAI spelling; Harmony capitalises). */
export type OpenAIReasoningEffort = 'low' | 'medium' | 'high';

// ---- Chat Completions: request --------------------------------------------------------------

/** A text part of a message's content. */
export interface ChatTextPart {
  type: 'text';
  text: string;
}

/** Message content: a string or text parts. */
export type ChatMessageContent = string | ChatTextPart[];

/** A tool call of an assistant message. */
export interface ChatToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface ChatSystemMessage {
  role: 'system';
  content: ChatMessageContent;
  name?: string;
}
export interface ChatDeveloperMessage {
  role: 'developer';
  content: ChatMessageContent;
  name?: string;
}
export interface ChatUserMessage {
  role: 'user';
  content: ChatMessageContent;
  name?: string;
}
export interface ChatAssistantMessage {
  role: 'assistant';
  content?: ChatMessageContent | null;
  /** Chain of thought (vLLM's and DeepSeek's name). */
  reasoning_content?: string | null;
  /** Chain of thought (OpenRouter's and Ollama's name). */
  reasoning?: string | null;
  tool_calls?: ChatToolCall[];
  name?: string;
}
export interface ChatToolMessage {
  role: 'tool';
  content: ChatMessageContent;
  tool_call_id: string;
}

/** A message of a Chat Completions request. */
export type ChatMessage = ChatSystemMessage | ChatDeveloperMessage | ChatUserMessage | ChatAssistantMessage | ChatToolMessage;

/** A function tool of a request. */
export interface ChatFunctionTool {
  type: 'function';
  function: { name: string; description?: string; parameters?: JsonSchema; strict?: boolean };
}

/** `response_format` of a request. */
export type ChatResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; json_schema: { name: string; description?: string; schema?: JsonSchema; strict?: boolean } };

/** A Chat Completions request body (the fields that shape the prompt; others are ignored). */
export interface ChatCompletionRequest {
  model?: string;
  messages: ChatMessage[];
  tools?: ChatFunctionTool[];
  reasoning_effort?: OpenAIReasoningEffort;
  response_format?: ChatResponseFormat;
  stream?: boolean;
  [other: string]: unknown;
}

// ---- Chat Completions: response -------------------------------------------------------------

export type ChatFinishReason = 'stop' | 'length' | 'tool_calls';

/** The message of a `chat.completion`. */
export interface ChatCompletionMessage {
  role: 'assistant';
  content: string | null;
  reasoning_content?: string;
  reasoning?: string;
  tool_calls?: ChatToolCall[];
}

/** A `chat.completion` object. */
export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: [{ index: 0; message: ChatCompletionMessage; finish_reason: ChatFinishReason; logprobs: null }];
  /** Every recovery from malformed model output (empty when none). */
  recovered: Recovery[];
}

/** A tool call fragment of a chunk: the first one of a call has `id`, `type` and `function.name`. */
export interface ChatToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function: { name?: string; arguments: string };
}

/** The delta of a chunk. */
export interface ChatCompletionDelta {
  role?: 'assistant';
  content?: string;
  reasoning_content?: string;
  reasoning?: string;
  tool_calls?: ChatToolCallDelta[];
}

/** A `chat.completion.chunk` object. */
export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: [{ index: 0; delta: ChatCompletionDelta; finish_reason: ChatFinishReason | null; logprobs: null }];
  /** The recoveries noticed where this chunk was produced. */
  recovered?: Recovery[];
}

// ---- Responses: request ---------------------------------------------------------------------

/** A text content part of an input message (`output_text` when replaying an assistant message). */
export interface ResponseInputTextPart {
  type: 'input_text' | 'output_text';
  text: string;
}

/** A `message` item of `input` (`type` may be left out, as the API allows). */
export interface ResponseInputMessage {
  type?: 'message';
  id?: string;
  role: 'system' | 'developer' | 'user' | 'assistant';
  content: string | ResponseInputTextPart[];
  status?: ResponseItemStatus;
}
/** A `function_call` item of `input`: an earlier call of the model (history). */
export interface ResponseFunctionCallItem {
  type: 'function_call';
  id?: string;
  call_id: string;
  name: string;
  arguments: string;
  status?: ResponseItemStatus;
}
/** A `function_call_output` item of `input`: the result of the call with the same `call_id`. */
export interface ResponseFunctionCallOutputItem {
  type: 'function_call_output';
  id?: string;
  call_id: string;
  output: string | ResponseInputTextPart[];
  status?: ResponseItemStatus;
}
/** A `reasoning` item: in `input` (history) or in `output`. */
export interface ResponseReasoningItem {
  type: 'reasoning';
  id?: string;
  summary: ResponseSummaryText[];
  content?: ResponseReasoningText[];
  encrypted_content?: string | null;
  status?: ResponseItemStatus;
}

/** An item of `input`. */
export type ResponseInputItem = ResponseInputMessage | ResponseFunctionCallItem | ResponseFunctionCallOutputItem | ResponseReasoningItem;

/** A function tool of a Responses request (flat, unlike Chat Completions'). */
export interface ResponseFunctionTool {
  type: 'function';
  name: string;
  description?: string | null;
  parameters?: JsonSchema | null;
  strict?: boolean | null;
}

/**
 * A tool of a Responses request: function tools, and the built-in tools gpt-oss was trained with
 * (`web_search` → the browser tool, `code_interpreter` → the python tool).
 */
export type ResponseTool =
  | ResponseFunctionTool
  | { type: 'web_search' | 'web_search_preview'; [setting: string]: unknown }
  | { type: 'code_interpreter'; container?: unknown; [setting: string]: unknown };

/** `text.format` of a Responses request. */
export type ResponseTextFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name: string; description?: string; schema?: JsonSchema; strict?: boolean | null };

/** A Responses request body (the fields that shape the prompt; others are ignored). */
export interface ResponseRequest {
  model?: string;
  instructions?: string | null;
  input: string | ResponseInputItem[];
  tools?: ResponseTool[];
  reasoning?: { effort?: OpenAIReasoningEffort | null; summary?: string | null } | null;
  text?: { format?: ResponseTextFormat } | null;
  stream?: boolean;
  [other: string]: unknown;
}

// ---- Responses: output ----------------------------------------------------------------------

/** The status of an output item: `incomplete` when the stream ended inside it. */
export type ResponseItemStatus = 'in_progress' | 'completed' | 'incomplete';

/** Reasoning text (the chain of thought, verbatim) of a `reasoning` item. */
export interface ResponseReasoningText {
  type: 'reasoning_text';
  text: string;
}
/** A summary of a `reasoning` item (gpt-oss writes none: the summary of output items is empty). */
export interface ResponseSummaryText {
  type: 'summary_text';
  text: string;
}
/** The text part of an output message. */
export interface ResponseOutputText {
  type: 'output_text';
  text: string;
  annotations: never[];
}
/** A `message` output item: one Harmony message of the `final` (or `commentary`) channel. */
export interface ResponseOutputMessage {
  type: 'message';
  id: string;
  role: 'assistant';
  status: ResponseItemStatus;
  content: ResponseOutputText[];
}
/** A `reasoning` output item: one `analysis` message. */
export interface ResponseOutputReasoning {
  type: 'reasoning';
  id: string;
  summary: ResponseSummaryText[];
  content: ResponseReasoningText[];
  status: ResponseItemStatus;
}
/** A `function_call` output item: a message to `functions.NAME` (or to a tool the caller did not declare). */
export interface ResponseOutputFunctionCall {
  type: 'function_call';
  id: string;
  call_id: string;
  /** The caller's spelling of the tool name (or the whole recipient for an unknown tool). */
  name: string;
  /** The model's text, exactly. */
  arguments: string;
  status: ResponseItemStatus;
}
/** The action of a `web_search_call`: `search`, `open_page`, `find` (or the browser function's name). */
export interface ResponseWebSearchAction {
  type: string;
  /** The model's arguments, spread in when they are a JSON object (`query`, `id`, `cursor`, `pattern`, …). */
  [argument: string]: unknown;
}
/** A `web_search_call` output item: a message to `browser.search`, `browser.open` or `browser.find`. */
export interface ResponseWebSearchCall {
  type: 'web_search_call';
  id: string;
  status: ResponseItemStatus;
  action: ResponseWebSearchAction;
  /** Not in OpenAI's type: the model's text, exactly, and the recipient (`browser.search`, …). */
  arguments: string;
  recipient: string;
}
/** A `code_interpreter_call` output item: a message to `python` (the code is the model's text, exactly). */
export interface ResponseCodeInterpreterCall {
  type: 'code_interpreter_call';
  id: string;
  status: ResponseItemStatus;
  code: string;
  container_id: string | null;
  outputs: null;
}

/** An item of `output`. */
export type ResponseOutputItem =
  | ResponseOutputMessage
  | ResponseOutputReasoning
  | ResponseOutputFunctionCall
  | ResponseWebSearchCall
  | ResponseCodeInterpreterCall;

/** A `response` object. */
export interface Response {
  id: string;
  object: 'response';
  created_at: number;
  model: string;
  /** `incomplete` when the stream ended inside a message (cut off by the token limit). */
  status: 'in_progress' | 'completed' | 'incomplete';
  incomplete_details: { reason: 'max_output_tokens' } | null;
  output: ResponseOutputItem[];
  /** Every recovery from malformed model output (empty when none). */
  recovered: Recovery[];
}

interface StreamEventBase {
  /** 0, 1, 2, … over the whole stream. */
  sequence_number: number;
  /** The recoveries noticed where this event was produced. */
  recovered?: Recovery[];
}

/** `response.created`, `response.in_progress` (also carries recoveries seen in a batch with no other event), and the last event. */
export interface ResponseLifecycleEvent extends StreamEventBase {
  type: 'response.created' | 'response.in_progress' | 'response.completed' | 'response.incomplete';
  response: Response;
}
/** An item starts (`added`: its header, empty text) or ends (`done`: the whole item). */
export interface ResponseOutputItemEvent extends StreamEventBase {
  type: 'response.output_item.added' | 'response.output_item.done';
  output_index: number;
  item: ResponseOutputItem;
}
/** The text part of a message or reasoning item starts (empty) or ends (whole). */
export interface ResponseContentPartEvent extends StreamEventBase {
  type: 'response.content_part.added' | 'response.content_part.done';
  item_id: string;
  output_index: number;
  content_index: number;
  part: ResponseOutputText | ResponseReasoningText;
}
/** Text added to a message (`output_text`) or reasoning item (`reasoning_text`). */
export interface ResponseTextDeltaEvent extends StreamEventBase {
  type: 'response.output_text.delta' | 'response.reasoning_text.delta';
  item_id: string;
  output_index: number;
  content_index: number;
  delta: string;
}
/** The whole text of a message or reasoning item. */
export interface ResponseTextDoneEvent extends StreamEventBase {
  type: 'response.output_text.done' | 'response.reasoning_text.done';
  item_id: string;
  output_index: number;
  content_index: number;
  text: string;
}
/** A fragment of a function call's arguments (or of a code interpreter call's code). */
export interface ResponseArgumentsDeltaEvent extends StreamEventBase {
  type: 'response.function_call_arguments.delta' | 'response.code_interpreter_call_code.delta';
  item_id: string;
  output_index: number;
  delta: string;
}
/** A function call's whole arguments. */
export interface ResponseFunctionCallArgumentsDoneEvent extends StreamEventBase {
  type: 'response.function_call_arguments.done';
  item_id: string;
  output_index: number;
  arguments: string;
}
/** A code interpreter call's whole code. */
export interface ResponseCodeDoneEvent extends StreamEventBase {
  type: 'response.code_interpreter_call_code.done';
  item_id: string;
  output_index: number;
  code: string;
}
/** A web search call has started (the model is writing its arguments). */
export interface ResponseWebSearchProgressEvent extends StreamEventBase {
  type: 'response.web_search_call.in_progress';
  item_id: string;
  output_index: number;
}

/** A Responses streaming event. */
export type ResponseStreamEvent =
  | ResponseLifecycleEvent
  | ResponseOutputItemEvent
  | ResponseContentPartEvent
  | ResponseTextDeltaEvent
  | ResponseTextDoneEvent
  | ResponseArgumentsDeltaEvent
  | ResponseFunctionCallArgumentsDoneEvent
  | ResponseCodeDoneEvent
  | ResponseWebSearchProgressEvent;
