/**
 * The never-throwing parser shared by the gateway mappers, over the core's `RecoveringParser`,
 * and text mode (`parseText`, `TextStreamParser`). Events are the package's `HarmonyEvent`s
 * plus `RecoveredEvent`s, in stream order.
 *
 * @module
 */

import type { Message } from '../builders/message.js';
import { ErrorCode, HarmonyError, invalidArgument } from '../errors.js';
import { nativeEncoding } from '../native/encoding.js';
import { callNative } from '../native/errors.js';
import { EventConverter } from '../native/events.js';
import { native } from '../native/loader.js';
import type { HarmonyEvent, MessageStartEvent } from '../stream/events.js';
import { toUint32Array, type TokenInput } from '../tokens.js';
import { isRole, type Role } from '../values.js';
import type { ToolNameMap } from './options.js';

/** What the recovering parser stepped in for (see `docs/gateway.md`). */
export type RecoveryKind =
  | 'stray-stop-token'
  | 'missing-start'
  | 'broken-header'
  | 'interrupted-header'
  | 'header-eos'
  | 'control-token-in-recipient';

/** One intervention on malformed model output. */
export interface Recovery {
  kind: RecoveryKind;
  /** Index of the token (among all tokens fed) where it was noticed. */
  tokenIndex: number;
  /** A human-readable explanation, for logs. */
  detail: string;
}

/** A recovery, as an event in stream order. A recovered tail's `message-start` follows it. */
export interface RecoveredEvent extends Recovery {
  type: 'recovered';
}

/** The events of the gateway parsers. */
export type GatewayEvent = HarmonyEvent | RecoveredEvent;

/** Options of the text parsers. */
export interface TextParseOptions {
  /** Throw an `ERR_HARMONY_PARSE` `HarmonyError` instead of recovering. @defaultValue `false` */
  strict?: boolean;
}

type NativeParser = InstanceType<typeof native.BindingRecoveringParser>;
type Wire = ReturnType<NativeParser['processMany']>[number];

/** @internal The recovering parser with typed events; `strict` turns a recovery into an error. */
export class RecoveringParser {
  readonly #native: NativeParser;
  readonly #strict: boolean;
  readonly #converter = new EventConverter();
  readonly messages: Message[] = [];
  readonly recovered: Recovery[] = [];

  constructor(role: Role | null, strict: boolean | undefined) {
    if (role !== null && !isRole(role)) throw invalidArgument(`unknown role: ${String(role)}`, 'role');
    if (strict !== undefined && typeof strict !== 'boolean') throw invalidArgument('strict must be a boolean', 'strict');
    this.#strict = strict ?? false;
    const encoding = nativeEncoding('HarmonyGptOss').handle;
    this.#native = callNative(() => new native.BindingRecoveringParser(encoding, role));
  }

  pushTokens(tokens: TokenInput): GatewayEvent[] {
    const batch = toUint32Array(tokens);
    return this.#convert(callNative(() => this.#native.processMany(batch)));
  }
  pushText(text: string): GatewayEvent[] {
    if (typeof text !== 'string') throw invalidArgument('text must be a string', 'text');
    return this.#convert(callNative(() => this.#native.processText(text)));
  }
  end(): GatewayEvent[] {
    return this.#convert(callNative(() => this.#native.processEos()));
  }

  #convert(raw: Wire[]): GatewayEvent[] {
    return raw.map((ev): GatewayEvent => {
      if (typeof ev !== 'string' && ev.type === 'recovered') {
        const r: Recovery = { kind: ev.kind as RecoveryKind, tokenIndex: ev.tokenIndex, detail: ev.detail };
        if (this.#strict) throw new HarmonyError(ErrorCode.Parse, `${r.kind}: ${r.detail}`, { tokenIndex: r.tokenIndex });
        this.recovered.push(r);
        return { type: 'recovered', ...r };
      }
      return this.#converter.convert(ev, (m) => this.messages.push(m));
    });
  }
}

/** The result of `parseText`. */
export interface TextParseResult {
  messages: Message[];
  events: GatewayEvent[];
  recovered: Recovery[];
}

/**
 * Parses Harmony from decoded text with literal `<|…|>` markers (for servers that only see
 * detokenised output): the same messages and events as from the tokens.
 *
 * @param role - the role of the first message when the text starts right after
 *   `<|start|>{role}` (default `'assistant'`), or `null` when it starts with `<|start|>`
 */
export function parseText(text: string, role: Role | null = 'assistant', options: TextParseOptions = {}): TextParseResult {
  const parser = new RecoveringParser(role, options.strict);
  const events = [...parser.pushText(text), ...parser.end()];
  return { messages: [...parser.messages], events, recovered: [...parser.recovered] };
}

/** Text mode, streaming: `push(text)` per decoded piece, `end()` at the end of the stream. */
export class TextStreamParser {
  readonly #parser: RecoveringParser;
  /** A high surrogate waiting for its pair (a piece may end in the middle of a character). */
  #surrogate = '';

  constructor(role: Role | null = 'assistant', options: TextParseOptions = {}) {
    this.#parser = new RecoveringParser(role, options.strict);
  }

  /** Feeds a piece of decoded text; returns the events it caused. */
  push(text: string): GatewayEvent[] {
    if (typeof text !== 'string') throw invalidArgument('text must be a string', 'text');
    let piece = this.#surrogate + text;
    const last = piece.charCodeAt(piece.length - 1);
    this.#surrogate = last >= 0xd800 && last <= 0xdbff ? piece.slice(-1) : '';
    if (this.#surrogate) piece = piece.slice(0, -1);
    return this.#parser.pushText(piece);
  }

  /** Signals the end of the text; returns the events it caused. */
  end(): GatewayEvent[] {
    const rest = this.#surrogate ? this.#parser.pushText(this.#surrogate) : [];
    this.#surrogate = '';
    return [...rest, ...this.#parser.end()];
  }

  /** The completed messages. */
  get messages(): readonly Message[] {
    return [...this.#parser.messages];
  }
  /** Every recovery so far. */
  get recovered(): readonly Recovery[] {
    return [...this.#parser.recovered];
  }
}

/**
 * @internal Recoveries waiting for the next piece of output (a chunk, an event) to carry them,
 * so that each one reaches the client where it happened.
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

/** What an assistant message is, for the OpenAI mappings. */
export type MessageKind =
  | { kind: 'reasoning' }
  | { kind: 'text' }
  | { kind: 'call'; tool: 'function' | 'browser' | 'python' | 'other'; recipient: string };

/** @internal Classifies a message by its header: a recipient makes it a call, whatever the channel. */
export function classify(start: MessageStartEvent): MessageKind {
  const r = start.recipient;
  if (start.role === 'assistant' && r !== undefined && r !== 'all') {
    if (r.startsWith('functions.')) return { kind: 'call', tool: 'function', recipient: r };
    if (r.startsWith('browser.')) return { kind: 'call', tool: 'browser', recipient: r };
    if (r === 'python' || r.startsWith('python.')) return { kind: 'call', tool: 'python', recipient: r };
    return { kind: 'call', tool: 'other', recipient: r };
  }
  return start.channel === 'analysis' ? { kind: 'reasoning' } : { kind: 'text' };
}

/** @internal A call's name as the caller knows it: `functions.x` → x (mapped back), else the recipient. */
export function callName(kind: Extract<MessageKind, { kind: 'call' }>, toolNames: ToolNameMap | undefined): string {
  if (kind.tool !== 'function') return kind.recipient;
  const name = kind.recipient.slice('functions.'.length);
  return toolNames ? toolNames.fromHarmony(name) : name;
}
