/**
 * Tool declarations: `ToolDescription` (one function with a JSON Schema of its arguments),
 * `ToolNamespaceConfig` (a named group, with the built-in `browser` and `python` presets) and
 * `ChannelConfig`. Immutable; `toJSON()` gives the reference's `to_dict()` shapes.
 *
 * @module
 */

import { invalidArgument } from '../errors.js';
import type { ChannelConfigJSON, JsonValue, ToolDescriptionJSON, ToolNamespaceConfigJSON } from '../types.js';
import {
  defineInspect,
  frozenJSON,
  optionalString,
  requireList,
  requireObject,
  requireString,
  thawJSON,
} from './internal.js';

/** Which channels the model may use, and whether every message must name one. */
export class ChannelConfig {
  readonly #validChannels: readonly string[];
  readonly #channelRequired: boolean;

  /**
   * @param options.validChannels - the channels, in the order they are listed to the model
   * @param options.channelRequired - whether every message must carry a channel
   */
  constructor(options: { validChannels: Iterable<string>; channelRequired: boolean }) {
    const o = requireObject(options, 'channelConfig');
    this.#validChannels = Object.freeze(requireList(o.validChannels, 'validChannels').map((c, i) => requireString(c, `validChannels[${i}]`)));
    if (typeof o.channelRequired !== 'boolean') throw invalidArgument('channelRequired must be a boolean', 'channelRequired');
    this.#channelRequired = o.channelRequired;
    Object.freeze(this);
  }

  /** Requires a channel on every message, from `channels`. */
  static requireChannels(channels: Iterable<string>): ChannelConfig {
    return new ChannelConfig({ validChannels: channels, channelRequired: true });
  }

  /** The channels. */
  get validChannels(): readonly string[] {
    return this.#validChannels;
  }

  /** Whether a channel is required. */
  get channelRequired(): boolean {
    return this.#channelRequired;
  }

