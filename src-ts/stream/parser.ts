/**
 * `StreamableParser`: the reference's token-by-token parser over the core's state machine
 * (`native/stream-parser.ts`). `process(token)` is at most one native call, and none for most
 * content tokens; `processMany(tokens)` is one native call per batch and returns the batch's
 * typed events. Properties read the core's state, so they are exactly what the reference would
 * show after the same tokens.
 *
 * @module
 */

import type { Message } from '../builders/message.js';
import { booleanOption, encodingName, optionalRole } from '../arguments.js';
import { invalidArgument } from '../errors.js';
import type { HarmonyEncoding } from '../encoding.js';
import { nativeEncoding } from '../native/encoding.js';
import { NativeStreamParser, type BatchResult } from '../native/stream-parser.js';
import { toToken, toUint32Array, type TokenInput } from '../tokens.js';
import type { Role, StreamState } from '../values.js';
import type { HarmonyEvent } from './events.js';

export type { BatchResult } from '../native/stream-parser.js';

/** Options of `StreamableParser`. */
export interface StreamableParserOptions {
  /**
   * Reject malformed headers and stray tokens (`true`) or recover where the reference does.
   * @defaultValue `true`
   */
  strict?: boolean;
}

/** Key of the non-throwing batch method used by `parseStream` and `HarmonyParseStream`. */
export const kFeed: unique symbol = Symbol('gpt-oss-harmony.feed');
/** Key of the non-throwing end-of-stream method. */
export const kFinish: unique symbol = Symbol('gpt-oss-harmony.finish');

/** `lastContentDelta` after a batch, until someone asks (streams over batches never do). */
const UNREAD: unique symbol = Symbol('unread');

/**
 * The streaming parser.
 *
 * @example
 * ```ts
 * const parser = new StreamableParser(enc, 'assistant');
 * for (const token of sampled) {
 *   parser.process(token);
 *   if (parser.lastContentDelta) write(parser.lastContentDelta);
 * }
 * parser.processEos();
 * console.log(parser.messages);
 * ```
 */
export class StreamableParser {
  readonly #parser: NativeStreamParser;
  /** `lastContentDelta`: what `process` returned, or after a batch read from the core on demand. */
  #delta: string | null | typeof UNREAD = null;
  #messagesView: readonly Message[] = Object.freeze([]);
  #freed = false;

  /**
   * @param encoding - the encoding (`loadHarmonyEncoding()`)
   * @param role - the role of the first message when the tokens start right after
   *   `<|start|>{role}`, or `null` when they start with `<|start|>`
   * @param options - `{ strict = true }`
   */
  constructor(encoding: HarmonyEncoding, role: Role | null, options: StreamableParserOptions = {}) {
    const name = encodingName(encoding);
    const firstRole = optionalRole(role);
    this.#parser = new NativeStreamParser(nativeEncoding(name).handle, firstRole, booleanOption(options, 'strict', true));
  }

  /** Feeds one token. Returns the parser (chainable, like the reference). */
  process(token: number): this {
    this.#live();
    this.#delta = this.#parser.process(toToken(token));
    return this;
  }

  /**
   * Feeds a batch of tokens with one native call and returns their events. Afterwards every
   * property is what calling `process` for each token would leave (`lastContentDelta` is the
   * last token's delta). On a failing token this throws a `HarmonyError` whose `tokenIndex` is
   * the token's position in `parser.tokens` (all tokens fed so far, the failing one included, as
   * in the reference); the tokens before it are processed.
   */
  processMany(tokens: TokenInput): HarmonyEvent[] {
    const { events, error } = this[kFeed](toUint32Array(tokens));
    if (error) throw error;
    return events;
  }

  /**
   * Signals the end of the stream: a message in progress is completed (`stopToken: 'eos'`).
   * Returns the events this caused. Throws `ERR_HARMONY_PARSE` in the middle of a header.
   */
  processEos(): HarmonyEvent[] {
    const { events, error } = this[kFinish]();
    if (error) throw error;
    return events;
  }

  /** `'ExpectStart'`, `'Header'` or `'Content'`. */
  get state(): StreamState {
    return this.#live().state;
  }
  /** The role of the message in progress (or the role given for the first message), or `null`. */
  get currentRole(): Role | null {
    return this.#live().currentRole;
  }
  /** The channel of the message in progress, or `null`. */
  get currentChannel(): string | null {
    return this.#live().currentChannel;
  }
  /** The recipient of the message in progress, or `null`. */
  get currentRecipient(): string | null {
    return this.#live().currentRecipient;
  }
  /** The content type of the message in progress, or `null`. */
  get currentContentType(): string | null {
    return this.#live().currentContentType;
  }
  /** The decoded content of the message in progress (`''` outside content). */
  get currentContent(): string {
    return this.#live().currentContent;
  }
  /** The text added by the last token, or `null` when it added none. */
  get lastContentDelta(): string | null {
    if (this.#delta === UNREAD) this.#delta = this.#live().lastContentDelta();
    return this.#delta;
  }
  /** The completed messages. */
  get messages(): readonly Message[] {
    const messages = this.#live().messages();
    if (this.#messagesView.length !== messages.length) this.#messagesView = Object.freeze([...messages]);
    return this.#messagesView;
  }
  /** Every token processed so far (a copy). */
  get tokens(): Uint32Array {
    return this.#live().tokens;
  }
  /** The parser state as JSON (the reference's `state_json`). */
  get stateJson(): string {
    return this.#live().stateJson;
  }

  /**
   * Releases the native parser's memory now rather than when the garbage collector gets to it
   * (Node runs native finalisers only once the event loop turns, so a long synchronous loop
   * creating parsers would otherwise hold them all). The parser cannot be used afterwards.
   */
  free(): void {
    if (this.#freed) return;
    this.#freed = true;
    this.#parser.free();
  }

  /** `free()`, for `using parser = new StreamableParser(…)`. */
  [Symbol.dispose](): void {
    this.free();
  }

  /** @internal Feeds a batch without throwing: the events before a failure, and the failure. */
  [kFeed](tokens: Uint32Array): BatchResult {
    this.#delta = UNREAD;
    return this.#live().processMany(tokens);
  }

  /** @internal `processEos` without throwing. */
  [kFinish](): BatchResult {
    this.#delta = UNREAD;
    return this.#live().processEos();
  }

  #live(): NativeStreamParser {
    if (this.#freed) throw invalidArgument('the parser was freed (free() or [Symbol.dispose]())', 'parser');
    return this.#parser;
  }
}
