/**
 * The gateway toolkit: OpenAI Chat Completions and Responses ↔ Harmony, never-throwing parsing
 * of model output, and text mode.
 *
 * @module
 */

export { ChatCompletionChunkStream, chatCompletionsToHarmony, foldChunks, harmonyToChatCompletion } from './chat-completions.js';
export type { HarmonyRequest } from './prompt.js';
export { foldResponseEvents, harmonyToResponse, ResponseEventStream, responsesToHarmony } from './responses.js';
export type * from './openai-types.js';
export { ToolNameMap, type GatewayOptions } from './options.js';
export {
  parseText,
  TextStreamParser,
  type GatewayEvent,
  type RecoveredEvent,
  type Recovery,
  type RecoveryKind,
  type TextParseOptions,
  type TextParseResult,
} from './recovering-parser.js';
