/**
 * The streaming parser's side of the border: `NativeStreamParser` holds the core's parser and
 * converts what crosses. All parser state is the core's; per-token calls and small batches go
 * through the shared fast path (`own-text.ts`), driven by the core's `TokenEffect` (generated
 * from `crates/harmony-napi/src/parser.rs`) and `appendsOwnText()`.
 *
 * @module
 */

import type { Message } from '../builders/message.js';
import type { HarmonyError } from '../errors.js';
import type { HarmonyEvent } from '../stream/events.js';
import type { Role, StreamState } from '../values.js';
import { callNative, fromNativeError } from './errors.js';
import { EventConverter, type WireEvent } from './events.js';
import { messagesFromWire } from './encoding.js';
import { native, type BindingEncoding, type BindingStreamParser } from './loader.js';
import { OwnTextPath, learnOwnText, learnOwnTexts, ownText } from './own-text.js';

const { TokenEffect } = native;

/**
 * Batches up to this many tokens take the fast path; in larger ones the per-token look-ups cost
 * more than the native call they could save.
 */
const SMALL_BATCH = 32;

/** The result of feeding a batch: its events and, if a token failed, the error. */
export interface BatchResult {
  events: HarmonyEvent[];
  error?: HarmonyError;
  /** Index in the batch of the failing token, when known. */
  failedAt?: number;
}

/** The core's streaming parser, as the public `StreamableParser` uses it. */
export class NativeStreamParser {
  readonly #native: BindingStreamParser;
  readonly #converter = new EventConverter();
  /** Completed messages seen so far (a prefix of the core's list). */
  readonly #messages: Message[] = [];
  /** Whether per-token calls ran since the last batch (the converter's header may be stale). */
  #perTokenCalls = false;
  readonly #fast: OwnTextPath;
  /** Tokens given so far (to place a failing token of a batch within the batch). */
  #fed = 0;

  constructor(encoding: BindingEncoding, role: Role | null, strict: boolean) {
    const n = callNative(() => new native.BindingStreamParser(encoding, role, strict));
    this.#native = n;
    this.#fast = new OwnTextPath((tokens) => callNative(() => n.feed(tokens)));
  }

  /** Feeds one token; returns the content it added (`null` when none). */
  process(token: number): string | null {
    this.#fed++;
    const text = this.#fast.answer(token);
    if (text !== undefined) return text;
    const n = this.#synced();
    this.#perTokenCalls = true;
    let effect;
    try {
      effect = n.process(token);
    } catch (error) {
      this.#fast.mode = false;
      throw fromNativeError(error);
    }
    this.#fast.mode = effect === TokenEffect.OwnText;
    if (effect === TokenEffect.NoContent) return null;
    if (effect === TokenEffect.OtherText) return n.lastContentDelta();
    const known = ownText(token);
    if (known !== undefined) return known;
    const delta = n.lastContentDelta() ?? '';
    learnOwnText(token, delta);
    return delta;
  }

  /**
   * Feeds a batch: the events before a failure, and the failure. At most one native call (none
   * when the fast path answers every token).
   */
  processMany(tokens: Uint32Array): BatchResult {
    const start = this.#fed;
    this.#fed += tokens.length;
    if (tokens.length <= SMALL_BATCH && !this.#perTokenCalls) {
      const text = this.#fast.answerAll(tokens);
      if (text !== undefined) return { events: text === '' ? [] : [this.#converter.delta(text)] };
    }
    const n = this.#beforeBatch();
    try {
      const events = this.#convert(n.processMany(tokens));
      if (tokens.length <= SMALL_BATCH) {
        learnOwnTexts(tokens);
        this.#fast.mode = n.appendsOwnText();
      }
      return { events };
    } catch (e) {
      this.#fed = n.tokenCount();
      const error = fromNativeError(e);
      const events = this.#convert(n.takePendingEvents());
      // The core records the failing token in `tokens` and reports its position there.
      return error.tokenIndex === undefined ? { events, error } : { events, error, failedAt: error.tokenIndex - start };
    }
  }

  /** The end of the stream: the events it causes, and the failure if any. */
  processEos(): BatchResult {
    const n = this.#beforeBatch();
    try {
      return { events: this.#convert(n.processEos()) };
    } catch (e) {
      return { events: this.#convert(n.takePendingEvents()), error: fromNativeError(e) };
    }
  }

  get state(): StreamState {
    return this.#synced().state() as StreamState;
  }
  get currentRole(): Role | null {
    return this.#synced().currentRole() as Role | null;
  }
  get currentChannel(): string | null {
    return this.#synced().currentChannel();
  }
  get currentRecipient(): string | null {
    return this.#synced().currentRecipient();
  }
  get currentContentType(): string | null {
    return this.#synced().currentContentType();
  }
  get currentContent(): string {
    return this.#synced().currentContent();
  }
  /** The last token's delta as the core reports it. */
  lastContentDelta(): string | null {
    return this.#synced().lastContentDelta();
  }
  get tokens(): Uint32Array {
    return this.#synced().tokens();
  }
  get stateJson(): string {
    return this.#synced().stateJson();
  }

  /** The completed messages (cached; the core's list grows at the end). */
  messages(): readonly Message[] {
    const n = this.#synced();
    if (n.messageCount() > this.#messages.length) this.#messages.push(...messagesFromWire(n.messagesJson(this.#messages.length)));
    return this.#messages;
  }

  /** Releases the core parser's memory now (it is empty afterwards). */
  free(): void {
    this.#fast.reset();
    this.#fed = 0;
    this.#native.free();
  }

  /** The core parser with the queue fed: what every other access goes through. */
  #synced(): BindingStreamParser {
    this.#fast.flush();
    return this.#native;
  }

  /**
   * Before a batch: the queue fed, and after per-token calls (which report no events) the
   * messages completed meanwhile cached and the header of a message in progress known, so the
   * batch's events carry the right channel and its messages extend the cache in order.
   */
  #beforeBatch(): BindingStreamParser {
    const n = this.#synced();
    this.#fast.mode = false;
    if (this.#perTokenCalls) {
      this.#perTokenCalls = false;
      this.messages();
      this.#converter.resume(n.currentChannel(), n.currentRecipient());
    }
    return n;
  }

  #convert(raw: WireEvent[]): HarmonyEvent[] {
    const out = new Array<HarmonyEvent>(raw.length);
    for (let i = 0; i < raw.length; i++) out[i] = this.#converter.convert(raw[i]!, (m) => this.#messages.push(m));
    return out;
  }
}
