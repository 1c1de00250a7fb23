/**
 * Message content: `TextContent`, `SystemContent` (the system prompt's structured body) and
 * `DeveloperContent` (instructions and function tools). Immutable: every `with…` returns a new
 * object. `toJSON()` is exactly the reference's `to_dict()` (unset fields omitted, `type` last).
 *
 * @module
 */

import { DEFAULT_SYSTEM_CONTENT } from '../generated/defaults.js';
import { invalidArgument } from '../errors.js';
import type {
  ChannelConfigJSON,
  ContentJSON,
  DeveloperContentJSON,
  SystemContentJSON,
  TextContentJSON,
  ToolDescriptionJSON,
  ToolNamespaceConfigJSON,
  ToolsJSON,
} from '../types.js';
import { isReasoningEffort, type ReasoningEffort } from '../values.js';
import { defineBuilder, describe, isBuilder, isInstance, optionalString, requireList, requireObject, requireString } from './internal.js';
import { ChannelConfig, ToolDescription, ToolNamespaceConfig } from './tools.js';

/** Tool namespaces keyed by name, in insertion order (rendering sorts them by key). */
export type ToolNamespaces = Readonly<Record<string, ToolNamespaceConfig>>;

/** Plain text content. */
export class TextContent {
  readonly #text: string;

  /** @param text - the text, rendered verbatim (special-token text stays ordinary text) */
  constructor(text: string) {
    this.#text = requireString(text, 'text');
    Object.freeze(this);
  }

  /** Text content. */
  static new(text: string): TextContent {
    return new TextContent(text);
  }

  /** Always `'text'`. */
  get type(): 'text' {
    return 'text';
  }

  /** The text. */
  get text(): string {
    return this.#text;
  }

  /** `{ type: 'text', text }`. */
  toJSON(): TextContentJSON {
    return { type: 'text', text: this.#text };
  }
}
defineBuilder(TextContent, 'TextContent');

/** The fields of a `SystemContent`; `null` = unset (not rendered). */
export interface SystemContentFields {
  modelIdentity: string | null;
  reasoningEffort: ReasoningEffort | null;
  conversationStartDate: string | null;
  knowledgeCutoff: string | null;
  channelConfig: ChannelConfig | null;
  tools: ToolNamespaces | null;
}

/**
 * Tool namespaces as the builders keep them: checked, in insertion order. A `ToolNamespaces`
 * record is made only when `tools` is read, since building a record costs O(namespaces) and
 * `withTools` would otherwise make a chain of n calls quadratic.
 */
type ToolMap = ReadonlyMap<string, ToolNamespaceConfig>;

/** The maps this module made (checked already): passed between builders without a second check. */
const toolMaps = new WeakSet<ToolMap>();

function toolMap(entries: Iterable<[string, ToolNamespaceConfig]>): ToolMap {
  const map = new Map(entries);
  toolMaps.add(map);
  return map;
}

/** Adds `ns` under its name; replacing keeps the key's position (like a Python dict). */
function withNamespace(tools: ToolMap | null, ns: ToolNamespaceConfig): ToolMap {
  if (!isBuilder(ns, 'ToolNamespaceConfig', 'tools')) {
    throw invalidArgument(`tools must be a ToolNamespaceConfig, got ${describe(ns)}`, 'tools');
  }
  if (!isInstance(ns, ToolNamespaceConfig, 'tools')) ns = ToolNamespaceConfig.fromJSON(ns as unknown as ToolNamespaceConfigJSON);
  const map = toolMap(tools ?? []) as Map<string, ToolNamespaceConfig>;
  map.set(ns.name, ns);
  return map;
}

function toolsFromJSON(value: unknown, field: string): ToolMap | null {
  if (value === undefined || value === null) return null;
  if (toolMaps.has(value as ToolMap)) return value as ToolMap;
  const o = requireObject(value, field);
  return toolMap(
    Object.entries(o).map(([key, ns]): [string, ToolNamespaceConfig] => [
      key,
      isInstance(ns, ToolNamespaceConfig, `${field}.${key}`) ? ns : ToolNamespaceConfig.fromJSON(ns as ToolNamespaceConfigJSON),
    ]),
  );
}

function toolsRecord(tools: ToolMap): ToolNamespaces {
  return Object.freeze(Object.fromEntries(tools));
}

function toolsToJSON(tools: ToolMap): ToolsJSON {
  return Object.fromEntries(Array.from(tools, ([key, ns]) => [key, ns.toJSON()]));
}

function toReasoningEffort(value: unknown, field: string): ReasoningEffort | null {
  if (value === undefined || value === null) return null;
  if (isReasoningEffort(value)) return value;
  throw invalidArgument(
    `unknown variant ${JSON.stringify(value)} for ${field}, expected one of "Low", "Medium", "High"`,
    field,
  );
}

/**
 * The body of a system message. `SystemContent.new()` has the reference defaults (identity
 * "You are ChatGPT, a large language model trained by OpenAI.", reasoning `Medium`, knowledge
 * cutoff `2024-06`, required channels analysis/commentary/final); `fromJSON` keeps absent fields
 * unset, like the reference's Rust core.
 */
export class SystemContent {
  readonly #f: Fields<SystemContentFields>;
  #toolsRecord: ToolNamespaces | null = null;

