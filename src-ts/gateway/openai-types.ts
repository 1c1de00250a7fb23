/**
 * The OpenAI Chat Completions and Responses shapes the gateway reads and writes: the bottom
 * layer of `gpt-oss-harmony/gateway`, importing nothing but the `Recovery` type.
 *
 * Written here (not imported from the `openai` SDK) so that the package has no dependency and
 * users without `openai` installed still compile. They are structural twins of the SDK's types,
 * checked against them by `__test__/gateway-types.spec.ts`: the SDK's request types
 * (`ChatCompletionCreateParams`, `ResponseCreateParams`) are assignable to the request types
 * here, and the results here are assignable to the SDK's `ChatCompletion`, `ChatCompletionChunk`,
 * `Response` and `ResponseStreamEvent`. Request types are deliberately wide (any content part,
 * any tool, any input item type): what gpt-oss cannot use is refused at run time with an
 * `ERR_HARMONY_INVALID_ARGUMENT` error rather than by the compiler.
 *
 * @module
 */

import type { Recovery } from '../index.js';

// ---- shared ---------------------------------------------------------------------------------

/** A JSON Schema object (as given by the caller). */
export type JsonSchema = { [key: string]: unknown };

/** `low | medium | high` (the OpenAI spelling; Harmony capitalises). Other efforts are refused. */
export type OpenAIReasoningEffort = 'low' | 'medium' | 'high';

/** A content part of a request message. Only text parts (`text`, `input_text`, `output_text`) are usable. */
export interface ContentPartParam {
  type: string;
  text?: string;
}

/** Message content in a request: a string or content parts. */
export type ContentParam = string | readonly ContentPartParam[];

// ---- Chat Completions: request --------------------------------------------------------------

/** A text part of a message's content. */
export interface ChatTextPart {
  type: 'text';
  text: string;
}

/** Message content: a string or content parts. */
export type ChatMessageContent = ContentParam;

/** A tool call of an assistant message in history (only `function` calls are usable). */
export interface ChatToolCallParam {
  id: string;
  type: string;
  function?: { name: string; arguments: string };
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
  /** Chain of thought (the name in Hugging Face chat datasets). */
  thinking?: string | null;
  tool_calls?: readonly ChatToolCallParam[] | null;
  refusal?: string | null;
  name?: string;
}
export interface ChatToolMessage {
  role: 'tool';
  content: ChatMessageContent;
  tool_call_id: string;
}
/** The deprecated `function` role: accepted by the type, refused at run time. */
export interface ChatFunctionMessage {
  role: 'function';
  content: string | null;
  name: string;
}

/** A message of a Chat Completions request. */
export type ChatMessage =
  | ChatSystemMessage
  | ChatDeveloperMessage
  | ChatUserMessage
  | ChatAssistantMessage
  | ChatToolMessage
  | ChatFunctionMessage;

/** A tool of a request (only `function` tools are usable). */
export interface ChatFunctionTool {
  type: string;
  function?: { name: string; description?: string | null; parameters?: JsonSchema | null; strict?: boolean | null };
}

/** `response_format` of a request. */
export type ChatResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; json_schema: { name: string; description?: string; schema?: JsonSchema; strict?: boolean | null } };

/** A Chat Completions request body (the fields that shape the prompt and the response). */
export interface ChatCompletionRequest {
  model?: string;
  messages: readonly ChatMessage[];
  tools?: readonly ChatFunctionTool[] | null;
  reasoning_effort?: OpenAIReasoningEffort | (string & {}) | null;
  response_format?: ChatResponseFormat | null;
  stream?: boolean | null;
  /** `include_usage` asks for the final usage chunk (pass it on as the chunk stream's `includeUsage`). */
  stream_options?: { include_usage?: boolean | null } | null;
}

// ---- Chat Completions: response -------------------------------------------------------------

export type ChatFinishReason = 'stop' | 'length' | 'tool_calls';

/** A tool call of the model. */
export interface ChatToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** The message of a `chat.completion`. */
export interface ChatCompletionMessage {
  role: 'assistant';
  content: string | null;
  refusal: null;
  reasoning_content?: string;
  reasoning?: string;
  tool_calls?: ChatToolCall[];
}

/** Token counts of a completion. */
export interface ChatCompletionUsage {
  /** The prompt's length when the caller gave it (`promptTokens`), else 0. */
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  completion_tokens_details: { reasoning_tokens: number };
}

export interface ChatCompletionChoice {
  index: 0;
  message: ChatCompletionMessage;
  finish_reason: ChatFinishReason;
  logprobs: null;
}

/** A `chat.completion` object. */
export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: [ChatCompletionChoice];
  /** Set by `harmonyToChatCompletion`; by `foldChunks` when the chunks end with a usage chunk. */
  usage?: ChatCompletionUsage;
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

export interface ChatCompletionChunkChoice {
  index: 0;
  delta: ChatCompletionDelta;
  finish_reason: ChatFinishReason | null;
  logprobs: null;
}

