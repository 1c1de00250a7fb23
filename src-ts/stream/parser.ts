/**
 * `StreamableParser`: the reference's token-by-token parser over the native state machine.
 * `process(token)` is one native call (it also returns the token's delta, cached for
 * `lastContentDelta`); `processMany(tokens)` is one native call per batch and returns the
 * batch's typed events. Properties read the native state, so they are exactly what the
 * reference would show after the same tokens.
 *
 * @module
 */

import { messageFromJSON, type Message } from '../builders/message.js';
import { invalidArgument, type HarmonyError, fromNativeError } from '../errors.js';
import { HarmonyEncoding, messagesFromWire, nativeOf } from '../encoding.js';
import { native, type BindingEvent, type BindingStreamParser } from '../native/index.js';

/** What the native parser returns per event: a delta's text, or an event object. */
type WireEvent = string | BindingEvent;
import { toToken, toUint32Array, type TokenInput } from '../tokens.js';
import { isRole, type Role, type StopToken, type StreamState } from '../values.js';
import type { ContentDeltaEvent, HarmonyEvent, MessageStartEvent } from './events.js';

/** Options of `StreamableParser`. */
export interface StreamableParserOptions {
  /**
   * Reject malformed headers and stray tokens (`true`) or recover where the reference does.
   * @defaultValue `true`
   */
  strict?: boolean;
}

/** The result of feeding a batch: its events and, if a token failed, the error. */
export interface BatchResult {
  events: HarmonyEvent[];
  error?: HarmonyError;
  /** Index in the batch of the failing token, when known. */
  failedAt?: number;
}

/** Key of the non-throwing batch method used by `parseStream` and `HarmonyParseStream`. */
export const kFeed: unique symbol = Symbol('gpt-oss-harmony.feed');
/** Key of the non-throwing end-of-stream method. */
export const kFinish: unique symbol = Symbol('gpt-oss-harmony.finish');

