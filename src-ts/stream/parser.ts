/**
 * `StreamableParser`: the reference's token-by-token parser over the native state machine.
 * `process(token)` is at most one native call, and none for most content tokens (see
 * `#appendsWholeTokens`); `processMany(tokens)` is one native call per batch and returns the
 * batch's typed events. Properties read the native state (after feeding any deferred tokens),
 * so they are exactly what the reference would show after the same tokens.
 *
 * @module
 */

import { parsedMessage, type Message } from '../builders/message.js';
import { invalidArgument, type HarmonyError, fromNativeError } from '../errors.js';
import { HarmonyEncoding, messagesFromWire, nativeOf } from '../encoding.js';
import { callNative, native, type BindingEvent, type BindingStreamParser } from '../native/index.js';

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

const { DELTA_NONE, DELTA_TOKEN_TEXT, APPENDS_WHOLE_TOKENS } = native;
/** `#delta` after a batch, until someone asks (streams over batches never do). */
const UNREAD: unique symbol = Symbol('unread');
/** Ids below this are ordinary (byte-pair) tokens. */
const FIRST_SPECIAL = 199_998;
/** Batches up to this many tokens teach `tokenTexts` the texts of their tokens. */
const LEARN_MAX = 32;
/** Deferred tokens fed per native call at most (1 KiB per parser; one call per 256 tokens is noise). */
const DEFERRED_MAX = 256;
/**
 * Per ordinary token id: its text when its bytes are valid UTF-8 on their own (what it appends
 * to clean content), `null` when they are not, `undefined` while unknown. Shared by every parser
 * (there is one vocabulary), so streaming makes one string per distinct token, not per token.
 */
type TokenTexts = (string | null | undefined)[];
let tokenTexts: TokenTexts | undefined;

/** A packed (not dictionary-mode) array with one slot per ordinary token id. */
function newTokenTexts(): TokenTexts {
  const texts: TokenTexts = [];
  for (let i = 0; i < FIRST_SPECIAL; i++) texts.push(undefined);
  return texts;
}