/**
 * A `chat.completion.chunk` object. The usage chunk (last, when asked for) has no choices.
 */
export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: [ChatCompletionChunkChoice] | [];
  /** Only on the usage chunk. */
  usage?: ChatCompletionUsage;
  /** The recoveries noticed where this chunk was produced. */
  recovered?: Recovery[];
}

// ---- Responses: request ---------------------------------------------------------------------

/** A text content part of an input message (`output_text` when replaying an assistant message). */
export interface ResponseInputTextPart {
  type: 'input_text' | 'output_text';
  text: string;
}

/** The status of an item. */
export type ResponseItemStatus = 'in_progress' | 'completed' | 'incomplete';

/** A `message` item of `input` (`type` may be left out, as the API allows). */
export interface ResponseInputMessage {
  type?: 'message';
  id?: string;
  role: 'system' | 'developer' | 'user' | 'assistant';
  content: ContentParam;
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
  id?: string | null;
  call_id: string;
  output: ContentParam;
  status?: ResponseItemStatus | null;
}
/** A `reasoning` item of `input` (history). */
export interface ResponseReasoningInputItem {
  type: 'reasoning';
  id?: string;
  summary: readonly { type: string; text: string }[];
  content?: readonly { type: string; text: string }[];
  encrypted_content?: string | null;
  status?: ResponseItemStatus;
}
/** Any other item (computer calls, file search, …): accepted by the type, refused at run time. */
export interface ResponseOtherInputItem {
  type?: string | null;
}

/** An item of `input`. */
export type ResponseInputItem =
  | ResponseInputMessage
  | ResponseFunctionCallItem
  | ResponseFunctionCallOutputItem
  | ResponseReasoningInputItem
  | ResponseOtherInputItem;

/**
 * A tool of a Responses request: function tools (flat, unlike Chat Completions'), and the
 * built-in tools gpt-oss was trained with (`web_search*` → the browser tool, `code_interpreter`
 * → the python tool). Other tools are refused at run time.
 */
export interface ResponseTool {
  type: string;
  name?: string;
  description?: string | null;
  /** A JSON Schema object (for function tools). */
  parameters?: unknown;
  strict?: boolean | null;
  /** `code_interpreter`'s container (ignored: the caller runs the python tool). */
  container?: unknown;
}

/** `text.format` of a Responses request. */
export type ResponseTextFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name: string; description?: string; schema?: JsonSchema; strict?: boolean | null };

/** A Responses request body (the fields that shape the prompt). */
export interface ResponseRequest {
  model?: string;
  instructions?: string | null;
  /** A string is one user message; absent: no input items. */
  input?: string | readonly ResponseInputItem[];
  tools?: readonly ResponseTool[] | null;
  reasoning?: { effort?: OpenAIReasoningEffort | (string & {}) | null; summary?: string | null } | null;
  text?: { format?: ResponseTextFormat | null } | null;
  stream?: boolean | null;
}

// ---- Responses: output ----------------------------------------------------------------------

/** Reasoning text (the chain of thought, verbatim) of a `reasoning` item. */
export interface ResponseReasoningText {
  type: 'reasoning_text';
  text: string;
}
/** A summary of a `reasoning` item (gpt-oss writes none: `summary` is empty). */
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
  /** `final_answer` for the final channel, `commentary` for a preamble. */
  phase?: 'commentary' | 'final_answer';
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
/**
 * The action of a `web_search_call`: `search` (`browser.search`), `open_page` (`browser.open`;
 * `url` when the model opened a URL rather than a link id) or `find_in_page` (`browser.find`),
 * with the model's other arguments spread in when they are a JSON object (`topn`, `id`, `loc`, …).
 */
export type ResponseWebSearchAction =
  | { type: 'search'; query?: string; [argument: string]: unknown }
  | { type: 'open_page'; url?: string | null; [argument: string]: unknown }
  | { type: 'find_in_page'; pattern: string; url: string; [argument: string]: unknown };
/** A `web_search_call` output item: a message to `browser.search`, `browser.open` or `browser.find`. */
export interface ResponseWebSearchCall {
  type: 'web_search_call';
  id: string;
  /** `failed` when the stream ended inside the call. */
  status: 'in_progress' | 'completed' | 'failed';
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
  /** Empty: the gateway runs no container. */
  container_id: string;
  outputs: null;
}

/** An item of `output`. */
export type ResponseOutputItem =
  | ResponseOutputMessage
  | ResponseOutputReasoning
  | ResponseOutputFunctionCall
  | ResponseWebSearchCall
  | ResponseCodeInterpreterCall;