const EMPTY: readonly Message[] = Object.freeze([]);

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
  readonly #native: BindingStreamParser;
  /** `lastContentDelta`, refreshed after every state change. */
  #delta: string | null = null;
  /** Completed messages seen so far (a prefix of the native list). */
  readonly #messages: Message[] = [];
  #messagesView: readonly Message[] = EMPTY;
  /** Header of the message in progress, for the deltas' `channel`/`recipient`. */
  #channel: string | undefined;
  #recipient: string | undefined;
  /** Set when `process` may have started a message without events. */
  #headerStale = false;

  /**
   * @param encoding - the encoding (`loadHarmonyEncoding()`)
   * @param role - the role of the first message when the tokens start right after
   *   `<|start|>{role}`, or `null` when they start with `<|start|>`
   * @param options - `{ strict = true }`
   */
  constructor(encoding: HarmonyEncoding, role: Role | null, options: StreamableParserOptions = {}) {
    if (!(encoding instanceof HarmonyEncoding)) throw invalidArgument('encoding must be a HarmonyEncoding (loadHarmonyEncoding())', 'encoding');
    if (role !== null && role !== undefined && !isRole(role)) throw invalidArgument(`unknown role: ${String(role)}`, 'role');
    const strict = options?.strict ?? true;
    if (typeof strict !== 'boolean') throw invalidArgument('strict must be a boolean', 'strict');
    try {
      this.#native = new native.BindingStreamParser(nativeOf(encoding), role ?? null, strict);
    } catch (error) {
      throw fromNativeError(error);
    }
  }

  /** Feeds one token. Returns the parser (chainable, like the reference). */
  process(token: number): this {
    const t = toToken(token);
    this.#headerStale = true;
    try {
      this.#delta = this.#native.process(t);
    } catch (error) {
      this.#delta = this.#native.lastContentDelta();
      throw fromNativeError(error);
    }
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
    return this.#native.state() as StreamState;
  }
  /** The role of the message in progress (or the role given for the first message), or `null`. */
  get currentRole(): Role | null {
    return this.#native.currentRole() as Role | null;
  }
  /** The channel of the message in progress, or `null`. */
  get currentChannel(): string | null {
    return this.#native.currentChannel();
  }
  /** The recipient of the message in progress, or `null`. */
  get currentRecipient(): string | null {
    return this.#native.currentRecipient();
  }
  /** The content type of the message in progress, or `null`. */
  get currentContentType(): string | null {
    return this.#native.currentContentType();
  }
  /** The decoded content of the message in progress (`''` outside content). */
  get currentContent(): string {
    return this.#native.currentContent();
  }
  /** The text added by the last token, or `null` when it added none. */
  get lastContentDelta(): string | null {
    return this.#delta;
  }
  /** The completed messages. */
  get messages(): readonly Message[] {
    this.#syncMessages();
    if (this.#messagesView.length !== this.#messages.length) this.#messagesView = Object.freeze([...this.#messages]);
    return this.#messagesView;
  }
  /** Every token processed so far (a copy). */
  get tokens(): Uint32Array {
    return this.#native.tokens();
  }
  /** The parser state as JSON (the reference's `state_json`). */
  get stateJson(): string {
    return this.#native.stateJson();
  }

  /** @internal Feeds a batch without throwing: the events before a failure, and the failure. */
  [kFeed](tokens: Uint32Array): BatchResult {
    this.#refreshHeader();
    const start = this.#native.tokenCount();
    let raw: WireEvent[];
    try {
      raw = this.#native.processMany(tokens);
    } catch (e) {
      const error = fromNativeError(e);
      this.#delta = this.#native.lastContentDelta();
      const events = this.#convert(this.#native.takePendingEvents());
      // The core records the failing token in `tokens` and reports its position there.
      return error.tokenIndex === undefined ? { events, error } : { events, error, failedAt: error.tokenIndex - start };
    }
    this.#delta = this.#native.lastContentDelta();
    return { events: this.#convert(raw) };
  }

  /** @internal `processEos` without throwing. */
  [kFinish](): BatchResult {
    this.#refreshHeader();
    let raw: WireEvent[];
    let error: HarmonyError | undefined;
    try {
      raw = this.#native.processEos();
    } catch (e) {
      error = fromNativeError(e);
      raw = this.#native.takePendingEvents();
    }
    this.#delta = this.#native.lastContentDelta();
    return error ? { events: this.#convert(raw), error } : { events: this.#convert(raw) };
  }

  /** Appends the native messages not cached yet. */
  #syncMessages(): void {
    const count = this.#native.messageCount();
    if (count > this.#messages.length) {
      this.#messages.push(...messagesFromWire(this.#native.messagesJson(this.#messages.length)));
    }
  }

  /**
   * After `process` calls (which produce no events), the header of a message in progress and
   * the messages completed meanwhile come from the native state, so that the events of the next
   * batch carry the right channel/recipient and its completed messages extend the cache in order.
   */
  #refreshHeader(): void {
    if (!this.#headerStale) return;
    this.#headerStale = false;
    this.#syncMessages();
    this.#channel = this.#native.currentChannel() ?? undefined;
    this.#recipient = this.#native.currentRecipient() ?? undefined;
  }

  /** Binding events → public events (deltas arrive as bare strings; objects are reused). */
  #convert(raw: WireEvent[]): HarmonyEvent[] {
    const out: HarmonyEvent[] = new Array<HarmonyEvent>(raw.length);
    for (let i = 0; i < raw.length; i++) {
      const ev = raw[i]!;
      if (typeof ev === 'string') {
        const delta: ContentDeltaEvent = { type: 'content-delta', delta: ev };
        if (this.#channel !== undefined) delta.channel = this.#channel;
        if (this.#recipient !== undefined) delta.recipient = this.#recipient;
        out[i] = delta;
        continue;
      }
      switch (ev.type) {
        case 'message-start':
          this.#channel = ev.channel;
          this.#recipient = ev.recipient;
          out[i] = ev as MessageStartEvent;
          break;
        case 'message-end': {
          const message = messageFromJSON(JSON.parse(ev.message) as unknown, 'message');
          this.#messages.push(message);
          out[i] = { type: 'message-end', message, stopToken: ev.stopToken as StopToken };
          break;
        }
        case 'tool-call':
          out[i] = ev;
          break;
        default:
          // A content delta sent as an object (older binding): same treatment as a string.
          out[i] = ev as ContentDeltaEvent;
      }
    }
    return out;
  }
}
