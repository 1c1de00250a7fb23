/**
 * What both response mappers (Chat Completions, Responses) read model output with: the
 * recovering parser of the main entry, what each message is for the OpenAI shapes, token
 * counts for `usage`, and recoveries waiting for a piece of output to carry them.
 *
 * @module
 */

import {
  ErrorCode,
  HarmonyError,
  loadHarmonyEncoding,
  RecoveringParser,
  type MessageStartEvent,
  type RecoveredEvent,
  type RecoveringEvent,
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

/** Classifies a message by its header: a recipient makes it a call, whatever the channel. */
export function classify(start: MessageStartEvent): MessageKind {
  const r = start.recipient;
  if (start.role === 'assistant' && r !== undefined && r !== 'all') {
    if (r.startsWith('functions.')) return { kind: 'call', tool: 'function', recipient: r };
    if (r === 'browser.search' || r === 'browser.open' || r === 'browser.find') return { kind: 'call', tool: 'browser', recipient: r };
    if (r === 'python' || r.startsWith('python.')) return { kind: 'call', tool: 'python', recipient: r };
    return { kind: 'call', tool: 'other', recipient: r };
  }
  return start.channel === 'analysis' ? REASONING : { kind: 'text', channel: start.channel };
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

/**
 * The model output as events: the recovering parser, with `strict` turning a recovery into an
 * `ERR_HARMONY_PARSE` error, and the token counts.
 */
export class ModelOutput {
  readonly #parser = new RecoveringParser(loadHarmonyEncoding(), 'assistant');
  readonly #strict: boolean;
  readonly #promptTokens: number;

  constructor(settings: Settings) {
    this.#strict = settings.strict;
    this.#promptTokens = settings.promptTokens;
  }

  push(tokens: TokenInput): RecoveringEvent[] {
    return this.#checked(this.#parser.processMany(tokens));
  }
  pushText(text: string): RecoveringEvent[] {
    return this.#checked(this.#parser.processText(text));
  }
  end(): RecoveringEvent[] {
    return this.#checked(this.#parser.processEos());
  }

  /** Every recovery so far. */
  get recovered(): readonly Recovery[] {
    return this.#parser.recovered;
  }

  counts(): TokenCounts {
    return { prompt: this.#promptTokens, completion: this.#parser.tokenCount, reasoning: this.#parser.reasoningTokenCount };
  }

  #checked(events: RecoveringEvent[]): RecoveringEvent[] {
    return strictly(events, this.#strict);
  }
}

/** `events`, unless `strict` and one of them is a recovery: then an `ERR_HARMONY_PARSE` error. */
export function strictly(events: RecoveringEvent[], strict: boolean): RecoveringEvent[] {
  if (strict) {
    for (const ev of events) {
      if (ev.type === 'recovered') throw new HarmonyError(ErrorCode.Parse, `${ev.kind}: ${ev.detail}`, { tokenIndex: ev.tokenIndex });
    }
  }
  return events;
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