/** Token counts of a response. */
export interface ResponseUsage {
  /** The prompt's length when the caller gave it (`promptTokens`), else 0. */
  input_tokens: number;
  input_tokens_details: { cached_tokens: number; cache_write_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

/**
 * A `response` object. The fields that echo the request (`instructions`, `tools`, sampling
 * settings) hold their defaults: the mappers do not see the request.
 */
export interface Response {
  id: string;
  object: 'response';
  created_at: number;
  model: string;
  /** `incomplete` when the stream ended inside a message (cut off by the token limit). */
  status: 'in_progress' | 'completed' | 'incomplete';
  incomplete_details: { reason: 'max_output_tokens' } | null;
  error: null;
  output: ResponseOutputItem[];
  /** The text of the output messages, joined (what the SDK's `output_text` gives). */
  output_text: string;
  instructions: null;
  metadata: null;
  parallel_tool_calls: boolean;
  temperature: null;
  top_p: null;
  tool_choice: 'auto';
  tools: never[];
  /** On the finished response (not on `response.created` / `response.in_progress`). */
  usage?: ResponseUsage;
  /** Every recovery from malformed model output (empty when none). */
  recovered: Recovery[];
}

/** What every streaming event has. */
export interface ResponseEventBase {
  /** 0, 1, 2, … over the whole stream. */
  sequence_number: number;
  /** The recoveries noticed where this event was produced. */
  recovered?: Recovery[];
}
interface ItemEventBase extends ResponseEventBase {
  item_id: string;
  output_index: number;
}

export interface ResponseCreatedEvent extends ResponseEventBase {
  type: 'response.created';
  response: Response;
}
/** Also carries recoveries seen in a batch with no other event. */
export interface ResponseInProgressEvent extends ResponseEventBase {
  type: 'response.in_progress';
  response: Response;
}
export interface ResponseCompletedEvent extends ResponseEventBase {
  type: 'response.completed';
  response: Response;
}
export interface ResponseIncompleteEvent extends ResponseEventBase {
  type: 'response.incomplete';
  response: Response;
}
/** An item starts: its header, empty text. */
export interface ResponseOutputItemAddedEvent extends ResponseEventBase {
  type: 'response.output_item.added';
  output_index: number;
  item: ResponseOutputItem;
}
/** An item ends: the whole item. */
export interface ResponseOutputItemDoneEvent extends ResponseEventBase {
  type: 'response.output_item.done';
  output_index: number;
  item: ResponseOutputItem;
}
/** The text part of a message or reasoning item starts (empty). */
export interface ResponseContentPartAddedEvent extends ItemEventBase {
  type: 'response.content_part.added';
  content_index: number;
  part: ResponseOutputText | ResponseReasoningText;
}
/** The text part of a message or reasoning item ends (whole). */
export interface ResponseContentPartDoneEvent extends ItemEventBase {
  type: 'response.content_part.done';
  content_index: number;
  part: ResponseOutputText | ResponseReasoningText;
}
export interface ResponseTextDeltaEvent extends ItemEventBase {
  type: 'response.output_text.delta';
  content_index: number;
  delta: string;
  logprobs: never[];
}
export interface ResponseTextDoneEvent extends ItemEventBase {
  type: 'response.output_text.done';
  content_index: number;
  text: string;
  logprobs: never[];
}
export interface ResponseReasoningTextDeltaEvent extends ItemEventBase {
  type: 'response.reasoning_text.delta';
  content_index: number;
  delta: string;
}
export interface ResponseReasoningTextDoneEvent extends ItemEventBase {
  type: 'response.reasoning_text.done';
  content_index: number;
  text: string;
}
export interface ResponseFunctionCallArgumentsDeltaEvent extends ItemEventBase {
  type: 'response.function_call_arguments.delta';
  delta: string;
}
export interface ResponseFunctionCallArgumentsDoneEvent extends ItemEventBase {
  type: 'response.function_call_arguments.done';
  name: string;
  arguments: string;
}
export interface ResponseCodeInterpreterCallCodeDeltaEvent extends ItemEventBase {
  type: 'response.code_interpreter_call_code.delta';
  delta: string;
}
export interface ResponseCodeInterpreterCallCodeDoneEvent extends ItemEventBase {
  type: 'response.code_interpreter_call_code.done';
  code: string;
}
/** A web search call has started (the model is writing its arguments). */
export interface ResponseWebSearchCallInProgressEvent extends ItemEventBase {
  type: 'response.web_search_call.in_progress';
}

/** A Responses streaming event. */
export type ResponseStreamEvent =
  | ResponseCreatedEvent
  | ResponseInProgressEvent
  | ResponseCompletedEvent
  | ResponseIncompleteEvent
  | ResponseOutputItemAddedEvent
  | ResponseOutputItemDoneEvent
  | ResponseContentPartAddedEvent
  | ResponseContentPartDoneEvent
  | ResponseTextDeltaEvent
  | ResponseTextDoneEvent
  | ResponseReasoningTextDeltaEvent
  | ResponseReasoningTextDoneEvent
  | ResponseFunctionCallArgumentsDeltaEvent
  | ResponseFunctionCallArgumentsDoneEvent
  | ResponseCodeInterpreterCallCodeDeltaEvent
  | ResponseCodeInterpreterCallCodeDoneEvent
  | ResponseWebSearchCallInProgressEvent;