  /** Content with exactly these fields; omitted ones are unset (use `SystemContent.new()` for the defaults). */
  constructor(fields: Partial<SystemContentFields> = {}) {
    const f = requireObject(fields, 'systemContent');
    this.#f = Object.freeze({
      modelIdentity: optionalString(f.modelIdentity, 'modelIdentity'),
      reasoningEffort: toReasoningEffort(f.reasoningEffort, 'reasoningEffort'),
      conversationStartDate: optionalString(f.conversationStartDate, 'conversationStartDate'),
      knowledgeCutoff: optionalString(f.knowledgeCutoff, 'knowledgeCutoff'),
      channelConfig: toChannelConfig(f.channelConfig),
      tools: toolsFromJSON(f.tools, 'tools'),
    });
    Object.freeze(this);
  }

  /** The reference defaults (see the class notes). */
  static new(): SystemContent {
    return SystemContent.fromJSON(DEFAULT_SYSTEM_CONTENT);
  }

  #with(change: Partial<Fields<SystemContentFields>>): SystemContent {
    // The constructor takes the module's own tool maps as they are (see `toolsFromJSON`).
    return new SystemContent({ ...this.#f, ...change } as unknown as SystemContentFields);
  }

  /** Always `'system_content'`. */
  get type(): 'system_content' {
    return 'system_content';
  }
  /** First line of the system message, or `null`. */
  get modelIdentity(): string | null {
    return this.#f.modelIdentity;
  }
  /** The reasoning effort, or `null`. */
  get reasoningEffort(): ReasoningEffort | null {
    return this.#f.reasoningEffort;
  }
  /** `Current date: …`, or `null`. */
  get conversationStartDate(): string | null {
    return this.#f.conversationStartDate;
  }
  /** `Knowledge cutoff: …`, or `null`. */
  get knowledgeCutoff(): string | null {
    return this.#f.knowledgeCutoff;
  }
  /** The channel configuration, or `null`. */
  get channelConfig(): ChannelConfig | null {
    return this.#f.channelConfig;
  }
  /** Built-in tool namespaces by name, or `null`. */
  get tools(): ToolNamespaces | null {
    return this.#f.tools && (this.#toolsRecord ??= toolsRecord(this.#f.tools));
  }

  /** Sets the model identity. */
  withModelIdentity(modelIdentity: string): SystemContent {
    return this.#with({ modelIdentity: requireString(modelIdentity, 'modelIdentity') });
  }
  /** Sets the reasoning effort (`'Low' | 'Medium' | 'High'`). */
  withReasoningEffort(reasoningEffort: ReasoningEffort): SystemContent {
    return this.#with({ reasoningEffort: toReasoningEffort(reasoningEffort, 'reasoningEffort') ?? reasoningEffort });
  }
  /** Sets the conversation start date (free text, e.g. `'2025-06-28'`). */
  withConversationStartDate(conversationStartDate: string): SystemContent {
    return this.#with({ conversationStartDate: requireString(conversationStartDate, 'conversationStartDate') });
  }
  /** Sets the knowledge cutoff (free text, e.g. `'2024-06'`). */
  withKnowledgeCutoff(knowledgeCutoff: string): SystemContent {
    return this.#with({ knowledgeCutoff: requireString(knowledgeCutoff, 'knowledgeCutoff') });
  }
  /** Sets the channel configuration. */
  withChannelConfig(channelConfig: ChannelConfig): SystemContent {
    return this.#with({ channelConfig: toChannelConfig(channelConfig) ?? channelConfig });
  }
  /** Requires a channel on every message, from `channels`. */
  withRequiredChannels(channels: Iterable<string>): SystemContent {
    return this.#with({ channelConfig: ChannelConfig.requireChannels(channels) });
  }
  /** Adds (or replaces, by name) a tool namespace. */
  withTools(namespace: ToolNamespaceConfig): SystemContent {
    return this.#with({ tools: withNamespace(this.#f.tools, namespace) });
  }
  /** Adds the built-in `browser` namespace. */
  withBrowserTool(): SystemContent {
    return this.withTools(ToolNamespaceConfig.browser());
  }
  /** Adds the built-in `python` namespace. */
  withPythonTool(): SystemContent {
    return this.withTools(ToolNamespaceConfig.python());
  }

  /** The reference `to_dict()`: set fields only, `type` last. */
  toJSON(): SystemContentJSON {
    const f = this.#f;
    const out: Partial<SystemContentJSON> = {};
    if (f.modelIdentity !== null) out.model_identity = f.modelIdentity;
    if (f.reasoningEffort !== null) out.reasoning_effort = f.reasoningEffort;
    if (f.conversationStartDate !== null) out.conversation_start_date = f.conversationStartDate;
    if (f.knowledgeCutoff !== null) out.knowledge_cutoff = f.knowledgeCutoff;
    if (f.channelConfig !== null) out.channel_config = f.channelConfig.toJSON();
    if (f.tools !== null) out.tools = toolsToJSON(f.tools);
    out.type = 'system_content';
    return out as SystemContentJSON;
  }

  /** From the JSON shape; absent or `null` fields are unset. */
  static fromJSON(value: Omit<SystemContentJSON, 'type'> & { type?: 'system_content' }): SystemContent {
    const o = requireObject(value, 'system_content');
    return new SystemContent({
      modelIdentity: optionalString(o.model_identity, 'model_identity'),
      reasoningEffort: toReasoningEffort(o.reasoning_effort, 'reasoning_effort'),
      conversationStartDate: optionalString(o.conversation_start_date, 'conversation_start_date'),
      knowledgeCutoff: optionalString(o.knowledge_cutoff, 'knowledge_cutoff'),
      channelConfig:
        o.channel_config === undefined || o.channel_config === null ? null : ChannelConfig.fromJSON(o.channel_config as ChannelConfigJSON),
      tools: o.tools as ToolNamespaces | null | undefined,
    });
  }
}
defineBuilder(SystemContent, 'SystemContent');

