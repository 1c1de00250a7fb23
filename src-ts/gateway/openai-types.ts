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

/** A content part of an input message. */
export interface ResponseInputTextPart {
  type: 'input_text' | 'output_text';
  text: string;
}

export interface ResponseInputMessage {
  type?: 'message';
  role: 'system' | 'developer' | 'user' | 'assistant';
  content: string | ResponseInputTextPart[];
}
export interface ResponseFunctionCallItem {
  type: 'function_call';
  id?: string;
  call_id: string;
  name: string;
  arguments: string;
  status?: ResponseItemStatus;
}
export interface ResponseFunctionCallOutputItem {
  type: 'function_call_output';
  call_id: string;
  output: string;
}
export interface ResponseReasoningItem {
  type: 'reasoning';
  id?: string;
  summary: { type: 'summary_text'; text: string }[];
  content?: { type: 'reasoning_text'; text: string }[];
  status?: ResponseItemStatus;
}

/** An item of `input`. */
export type ResponseInputItem = ResponseInputMessage | ResponseFunctionCallItem | ResponseFunctionCallOutputItem | ResponseReasoningItem;

/** A tool of a Responses request. */
export type ResponseTool =
  | { type: 'function'; name: string; description?: string; parameters?: JsonSchema; strict?: boolean }
  | { type: 'web_search' | 'web_search_preview' }
  | { type: 'code_interpreter'; container?: unknown };

/** A Responses request body (the fields that shape the prompt). */
export interface ResponseRequest {
  model?: string;
  instructions?: string;
  input: string | ResponseInputItem[];
  tools?: ResponseTool[];
  reasoning?: { effort?: OpenAIReasoningEffort };
  text?: { format?: { type: 'text' } | { type: 'json_object' } | { type: 'json_schema'; name: string; description?: string; schema?: JsonSchema; strict?: boolean } };
  stream?: boolean;
  [other: string]: unknown;
}

// ---- Responses: output ----------------------------------------------------------------------

export type ResponseItemStatus = 'in_progress' | 'completed' | 'incomplete';

export interface ResponseOutputText {
  type: 'output_text';
  text: string;
  annotations: never[];
}
export interface ResponseOutputMessage {
  type: 'message';
  id: string;
  role: 'assistant';
  status: ResponseItemStatus;
  content: ResponseOutputText[];
}
export interface ResponseOutputReasoning {
  type: 'reasoning';
  id: string;
  summary: never[];
  content: { type: 'reasoning_text'; text: string }[];
  status: ResponseItemStatus;
}
export interface ResponseOutputFunctionCall {
  type: 'function_call';
  id: string;
  call_id: string;
  name: string;
  /** The model's text, exactly. */
  arguments: string;
  status: ResponseItemStatus;
}
export interface ResponseWebSearchCall {
  type: 'web_search_call';
  id: string;
  status: ResponseItemStatus;
  /** `search`, `open_page` or `find`, with the model's arguments (parsed when they are a JSON object). */
  action: { type: string; [argument: string]: unknown };
  /** The model's text, exactly. */
  arguments: string;
}
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
  status: 'in_progress' | 'completed' | 'incomplete';
  incomplete_details: { reason: 'max_output_tokens' } | null;
  output: ResponseOutputItem[];
  /** Every recovery from malformed model output. */
  recovered: Recovery[];
}

interface StreamEventBase {
  sequence_number: number;
  /** The recoveries noticed where this event was produced. */
  recovered?: Recovery[];
}

/** A Responses streaming event. */
export type ResponseStreamEvent = StreamEventBase &
  (
    | { type: 'response.created' | 'response.in_progress' | 'response.completed' | 'response.incomplete'; response: Response }
    | { type: 'response.output_item.added' | 'response.output_item.done'; output_index: number; item: ResponseOutputItem }
    | { type: 'response.content_part.added' | 'response.content_part.done'; item_id: string; output_index: number; content_index: number; part: ResponseOutputText }
    | { type: 'response.output_text.delta' | 'response.reasoning_text.delta'; item_id: string; output_index: number; content_index: number; delta: string }
    | { type: 'response.output_text.done' | 'response.reasoning_text.done'; item_id: string; output_index: number; content_index: number; text: string }
    | { type: 'response.function_call_arguments.delta'; item_id: string; output_index: number; delta: string }
    | { type: 'response.function_call_arguments.done'; item_id: string; output_index: number; arguments: string }
    | { type: 'response.code_interpreter_call_code.delta'; item_id: string; output_index: number; delta: string }
    | { type: 'response.code_interpreter_call_code.done'; item_id: string; output_index: number; code: string }
  );
