/**
 * `gpt-oss-harmony/gateway`: OpenAI Chat Completions and Responses ↔ Harmony for inference
 * gateways, never-throwing parsing of model output, and text mode. Built on the package's public
 * API only (`../index.js`).
 *
 * Files, bottom-up: `openai-types` (OpenAI's shapes) ← `input` (reading the caller's objects) ←
 * `tool-names` ← `options` ← `prompt` (request side) / `output` (model output side) ←
 * `chat-completions`, `responses`, `text` ← this entry.
 *
 * @module
 */

export {
  ChatCompletionChunkMapper,
  ChatCompletionChunkStream,
  chatCompletionsToHarmony,
  foldChunks,
  harmonyToChatCompletion,
} from './chat-completions.js';
export type * from './openai-types.js';
export type { ChatCompletionChunkOptions, GatewayOptions } from './options.js';
export type { HarmonyRequest, RequestOptions } from './prompt.js';
export { foldResponseEvents, harmonyToResponse, ResponseEventMapper, ResponseEventStream, responsesToHarmony } from './responses.js';
export { parseText, TextStreamParser, type TextParseOptions, type TextParseResult } from './text.js';
export { ToolNameMap } from './tool-names.js';
/** The events of the gateway parsers (the main entry's `RecoveringEvent`). */
export type {
  RecoveredEvent,
  RecoveringEvent as GatewayEvent,
  Recovery,
  RecoveryKind,
} from '../index.js';