  /** `{ valid_channels, channel_required }`. */
  toJSON(): ChannelConfigJSON {
    return { valid_channels: [...this.#validChannels], channel_required: this.#channelRequired };
  }

  /** From `{ valid_channels, channel_required }` (both required, as in the reference). */
  static fromJSON(value: ChannelConfigJSON): ChannelConfig {
    const o = requireObject(value, 'channel_config');
    if (typeof o.channel_required !== 'boolean') {
      throw invalidArgument('channel_config.channel_required must be a boolean', 'channel_config.channel_required');
    }
    return new ChannelConfig({ validChannels: requireList(o.valid_channels, 'channel_config.valid_channels') as string[], channelRequired: o.channel_required });
  }
}
defineInspect(ChannelConfig, 'ChannelConfig');

/** One tool: a name, a description and an optional JSON Schema of its argument object. */
export class ToolDescription {
  readonly #name: string;
  readonly #description: string;
  readonly #parameters: JsonValue;

  /**
   * @param name - the tool's name inside its namespace
   * @param description - what it does (rendered as `// ` comment lines)
   * @param parameters - JSON Schema of the arguments (`null`/absent: none). Property order is kept
   *   and is significant for rendering. The object is copied and frozen.
   */
  constructor(name: string, description: string, parameters?: JsonValue | object | null) {
    this.#name = requireString(name, 'name');
    this.#description = requireString(description, 'description');
    this.#parameters = parameters === undefined ? null : frozenJSON(parameters, 'parameters');
    Object.freeze(this);
  }

  /** A tool description (see the constructor). */
  static new(name: string, description: string, parameters?: JsonValue | object | null): ToolDescription {
    return new ToolDescription(name, description, parameters);
  }

  /** The tool's name. */
  get name(): string {
    return this.#name;
  }

  /** The description. */
  get description(): string {
    return this.#description;
  }

  /** The JSON Schema of the arguments (deep-frozen), or `null`. */
  get parameters(): JsonValue {
    return this.#parameters;
  }

  /** `{ name, description, parameters? }` (`parameters` omitted when unset). */
  toJSON(): ToolDescriptionJSON {
    const out: ToolDescriptionJSON = { name: this.#name, description: this.#description };
    if (this.#parameters !== null) out.parameters = thawJSON(this.#parameters);
    return out;
  }

  /** From `{ name, description, parameters? }`. */
  static fromJSON(value: ToolDescriptionJSON): ToolDescription {
    const o = requireObject(value, 'tool');
    return new ToolDescription(requireString(o.name, 'tool.name'), requireString(o.description, 'tool.description'), (o.parameters ?? null) as JsonValue);
  }
}
defineInspect(ToolDescription, 'ToolDescription');

/** A namespace of tools (`functions`, `browser`, `python`, …). */
export class ToolNamespaceConfig {
  readonly #name: string;
  readonly #description: string | null;
  readonly #tools: readonly ToolDescription[];

  /**
   * @param options.name - the namespace's name (section heading and `namespace` block)
   * @param options.description - optional text rendered above the tools
   * @param options.tools - the tools, in rendering order
   */
  constructor(options: { name: string; description?: string | null; tools: Iterable<ToolDescription | ToolDescriptionJSON> }) {
    const o = requireObject(options, 'namespace');
    this.#name = requireString(o.name, 'name');
    this.#description = optionalString(o.description, 'description');
    this.#tools = Object.freeze(
      requireList(o.tools, 'tools').map((t) => (t instanceof ToolDescription ? t : ToolDescription.fromJSON(t as ToolDescriptionJSON))),
    );
    Object.freeze(this);
  }

  /** The built-in `browser` namespace (`search`, `open`, `find`), exactly as the reference's. */
  static browser(): ToolNamespaceConfig {
    return ToolNamespaceConfig.fromJSON(BROWSER);
  }

  /** The built-in `python` namespace (a description, no tools), exactly as the reference's. */
  static python(): ToolNamespaceConfig {
    return ToolNamespaceConfig.fromJSON(PYTHON);
  }

  /** The namespace's name. */
  get name(): string {
    return this.#name;
  }

  /** The description, or `null`. */
  get description(): string | null {
    return this.#description;
  }

  /** The tools. */
  get tools(): readonly ToolDescription[] {
    return this.#tools;
  }

  /** `{ name, description?, tools }` (`description` omitted when unset). */
  toJSON(): ToolNamespaceConfigJSON {
    const tools = this.#tools.map((t) => t.toJSON());
    return this.#description === null
      ? { name: this.#name, tools }
      : { name: this.#name, description: this.#description, tools };
  }

  /** From `{ name, description?, tools }`. */
  static fromJSON(value: ToolNamespaceConfigJSON): ToolNamespaceConfig {
    const o = requireObject(value, 'namespace');
    return new ToolNamespaceConfig({
      name: requireString(o.name, 'namespace.name'),
      description: optionalString(o.description, 'namespace.description'),
      tools: requireList(o.tools, 'namespace.tools') as ToolDescriptionJSON[],
    });
  }
}
defineInspect(ToolNamespaceConfig, 'ToolNamespaceConfig');

// The built-in namespaces: the reference's data (openai-harmony 0.0.8, Apache-2.0), character
// for character; property order inside `parameters` is significant.

const BROWSER: ToolNamespaceConfigJSON = {
  name: 'browser',
  description:
    'Tool for browsing.\nThe `cursor` appears in brackets before each browsing display: `[{cursor}]`.\nCite information from the tool using the following format:\n`【{cursor}†L{line_start}(-L{line_end})?】`, for example: `【6†L9-L11】` or `【8†L3】`.\nDo not quote more than 10 words directly from the tool output.\nsources=web (default: web)',
  tools: [
    {
      name: 'search',
      description: 'Searches for information related to `query` and displays `topn` results.',
      parameters: {
        type: 'object',
        properties: { query: { type: 'string' }, topn: { type: 'number', default: 10 }, source: { type: 'string' } },
        required: ['query'],
      },
    },
    {
      name: 'open',
      description:
        'Opens the link `id` from the page indicated by `cursor` starting at line number `loc`, showing `num_lines` lines.\nValid link ids are displayed with the formatting: `【{id}†.*】`.\nIf `cursor` is not provided, the most recent page is implied.\nIf `id` is a string, it is treated as a fully qualified URL associated with `source`.\nIf `loc` is not provided, the viewport will be positioned at the beginning of the document or centered on the most relevant passage, if available.\nUse this function without `id` to scroll to a new location of an opened page.',
      parameters: {
        type: 'object',
        properties: {
          id: { type: ['number', 'string'], default: -1 },
          cursor: { type: 'number', default: -1 },
          loc: { type: 'number', default: -1 },
          num_lines: { type: 'number', default: -1 },
          view_source: { type: 'boolean', default: false },
          source: { type: 'string' },
        },
      },
    },
    {
      name: 'find',
      description: 'Finds exact matches of `pattern` in the current page, or the page given by `cursor`.',
      parameters: {
        type: 'object',
        properties: { pattern: { type: 'string' }, cursor: { type: 'number', default: -1 } },
        required: ['pattern'],
      },
    },
  ],
};

const PYTHON: ToolNamespaceConfigJSON = {
  name: 'python',
  description:
    "Use this tool to execute Python code in your chain of thought. The code will not be shown to the user. This tool should be used for internal reasoning, but not for code that is intended to be visible to the user (e.g. when creating plots, tables, or files).\n\nWhen you send a message containing Python code to python, it will be executed in a stateful Jupyter notebook environment. python will respond with the output of the execution or time out after 120.0 seconds. The drive at '/mnt/data' can be used to save and persist user files. Internet access for this session is UNKNOWN. Depends on the cluster.",
  tools: [],
};
