/**
 * What both response mappers (Chat Completions, Responses) read model output with: the main
 * entry's `RecoveringParser` (streamed, or one call for a whole completion), what each message
 * is for the OpenAI shapes (the core decides reasoning / text / call; the tool is told by the
 * recipient), token counts for `usage`, and recoveries waiting for a piece of output to carry them.
 *
 * @module
 */

import {
  loadHarmonyEncoding,
  RecoveringParser,
  type RecoveredEvent,
  type RecoveringEvent,
  type RecoveringMessageStartEvent,
  toUint32Array,
  type Recovery,
  type TokenInput,
} from '../index.js';
import type { Settings } from './options.js';
import type { ToolNameMap } from './tool-names.js';

/** What an assistant message is, for the OpenAI mappings. */
export type MessageKind =
  | { kind: 'reasoning' }
  | { kind: 'text'; channel: string | undefined }
  | { kind: 'call'; tool: 'function' | 'browser' | 'python' | 'other'; recipient: string };

const REASONING: MessageKind = { kind: 'reasoning' };

/** The core's decision, with the tool of a call told by its recipient. */
export function classify(start: RecoveringMessageStartEvent): MessageKind {
  if (start.kind === 'reasoning') return REASONING;
  const r = start.recipient;
  if (start.kind === 'text' || r === undefined) return { kind: 'text', channel: start.channel };
  if (r.startsWith('functions.')) return { kind: 'call', tool: 'function', recipient: r };
  if (r === 'browser.search' || r === 'browser.open' || r === 'browser.find') return { kind: 'call', tool: 'browser', recipient: r };
  if (r === 'python' || r.startsWith('python.')) return { kind: 'call', tool: 'python', recipient: r };
  return { kind: 'call', tool: 'other', recipient: r };
}

/** A call's name as the caller knows it: `functions.x` → x (mapped back), else the recipient. */
export function callName(kind: Extract<MessageKind, { kind: 'call' }>, toolNames: ToolNameMap | undefined): string {
  if (kind.tool !== 'function') return kind.recipient;
  const name = kind.recipient.slice('functions.'.length);
  return toolNames ? toolNames.fromHarmony(name) : name;
}

/** Token counts for `usage`. */
export interface TokenCounts {
  prompt: number;
  completion: number;
  reasoning: number;
}

/** The model output as events, pushed or whole. */
export interface ModelOutput {
  push(tokens: TokenInput): RecoveringEvent[];
  end(): RecoveringEvent[];
  /** The stream ended inside a message or a header (after `end()`). */
  readonly truncated: boolean;
  readonly recovered: readonly Recovery[];
  counts(): TokenCounts;
}

/** Output pushed batch by batch into a streaming parser. */
export function streamedOutput(settings: Settings): ModelOutput {
  const parser = new RecoveringParser(loadHarmonyEncoding(), 'assistant', { strict: settings.strict });
  return {
    push: (tokens) => parser.processMany(tokens),
    end: () => parser.processEos(),
    get truncated() {
      return parser.truncated;
    },
    get recovered() {
      return parser.recovered;
    },
    counts: () => ({ prompt: settings.promptTokens, completion: parser.tokenCount, reasoning: parser.reasoningTokenCount }),
  };
}

/** A whole completion, parsed in one native call at its one `push`. */
export function wholeOutput(settings: Settings): ModelOutput {
  let result: ReturnType<typeof RecoveringParser.parseCompletion> | undefined;
  const parsed = () => {
    if (result === undefined) throw new Error('internal: a whole completion read before it was pushed');
    return result;
  };
  return {
    push(tokens) {
      // Tokens only: text (which `parseCompletion` also takes) goes through `parseText`.
      result = RecoveringParser.parseCompletion(loadHarmonyEncoding(), toUint32Array(tokens), 'assistant', { strict: settings.strict });
      return result.events;
    },
    end: () => [],
    get truncated() {
      return parsed().truncated;
    },
    get recovered() {
      return parsed().recovered;
    },
    counts: () => ({ prompt: settings.promptTokens, completion: parsed().tokenCount, reasoning: parsed().reasoningTokenCount }),
  };
}

/**
 * Recoveries waiting for the next piece of output (a chunk, an event) to carry them, so that
 * each one reaches the client where it happened.
 */
export class PendingRecoveries {
  #list: Recovery[] = [];

  /** Queues the recovery of a `recovered` event. */
  add(ev: RecoveredEvent): void {
    this.#list.push({ kind: ev.kind, tokenIndex: ev.tokenIndex, detail: ev.detail });
  }
  /** Whether some are waiting (then a batch must end with a piece that carries them). */
  get waiting(): boolean {
    return this.#list.length > 0;
  }
  /** The waiting recoveries, removed from the queue (`undefined` when none). */
  take(): Recovery[] | undefined {
    if (this.#list.length === 0) return undefined;
    const list = this.#list;
    this.#list = [];
    return list;
  }
}
