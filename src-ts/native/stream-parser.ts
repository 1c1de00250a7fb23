/**
 * The streaming parser's side of the border: `NativeStreamParser` holds the core's parser and
 * converts what crosses. All parser state is the core's; per-token calls and small batches go
 * through the shared fast path (`own-text.ts`), driven by the core's `TokenEffect` and
 * `fastMode()` (generated from `crates/harmony-napi/src/parser.rs`).
 *
 * @module
 */

import type { Message } from '../builders/message.js';
import type { HarmonyError } from '../errors.js';
import type { HarmonyEvent } from '../stream/events.js';
import type { Role, StreamState } from '../values.js';
import { callNative, fromNativeError } from './errors.js';
import { EventConverter, outlineBuffer, type EventSink } from './events.js';
import { messagesFromWire } from './encoding.js';
import { native, type BindingEncoding, type BindingStreamParser } from './loader.js';
import { OwnTextPath, learnOwnText, learnOwnTexts, ownText } from './own-text.js';

const { FastMode, TokenEffect } = native;

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
export class NativeStreamParser implements EventSink {
  readonly #native: BindingStreamParser;
  readonly #converter = new EventConverter(this);
  /** Completed messages seen so far (a prefix of the core's list). */
  readonly #messages: Message[] = [];
  readonly #copyOutline: (into: Uint32Array) => void;
  /** Whether per-token calls ran since the last batch (the converter's header may be stale). */
  #perTokenCalls = false;
  readonly #fast: OwnTextPath;
  /** Tokens given so far (to place a failing token of a batch within the batch). */
  #fed = 0;

  constructor(encoding: BindingEncoding, role: Role | null, strict: boolean) {
    const n = callNative(() => new native.BindingStreamParser(encoding, role, strict));
    this.#native = n;
    this.#fast = new OwnTextPath((tokens) => callNative(() => n.feed(tokens)));
    this.#copyOutline = (into) => callNative(() => n.copyOutline(into));
  }

  /** @internal A message completed (in the events of a batch). */
  message(message: Message): void {
    this.#messages.push(message);
  }

  /** @internal The streaming parser reports no recoveries. */
  recovery(): void {}

  /** Feeds one token; returns the content it added (`null` when none). */
  process(token: number): string | null {
    this.#fed++;
    const text = this.#fast.answer(token);
    if (text !== undefined) return text;
    const n = this.#native;
    this.#perTokenCalls = true;
    let effect;
    try {
      effect = n.process(this.#fast.takeWith(token));
    } catch (error) {
      this.#fast.mode = FastMode.Off;
      throw fromNativeError(error);
    }
    switch (effect) {
      case TokenEffect.NoContent:
        this.#fast.mode = FastMode.Off;
        return null;
      case TokenEffect.NoContentOwnText:
        this.#fast.mode = FastMode.OwnText;
        return null;
      case TokenEffect.HeaderToken:
        this.#fast.mode = FastMode.HeaderTokens;
        return null;
      case TokenEffect.OtherText:
        this.#fast.mode = FastMode.Off;
        return n.lastContentDelta();
    }
    this.#fast.mode = FastMode.OwnText;
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
      const events = this.#read(n.processMany(tokens, outlineBuffer()));
      if (tokens.length <= SMALL_BATCH) {
        learnOwnTexts(tokens);
        this.#fast.mode = n.fastMode();
      }
      return { events };
    } catch (e) {
      this.#fed = n.tokenCount();
      const error = fromNativeError(e);
      const events = this.#read(n.takePendingEvents(outlineBuffer()));
      // The core records the failing token in `tokens` and reports its position there.
      return error.tokenIndex === undefined ? { events, error } : { events, error, failedAt: error.tokenIndex - start };
    }
  }

  /** The end of the stream: the events it causes, and the failure if any. */
  processEos(): BatchResult {
    const n = this.#beforeBatch();
    try {
      return { events: this.#read(n.processEos(outlineBuffer())) };
    } catch (e) {
      return { events: this.#read(n.takePendingEvents(outlineBuffer())), error: fromNativeError(e) };
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
    // A loop, not push(...): one batch can complete more messages than a call takes arguments.
    if (n.messageCount() > this.#messages.length) for (const m of messagesFromWire(n.messagesJson(this.#messages.length))) this.#messages.push(m);
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
    this.#fast.mode = FastMode.Off;
    if (this.#perTokenCalls) {
      this.#perTokenCalls = false;
      this.messages();
      this.#converter.resume(n.currentChannel(), n.currentRecipient());
    }
    return n;
  }

  /** The events of a native call (the streaming parser's outline has no kinds and no recoveries). */
  #read(text: string): HarmonyEvent[] {
    return this.#converter.read(text, this.#copyOutline) as HarmonyEvent[];
  }
}
