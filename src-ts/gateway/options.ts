/**
 * The options of the response mappers, read once into what the mappers use.
 *
 * @module
 */

import { randomUUID } from 'node:crypto';

import type { TokenInput } from '../index.js';
import { CallerObject, guarded, invalidInput } from './input.js';
import { ToolNameMap } from './tool-names.js';

/** Options of the response mappers (whole results and streams). */
export interface GatewayOptions {
  /** Throw (`ERR_HARMONY_PARSE`) on malformed model output instead of recovering. @defaultValue `false` */
  strict?: boolean;
  /** The mapping returned by the request mapper, to give tool names back in the caller's spelling. */
  toolNames?: ToolNameMap;
  /** The response id (default: a random `chatcmpl-…` / `resp_…`). */
  id?: string;
  /** The model name reported (default `gpt-oss`). */
  model?: string;
  /** Unix seconds (default: now). */
  created?: number;
  /**
   * The prompt the model completed, as its token count or its tokens, for `usage`
   * (`prompt_tokens`, `input_tokens`; 0 when not given).
   */
  promptTokens?: number | TokenInput;
}

/** Options of `ChatCompletionChunkMapper`. */
export interface ChatCompletionChunkOptions extends GatewayOptions {
  /**
   * End with a usage chunk (no choices, `usage` set), as the request asks with
   * `stream_options: { include_usage: true }`. @defaultValue `false`
   */
  includeUsage?: boolean;
}

/** @internal The options, checked. */
export interface Settings {
  strict: boolean;
  toolNames: ToolNameMap | undefined;
  id: string;
  model: string;
  created: number;
  promptTokens: number;
  includeUsage: boolean;
}

/** @internal Reads the options (own properties only); `idPrefix` starts a random id. */
export function settings(options: unknown, idPrefix: string): Settings {
  const o = CallerObject.optional(options, 'options');
  const toolNames = o?.get('toolNames');
  if (toolNames !== undefined && !guarded('options.toolNames', () => toolNames instanceof ToolNameMap)) {
    throw invalidInput('options.toolNames must be the ToolNameMap of the request mapper', 'options.toolNames');
  }
  const created = o?.get('created');
  if (created !== undefined && (typeof created !== 'number' || !Number.isFinite(created))) {
    throw invalidInput('options.created must be a number (Unix seconds)', 'options.created');
  }
  return {
    strict: o?.optionalBoolean('strict') ?? false,
    toolNames: toolNames as ToolNameMap | undefined,
    id: o?.optionalText('id') ?? `${idPrefix}${randomUUID().replaceAll('-', '')}`,
    model: o?.optionalText('model') ?? 'gpt-oss',
    created: (created as number | undefined) ?? Math.floor(Date.now() / 1000),
    promptTokens: promptLength(o?.get('promptTokens')),
    includeUsage: o?.optionalBoolean('includeUsage') ?? false,
  };
}

function promptLength(value: unknown): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value >= 0) return value;
  } else if (typeof value === 'object') {
    const length = guarded('options.promptTokens', () => (value as { length?: unknown }).length);
    if (typeof length === 'number' && Number.isSafeInteger(length) && length >= 0) return length;
  }
  throw invalidInput('options.promptTokens must be the prompt token count or its tokens', 'options.promptTokens');
}

/** @internal A random id with a prefix (`call_…`). */
export function newId(prefix: string): string {
  return `${prefix}${randomUUID().replaceAll('-', '').slice(0, 24)}`;
}
