/**
 * Tool declarations: `ToolDescription` (one function with a JSON Schema of its arguments),
 * `ToolNamespaceConfig` (a named group, with the built-in `browser` and `python` presets) and
 * `ChannelConfig`. Immutable; `toJSON()` gives the reference's `to_dict()` shapes.
 *
 * @module
 */

import { BROWSER_NAMESPACE, PYTHON_NAMESPACE } from '../generated/defaults.js';
import { invalidArgument } from '../errors.js';
import type { ChannelConfigJSON, JsonValue, ToolDescriptionJSON, ToolNamespaceConfigJSON } from '../types.js';
import {
  defineBuilder,
  frozenJSON,
  isInstance,
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
    this.#validChannels = Object.freeze(requireList(o.validChannels, 'validChannels', (c, i) => requireString(c, `validChannels[${i}]`)));
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
defineBuilder(ChannelConfig, 'ChannelConfig');

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
defineBuilder(ToolDescription, 'ToolDescription');

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
      requireList(o.tools, 'tools', (t, i) => (isInstance(t, ToolDescription, `tools[${i}]`) ? t : ToolDescription.fromJSON(t as ToolDescriptionJSON))),
    );
    Object.freeze(this);
  }

  /** The built-in `browser` namespace (`search`, `open`, `find`), exactly as the reference's. */
  static browser(): ToolNamespaceConfig {
    return ToolNamespaceConfig.fromJSON(BROWSER_NAMESPACE);
  }

  /** The built-in `python` namespace (a description, no tools), exactly as the reference's. */
  static python(): ToolNamespaceConfig {
    return ToolNamespaceConfig.fromJSON(PYTHON_NAMESPACE);
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
defineBuilder(ToolNamespaceConfig, 'ToolNamespaceConfig');