/** Learns the texts of the ordinary tokens of `tokens` not known yet (one native call, if any). */
function learnTokenTexts(tokens: Uint32Array): void {
  const texts = (tokenTexts ??= newTokenTexts());
  let unknown: number[] | undefined;
  for (const t of tokens) if (t < FIRST_SPECIAL && texts[t] === undefined) (unknown ??= []).push(t);
  if (unknown === undefined) return;
  const learned = native.BindingStreamParser.tokenTexts(Uint32Array.from(unknown));
  for (let i = 0; i < unknown.length; i++) texts[unknown[i]!] = learned[i] ?? null;
}

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
  /** `lastContentDelta`, refreshed after every `process`; after a batch read on demand. */
  #delta: string | null | typeof UNREAD = null;
  /** Number of tokens fed (the native `tokenCount`, deferred tokens included). */
  #count = 0;
  /** Completed messages seen so far (a prefix of the native list). */
  readonly #messages: Message[] = [];
  #messagesView: readonly Message[] = EMPTY;
  /** Header of the message in progress, for the deltas' `channel`/`recipient`. */
  #channel: string | undefined;
  #recipient: string | undefined;
  /** Set when `process` may have started a message without events. */
  #headerStale = false;
  /**
   * The core said (`appends_whole_tokens`) that an ordinary token whose text is valid UTF-8
   * would now only append that text. Then `process` answers tokens whose text it has seen as a
   * whole delta from `tokenTexts` without a native call, and feeds them in one batch before
   * anything else reaches the native parser (`#synced`): per-token streaming of content costs
   * no FFI crossing per token.
   */
  #appendsWholeTokens = false;
  readonly #deferred = new Uint32Array(DEFERRED_MAX);
  #deferredCount = 0;

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
    this.#count++;
    const text = this.#answer(t);
    if (text !== undefined) {
      this.#delta = text;
      return this;
    }
    const n = this.#synced();
    this.#headerStale = true;
    let status: number;
    try {
      status = n.process(t);
    } catch (error) {
      this.#appendsWholeTokens = false;
      this.#delta = n.lastContentDelta();
      throw fromNativeError(error);
    }
    this.#appendsWholeTokens = (status & APPENDS_WHOLE_TOKENS) !== 0;
    const added = status & 3;
    this.#delta = added === DELTA_NONE ? null : added === DELTA_TOKEN_TEXT ? this.#tokenText(t) : n.lastContentDelta();
    return this;
  }

  /**
   * When the core would only append token `t`'s known text (see `#appendsWholeTokens`): queues
   * `t` for the native parser and returns that text (the delta). Otherwise `undefined`.
   */
  #answer(t: number): string | undefined {
    if (!this.#appendsWholeTokens || t >= FIRST_SPECIAL) return undefined;
    const text = tokenTexts?.[t];
    if (typeof text !== 'string') return undefined;
    if (this.#deferredCount === this.#deferred.length) this.#flush();
    this.#deferred[this.#deferredCount++] = t;
    return text;
  }

  /** The text of token `t`, just added whole as the last delta: made once per ordinary token id. */
  #tokenText(t: number): string {
    if (t >= FIRST_SPECIAL) return this.#native.lastContentDelta() ?? '';
    const texts = (tokenTexts ??= newTokenTexts());
    let text = texts[t];
    if (typeof text !== 'string') {
      text = this.#native.lastContentDelta() ?? '';
      texts[t] = text;
    }
    return text;
  }

  /** The native parser with every deferred token fed: what every read goes through. */
  #synced(): BindingStreamParser {
    if (this.#deferredCount > 0) this.#flush();
    return this.#native;
  }

  #flush(): void {
    const tokens = this.#deferred.subarray(0, this.#deferredCount);
    this.#deferredCount = 0;
    // These tokens only append text (core contract), so feeding them cannot fail.
    this.#appendsWholeTokens = (callNative(() => this.#native.feed(tokens)) & APPENDS_WHOLE_TOKENS) !== 0;
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
    return this.#synced().state() as StreamState;
  }
  /** The role of the message in progress (or the role given for the first message), or `null`. */
  get currentRole(): Role | null {
    return this.#synced().currentRole() as Role | null;
  }
  /** The channel of the message in progress, or `null`. */
  get currentChannel(): string | null {
    return this.#synced().currentChannel();
  }
  /** The recipient of the message in progress, or `null`. */
  get currentRecipient(): string | null {
    return this.#synced().currentRecipient();
  }
  /** The content type of the message in progress, or `null`. */
  get currentContentType(): string | null {
    return this.#synced().currentContentType();
  }
  /** The decoded content of the message in progress (`''` outside content). */
  get currentContent(): string {
    return this.#synced().currentContent();
  }
  /** The text added by the last token, or `null` when it added none. */
  get lastContentDelta(): string | null {
    if (this.#delta === UNREAD) this.#delta = this.#synced().lastContentDelta();
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
    return this.#synced().tokens();
  }
  /** The parser state as JSON (the reference's `state_json`). */
  get stateJson(): string {
    return this.#synced().stateJson();
  }

  /**
   * @internal Feeds a batch without throwing: the events before a failure, and the failure. The
   * leading tokens that only append known text (see `#answer`) are answered here; the rest of the
   * batch is one native call, which also reports the flags `#answer` needs for the next batch.
   */
  [kFeed](tokens: Uint32Array): BatchResult {
    this.#refreshHeader();
    const start = this.#count;
    let answered = 0;
    let text = '';
    for (; answered < tokens.length; answered++) {
      const delta = this.#answer(tokens[answered]!);
      if (delta === undefined) break;
      text += delta;
      this.#delta = delta;
    }
    this.#count += answered;
    if (answered === tokens.length) return { events: this.#convert([], text) };
    const rest = tokens.subarray(answered);
    const n = this.#synced();
    this.#appendsWholeTokens = false;
    this.#delta = UNREAD;
    let raw: (WireEvent | number)[];
    try {
      raw = n.processMany(rest);
    } catch (e) {
      const error = fromNativeError(e);
      this.#count = n.tokenCount();
      const events = this.#convert(n.takePendingEvents(), text);
      // The core records the failing token in `tokens` and reports its position there.
      return error.tokenIndex === undefined ? { events, error } : { events, error, failedAt: error.tokenIndex - start };
    }
    this.#count += rest.length;
    this.#appendsWholeTokens = ((raw.pop() as number) & APPENDS_WHOLE_TOKENS) !== 0;
    // Small batches gain most from answering tokens here; in large ones the per-token look-ups
    // into the (large) text table would cost more than the native call they save.
    if (rest.length <= LEARN_MAX) learnTokenTexts(rest);
    return { events: this.#convert(raw as WireEvent[], text) };
  }

  /** @internal `processEos` without throwing. */
  [kFinish](): BatchResult {
    this.#refreshHeader();
    const n = this.#synced();
    this.#appendsWholeTokens = false;
    this.#delta = UNREAD;
    let raw: WireEvent[];
    let error: HarmonyError | undefined;
    try {
      raw = n.processEos();
    } catch (e) {
      error = fromNativeError(e);
      raw = n.takePendingEvents();
    }
    return error ? { events: this.#convert(raw), error } : { events: this.#convert(raw) };
  }

  /** Appends the native messages not cached yet. */
  #syncMessages(): void {
    const n = this.#synced();
    if (n.messageCount() > this.#messages.length) {
      this.#messages.push(...messagesFromWire(n.messagesJson(this.#messages.length)));
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
    const n = this.#synced();
    this.#channel = n.currentChannel() ?? undefined;
    this.#recipient = n.currentRecipient() ?? undefined;
  }

  /**
   * Binding events → public events (deltas arrive as bare strings; objects are reused).
   * `leading` is content answered in TS before these events (it joins a first delta).
   */
  #convert(raw: WireEvent[], leading = ''): HarmonyEvent[] {
    if (leading !== '') {
      if (typeof raw[0] === 'string') raw[0] = leading + raw[0];
      else raw.unshift(leading);
    }
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
          const message = parsedMessage(ev);
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
