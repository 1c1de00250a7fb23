/**
 * `RecoveringParser`: the core's parser that never fails on model output, for gateways. Where a
 * sampled completion breaks the Harmony grammar it steps in the way the serving stacks do, and
 * it decides what each message is (`kind`: reasoning, text for the user, a tool call), so that
 * text written under an analysis header (any spelling) or in a header that never completed is
 * never `text` nor a call. Each intervention is a `recovered` event, in stream order.
 *
 * @module
 */

import type { Message } from '../builders/message.js';
import type { HarmonyEncoding } from '../encoding.js';
import { booleanOption, encodingName } from '../arguments.js';
import { toRole } from '../builders/author.js';
import { invalidArgument } from '../errors.js';
import { nativeEncoding } from '../native/encoding.js';
import { NativeRecoveringParser, recoverCompletion, type RecoveringSink } from '../native/recovering-parser.js';
import { toUint32Array, type TokenInput } from '../tokens.js';
import type { Role } from '../values.js';
import type { RecoveringEvent, Recovery } from './events.js';

export type {
  MessageKind,
  RecoveredEvent,
  RecoveringEvent,
  RecoveringMessageEndEvent,
  RecoveringMessageStartEvent,
  Recovery,
  RecoveryKind,
} from './events.js';

/** Options of the recovering parser. */
export interface RecoveringParserOptions {
  /** Throw an `ERR_HARMONY_PARSE` error at the first recovery instead of recovering. @defaultValue `false` */
  strict?: boolean;
}

/** A whole completion, parsed (`RecoveringParser.parseCompletion`). */
export interface RecoveredCompletion {
  events: RecoveringEvent[];
  messages: Message[];
  recovered: Recovery[];
  /** The stream ended inside a message or a header (the reply was cut short). */
  truncated: boolean;
  /** Tokens parsed (in text mode: of the tokenised text). */
  tokenCount: number;
  /** Those read inside reasoning messages. */
  reasoningTokenCount: number;
}

/** The checked arguments: the encoding's name, the role, strictness. */
function checkedArguments(encoding: HarmonyEncoding, role: Role | null, options: RecoveringParserOptions | undefined): [string, Role | null, boolean] {
  return [encodingName(encoding), role === null ? null : toRole(role), booleanOption(options, 'strict', false)];
}

/** Collects what a parser completes. */
class Collected implements RecoveringSink {
  readonly messages: Message[] = [];
  readonly recovered: Recovery[] = [];
  message(message: Message): void {
    this.messages.push(message);
  }
  recovery(recovery: Recovery): void {
    this.recovered.push(recovery);
  }
}

/**
 * The never-failing parser, push-style: `processMany(batch)` per sampled batch (one native call,
 * none for most single content tokens), `processEos()` at the end.
 *
 * @example
 * ```ts
 * const parser = new RecoveringParser(enc, 'assistant');
 * for (const batch of sampled) for (const ev of parser.processMany(batch)) handle(ev);
 * for (const ev of parser.processEos()) handle(ev);
 * ```
 */
export class RecoveringParser {
  readonly #parser: NativeRecoveringParser;
  readonly #collected = new Collected();
  #freed = false;

  /**
   * @param encoding - the encoding (`loadHarmonyEncoding()`)
   * @param role - the role of the first message when the tokens start right after
   *   `<|start|>{role}` (default `'assistant'`), or `null` when they start with `<|start|>`
   * @param options - `{ strict = false }`
   */
  constructor(encoding: HarmonyEncoding, role: Role | null = 'assistant', options?: RecoveringParserOptions) {
    const [name, firstRole, strict] = checkedArguments(encoding, role, options);
    this.#parser = new NativeRecoveringParser(nativeEncoding(name).handle, firstRole, strict, this.#collected);
  }

  /**
   * Parses a whole completion — tokens, or decoded text with literal `<|…|>` markers — end of
   * stream included, in one native call.
   */
  static parseCompletion(
    encoding: HarmonyEncoding,
    completion: TokenInput | string,
    role: Role | null = 'assistant',
    options?: RecoveringParserOptions,
  ): RecoveredCompletion {
    const [name, firstRole, strict] = checkedArguments(encoding, role, options);
    const input = typeof completion === 'string' ? completion : toUint32Array(completion, 'completion');
    const collected = new Collected();
    const result = recoverCompletion(nativeEncoding(name).handle, input, firstRole, strict, collected);
    return { ...result, messages: collected.messages, recovered: collected.recovered };
  }

  /** Feeds a batch of tokens; returns its events. */
  processMany(tokens: TokenInput): RecoveringEvent[] {
    return this.#live().push(toUint32Array(tokens));
  }

  /** Feeds decoded text with literal `<|…|>` markers; returns its events. */
  processText(text: string): RecoveringEvent[] {
    if (typeof text !== 'string') throw invalidArgument('text must be a string', 'text');
    return this.#live().pushText(text);
  }

  /** Signals the end of the stream; returns the events it caused. */
  processEos(): RecoveringEvent[] {
    return this.#live().end();
  }

  /**
   * Releases the native parser's memory now rather than when the garbage collector gets to it
   * (Node runs native finalisers only once the event loop turns). `processEos()` does so by
   * itself; this is for a parser abandoned before the end of its stream. Afterwards the parser
   * takes no more output; its messages, recoveries and counts stay readable.
   */
  free(): void {
    this.#freed = true;
    this.#parser.free();
  }

  /** `free()`, for `using parser = new RecoveringParser(…)`. */
  [Symbol.dispose](): void {
    this.free();
  }

  #live(): NativeRecoveringParser {
    if (this.#freed) throw invalidArgument('the parser was freed (free() or [Symbol.dispose]())', 'parser');
    return this.#parser;
  }

  /** The completed messages. */
  get messages(): readonly Message[] {
    return this.#collected.messages.slice();
  }
  /** Every recovery so far. */
  get recovered(): readonly Recovery[] {
    return this.#collected.recovered.slice();
  }
  /** Whether the stream ended inside a message or a header (after `processEos`). */
  get truncated(): boolean {
    return this.#parser.truncated;
  }
  /** Number of tokens fed so far. */
  get tokenCount(): number {
    return this.#parser.tokenCount;
  }
  /** Number of tokens fed so far that were read inside reasoning messages (`usage`'s reasoning tokens). */
  get reasoningTokenCount(): number {
    return this.#parser.reasoningTokenCount;
  }
}
