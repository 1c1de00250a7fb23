/**
 * gpt-oss-harmony: the Harmony chat format of the gpt-oss models for Node.js, token-exact with
 * the reference `openai-harmony` 0.0.8, backed by a Rust core. Public exports only.
 *
 * @packageDocumentation
 */

export { Author } from './builders/author.js';
export { Conversation } from './builders/conversation.js';
export {
  DeveloperContent,
  SystemContent,
  TextContent,
  type Content,
  type ContentLike,
  type DeveloperContentFields,
  type SystemContentFields,
  type ToolNamespaces,
} from './builders/content.js';
export { Message } from './builders/message.js';
export { ChannelConfig, ToolDescription, ToolNamespaceConfig } from './builders/tools.js';
export {
  HarmonyEncoding,
  loadHarmonyEncoding,
  type ConversationArg,
  type EncodeOptions,
  type MessageArg,
  type ParseOptions,
  type RenderConversationOptions,
  type RenderOptions,
  type SpecialTokens,
  type TrainingExample,
  type TrainingMaskOptions,
} from './encoding.js';
export { ErrorCode, HarmonyError, type HarmonyErrorDetails } from './errors.js';
export type {
  ContentDeltaEvent,
  HarmonyEvent,
  HarmonyEventType,
  MessageEndEvent,
  MessageStartEvent,
  ToolCallEvent,
} from './stream/events.js';
export { parseStream, type ParseStreamOptions, type TokenChunk } from './stream/parse-stream.js';
export { StreamableParser, type StreamableParserOptions } from './stream/parser.js';
export {
  RecoveringParser,
  type MessageKind,
  type RecoveredCompletion,
  type RecoveredEvent,
  type RecoveringEvent,
  type RecoveringMessageEndEvent,
  type RecoveringMessageStartEvent,
  type RecoveringParserOptions,
  type Recovery,
  type RecoveryKind,
} from './stream/recovering-parser.js';
export { HarmonyParseStream, type HarmonyParseStreamOptions } from './stream/transform-stream.js';
export { toUint32Array, type TokenInput } from './tokens.js';
export type {
  ChannelConfigJSON,
  ContentJSON,
  ConversationInput,
  ConversationJSON,
  DeveloperContentJSON,
  JsonValue,
  MessageInput,
  MessageJSON,
  SystemContentJSON,
  TextContentJSON,
  ToolDescriptionJSON,
  ToolNamespaceConfigJSON,
  ToolsJSON,
} from './types.js';
export { HarmonyEncodingName, ReasoningEffort, Role, StopToken, StreamState } from './values.js';