/** A builder's fields as kept inside it: the tool namespaces as a `ToolMap`. */
type Fields<T extends { tools: ToolNamespaces | null }> = Omit<T, 'tools'> & { tools: ToolMap | null };

function toChannelConfig(value: unknown): ChannelConfig | null {
  if (value === undefined || value === null) return null;
  if (isInstance(value, ChannelConfig, 'channelConfig')) return value;
  if (isBuilder(value, 'ChannelConfig', 'channelConfig')) return ChannelConfig.fromJSON(value as unknown as ChannelConfigJSON);
  throw invalidArgument(`channelConfig must be a ChannelConfig, got ${describe(value)}`, 'channelConfig');
}

/** The fields of a `DeveloperContent`; `null` = unset. */
export interface DeveloperContentFields {
  instructions: string | null;
  tools: ToolNamespaces | null;
}

/** The body of a developer message: instructions and function tools. */
export class DeveloperContent {
  readonly #f: Fields<DeveloperContentFields>;
  #toolsRecord: ToolNamespaces | null = null;

  /** Content with exactly these fields (omitted = unset). */
  constructor(fields: Partial<DeveloperContentFields> = {}) {
    const f = requireObject(fields, 'developerContent');
    this.#f = Object.freeze({
      instructions: optionalString(f.instructions, 'instructions'),
      tools: toolsFromJSON(f.tools, 'tools'),
    });
    Object.freeze(this);
  }

  /** Empty developer content. */
  static new(): DeveloperContent {
    return new DeveloperContent();
  }

  #with(change: Partial<Fields<DeveloperContentFields>>): DeveloperContent {
    // The constructor takes the module's own tool maps as they are (see `toolsFromJSON`).
    return new DeveloperContent({ ...this.#f, ...change } as unknown as DeveloperContentFields);
  }

  /** Always `'developer_content'`. */
  get type(): 'developer_content' {
    return 'developer_content';
  }
  /** The instructions, or `null`. */
  get instructions(): string | null {
    return this.#f.instructions;
  }
  /** Tool namespaces by name, or `null`. */
  get tools(): ToolNamespaces | null {
    return this.#f.tools && (this.#toolsRecord ??= toolsRecord(this.#f.tools));
  }

  /** Sets the instructions (`# Instructions` section). */
  withInstructions(instructions: string): DeveloperContent {
    return this.#with({ instructions: requireString(instructions, 'instructions') });
  }
  /** Adds (or replaces, by name) a tool namespace. */
  withTools(namespace: ToolNamespaceConfig): DeveloperContent {
    return this.#with({ tools: withNamespace(this.#f.tools, namespace) });
  }
  /** Sets the `functions` namespace to these tools. */
  withFunctionTools(tools: Iterable<ToolDescription | ToolDescriptionJSON>): DeveloperContent {
    return this.withTools(new ToolNamespaceConfig({ name: 'functions', tools: requireList(tools, 'tools') as ToolDescription[] }));
  }

  /** The reference `to_dict()`: set fields only, `type` last. */
  toJSON(): DeveloperContentJSON {
    const out: Partial<DeveloperContentJSON> = {};
    if (this.#f.instructions !== null) out.instructions = this.#f.instructions;
    if (this.#f.tools !== null) out.tools = toolsToJSON(this.#f.tools);
    out.type = 'developer_content';
    return out as DeveloperContentJSON;
  }

  /** From the JSON shape; absent or `null` fields are unset. */
  static fromJSON(value: Omit<DeveloperContentJSON, 'type'> & { type?: 'developer_content' }): DeveloperContent {
    const o = requireObject(value, 'developer_content');
    return new DeveloperContent({
      instructions: optionalString(o.instructions, 'instructions'),
      tools: o.tools as ToolNamespaces | null | undefined,
    });
  }
}
defineBuilder(DeveloperContent, 'DeveloperContent');

/** A content item. */
export type Content = TextContent | SystemContent | DeveloperContent;

/** What builder methods accept as content: a string is a `TextContent`. */
export type ContentLike = string | Content | ContentJSON;

/** A content item from a builder argument or JSON. */
export function toContent(value: unknown, field = 'content'): Content {
  if (typeof value === 'string') return new TextContent(value);
  if (isInstance(value, TextContent, field) || isInstance(value, SystemContent, field) || isInstance(value, DeveloperContent, field)) return value;
  const o = requireObject(value, field);
  switch (o.type) {
    case 'text':
      return new TextContent(requireString(o.text, `${field}.text`));
    case 'system_content':
      return SystemContent.fromJSON(o as unknown as SystemContentJSON);
    case 'developer_content':
      return DeveloperContent.fromJSON(o as unknown as DeveloperContentJSON);
    default:
      throw invalidArgument(`Unknown content variant: ${JSON.stringify(o.type ?? null)} (expected "text", "system_content" or "developer_content")`, field);
  }
}

/** Content items from a list. */
export function toContents(value: unknown, field = 'content'): readonly Content[] {
  return Object.freeze(requireList(value, field, (item, i) => toContent(item, `${field}[${i}]`)));
}
