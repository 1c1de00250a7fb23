/**
 * Options shared by the gateway mappers, tool-name mapping, and the common request helpers.
 *
 * @module
 */

import { randomUUID } from 'node:crypto';

import { invalidArgument } from '../errors.js';
import { ReasoningEffort } from '../values.js';
import type { JsonSchema } from './openai-types.js';

/** Options of the gateway functions. */
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
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * Tool names as the caller spells them ↔ the names written into the prompt. The prompt declares
 * tools as TypeScript (`type NAME = …`), so a name that is not a valid identifier
 * (`get-weather`, `1tool`, `search.v2`) is replaced by one that is (`get_weather`), kept unique.
 */
export class ToolNameMap {
  readonly #toHarmony = new Map<string, string>();
  readonly #fromHarmony = new Map<string, string>();

  /** The prompt name of `name`, registering a new mapping if needed. */
  add(name: string): string {
    const known = this.#toHarmony.get(name);
    if (known !== undefined) return known;
    let base = IDENTIFIER.test(name) ? name : name.replace(/[^A-Za-z0-9_$]/g, '_').replace(/^(?=[0-9]|$)/, '_');
    let candidate = base;
    for (let n = 2; this.#fromHarmony.has(candidate); n++) candidate = `${base}_${n}`;
    base = candidate;
    this.#toHarmony.set(name, base);
    this.#fromHarmony.set(base, name);
    return base;
  }
  /** The prompt name of a caller's name (the name itself when unknown). */
  toHarmony(name: string): string {
    return this.#toHarmony.get(name) ?? name;
  }
  /** The caller's name of a prompt name (the name itself when unknown). */
  fromHarmony(name: string): string {
    return this.#fromHarmony.get(name) ?? name;
  }
  /** `[callerName, promptName]` pairs where the two differ. */
  renamed(): [string, string][] {
    return [...this.#toHarmony].filter(([a, b]) => a !== b);
  }
}

/** @internal The response metadata from the options. */
export function metadata(options: GatewayOptions, idPrefix: string): { id: string; model: string; created: number } {
  return {
    id: options.id ?? `${idPrefix}${randomUUID().replaceAll('-', '')}`,
    model: options.model ?? 'gpt-oss',
    created: options.created ?? Math.floor(Date.now() / 1000),
  };
}

/** @internal A random id with a prefix (`call_…`). */
export function newId(prefix: string): string {
  return `${prefix}${randomUUID().replaceAll('-', '').slice(0, 24)}`;
}

/** @internal OpenAI's effort spelling → Harmony's. */
export function toReasoningEffort(value: unknown, field: string): ReasoningEffort | null {
  if (value === undefined || value === null) return null;
  switch (value) {
    case 'low':
      return ReasoningEffort.Low;
    case 'medium':
      return ReasoningEffort.Medium;
    case 'high':
      return ReasoningEffort.High;
    default:
      throw invalidArgument(`${field} must be 'low', 'medium' or 'high', got ${JSON.stringify(value)}`, field);
  }
}

/**
 * @internal The structured-output section the Harmony guide puts at the end of the developer
 * message (`# Response Formats`, `## name`, `// description`, the schema as JSON).
 */
export function responseFormatSection(name: string, description: string | undefined, schema: JsonSchema | undefined): string {
  const comment = description ? `// ${description}\n` : '';
  return `# Response Formats\n\n## ${name}\n\n${comment}${JSON.stringify(schema ?? {})}`;
}

/** @internal Checks that `value` is a plain object. */
export function requireRecord(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidArgument(`${field} must be an object`, field);
  return value as Record<string, unknown>;
}

/** @internal Checks that `value` is a string. */
export function requireText(value: unknown, field: string): string {
  if (typeof value !== 'string') throw invalidArgument(`${field} must be a string`, field);
  return value;
}
