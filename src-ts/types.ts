/**
 * The plain JSON shapes of the Harmony data model: the interchange contract with the reference.
 * `…JSON` types are what `toJSON()` produces (exactly the reference Python `to_dict()` shape);
 * `…Input` types are what `fromJSON` and the encoding methods accept (that shape, the Rust serde
 * shape, and `content` as a plain string).
 *
 * @module
 */

import type { ReasoningEffort, Role } from './values.js';

/** Any JSON value (JSON Schema documents in `parameters` are made of these). */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** `{ type: 'text', text }`. */
export interface TextContentJSON {
  type: 'text';
  text: string;
}

/** Channel configuration of a system message. */
export interface ChannelConfigJSON {
  valid_channels: string[];
  channel_required: boolean;
}

/** One tool of a namespace. `parameters` is a JSON Schema object (absent or `null`: none). */
export interface ToolDescriptionJSON {
  name: string;
  description: string;
  parameters?: JsonValue;
}

/** A tool namespace (`functions`, `browser`, `python`, …). */
export interface ToolNamespaceConfigJSON {
  name: string;
  description?: string | null;
  tools: ToolDescriptionJSON[];
}

/** Tool namespaces keyed by name (rendered in byte order of the keys). */
export type ToolsJSON = Record<string, ToolNamespaceConfigJSON>;

/** The body of a system message; absent fields are unset (not rendered). */
export interface SystemContentJSON {
  model_identity?: string | null;
  reasoning_effort?: ReasoningEffort | null;
  conversation_start_date?: string | null;
  knowledge_cutoff?: string | null;
  channel_config?: ChannelConfigJSON | null;
  tools?: ToolsJSON | null;
  type: 'system_content';
}

/** The body of a developer message; absent fields are unset. */
export interface DeveloperContentJSON {
  instructions?: string | null;
  tools?: ToolsJSON | null;
  type: 'developer_content';
}

/** One content item. */
export type ContentJSON = TextContentJSON | SystemContentJSON | DeveloperContentJSON;

/**
 * A message as `toJSON()` returns it (the reference `Message.to_dict()`): `name` always present,
 * `content` always a list, `channel`/`recipient`/`content_type` only when set.
 */
export interface MessageJSON {
  role: Role;
  name: string | null;
  content: ContentJSON[];
  channel?: string;
  recipient?: string;
  content_type?: string;
}

/** A conversation as `toJSON()` returns it. */
export interface ConversationJSON {
  messages: MessageJSON[];
}

/**
 * A message as accepted on input: the `toJSON()` shape, the Rust serde shape (no `name` key,
 * `content` a string for a single text item) and `null` for unset optional fields.
 */
export interface MessageInput {
  role: Role;
  name?: string | null;
  content: string | readonly ContentJSON[];
  channel?: string | null;
  recipient?: string | null;
  content_type?: string | null;
}

/** A conversation as accepted on input. */
export interface ConversationInput {
  messages: readonly MessageInput[];
}
