/**
 * The typed events of the streaming parser, a union discriminated on `type`.
 *
 * @module
 */

import type { Message } from '../builders/message.js';
import type { BindingMessageKind, BindingRecoveryKind } from '../native/loader.js';
import type { Role, StopToken } from '../values.js';

/** A message header is complete (emitted once per message, before its content). */
export interface MessageStartEvent {
  type: 'message-start';
  /** The author's role. */
  role: Role;
  /** The author's name (tool messages: the tool), when present. */
  name?: string;
  /** The channel, when present. */
  channel?: string;
  /** The recipient (a tool call's tool), when present. */
  recipient?: string;
  /** The content type (e.g. `<|constrain|>json`), when present. */
  contentType?: string;
}

/**
 * Text added to the current message, as it arrives; never a split UTF-8 character. The deltas
 * of a message add up to its final content. A batch of tokens (`processMany`, a chunk of
 * `parseStream`) gives one delta per message it adds to. `channel`/`recipient` repeat the
 * message's header.
 */
export interface ContentDeltaEvent {
  type: 'content-delta';
  /** The new text. */
  delta: string;
  /** The channel of the message, when present. */
  channel?: string;
  /** The recipient of the message, when present. */
  recipient?: string;
}

/** A message is complete. */
export interface MessageEndEvent {
  type: 'message-end';
  /** The message, as it appears in `parser.messages`. */
  message: Message;
  /** What ended it: `<|end|>`, `<|call|>`, `<|return|>` or the end of the stream. */
  stopToken: StopToken;
}

/** A message addressed to a tool ended with `<|call|>` (emitted after its `message-end`). */
export interface ToolCallEvent {
  type: 'tool-call';
  /** The tool, e.g. `functions.get_weather`. */
  recipient: string;
  /** The content type of the arguments (e.g. `<|constrain|>json`), when present. */
  contentType?: string;
  /** The arguments, exactly as the model wrote them. */
  arguments: string;
}

/** Every parser event. */
export type HarmonyEvent = MessageStartEvent | ContentDeltaEvent | MessageEndEvent | ToolCallEvent;

/** The `type` strings of the events. */
export type HarmonyEventType = HarmonyEvent['type'];

// ---- the recovering parser (`RecoveringParser`): the same events plus the core's decisions ----

/** What the recovering parser stepped in for (the recovery table of `docs/gateway.md`). */
export type RecoveryKind = BindingRecoveryKind;

/** Where a message's text goes, as the core decided: chain of thought, text for the user, or a tool call's arguments. */
export type MessageKind = BindingMessageKind;

/** One intervention on malformed model output. */
export interface Recovery {
  kind: RecoveryKind;
  /** Index of the token (among all tokens fed) where it was noticed. */
  tokenIndex: number;
  /** A human-readable explanation, for logs (it never quotes reasoning or dropped text). */
  detail: string;
}

/** A recovery, as an event in stream order (before the events it explains). */
export interface RecoveredEvent extends Recovery {
  type: 'recovered';
}

/** A message begins; its header is normalised (canonical channel; `recipient` on calls only). */
export interface RecoveringMessageStartEvent extends MessageStartEvent {
  kind: MessageKind;
}
/** A message is complete. */
export interface RecoveringMessageEndEvent extends MessageEndEvent {
  kind: MessageKind;
}

/** The events of the recovering parser. */
export type RecoveringEvent = RecoveringMessageStartEvent | ContentDeltaEvent | RecoveringMessageEndEvent | ToolCallEvent | RecoveredEvent;
