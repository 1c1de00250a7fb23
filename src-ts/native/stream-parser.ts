/**
 * The streaming parser's side of the border: `NativeStreamParser` holds the core's parser and
 * converts what crosses. All parser state is the core's; the one thing kept here is the
 * per-token fast path below, whose contract is the core's `TokenEffect` (generated from
 * `crates/harmony-napi/src/parser.rs`).
 *
 * Per-token fast path: a napi method call costs more than parsing a content token. When the
 * core answers `TokenEffect.OwnText` for a token, it is in content where every ordinary token
 * with valid UTF-8 bytes only appends its own text. Until something else happens, `process`
 * answers such tokens from a table of token texts (one string per distinct id, learned from the
 * core) and queues them; the queue is fed to the core in one call before anything else reaches
 * it. Small batches (`processMany`, a stream fed a few tokens per chunk) do the same for their
 * leading tokens, then ask the core whether the mode holds after the rest (`appendsOwnText`) and
 * learn the texts of their ids, so that a run of content costs no native call per batch.
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

const { TokenEffect, ORDINARY_TOKEN_COUNT } = native;

/** Tokens queued per parser at most before they are fed (one call per 256 tokens is noise). */
const QUEUE_MAX = 256;
/**
 * Batches up to this many tokens take the fast path; in larger ones the per-token look-ups cost
 * more than the native call they could save.
 */
const SMALL_BATCH = 32;

/**
 * Per ordinary token id: its text when the core reported it as the token's own delta, else
 * `undefined`. Shared by every parser (there is one vocabulary): one string per distinct id.
 * Made on first use, packed (one slot per id), so that look-ups stay fast.
 */
let ownTexts: (string | undefined)[] | undefined;

function newOwnTexts(): (string | undefined)[] {
  const texts: (string | undefined)[] = [];
  for (let id = 0; id < ORDINARY_TOKEN_COUNT; id++) texts.push(undefined);
  return texts;
}

/** The shared table, made on first use (the recovering parser's fast path learns and reads it too). */
export function ownTextTable(): (string | undefined)[] {
  return (ownTexts ??= newOwnTexts());
}

/** Learns the texts of the ids of `tokens` not known yet (one native call, if any). */
function learnOwnTexts(texts: (string | undefined)[], tokens: Uint32Array): void {
  let unknown: number[] | undefined;
  for (const t of tokens) if (t < ORDINARY_TOKEN_COUNT && texts[t] === undefined) (unknown ??= []).push(t);
  if (unknown === undefined) return;
  const learned = native.BindingStreamParser.ownTexts(Uint32Array.from(unknown));
  for (let i = 0; i < unknown.length; i++) {
    const text = learned[i];
    if (typeof text === 'string') texts[unknown[i]!] = text;
  }
}

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
  /** The core's last `TokenEffect.OwnText` still holds: `process` may answer known tokens. */
  #ownTextMode = false;
  readonly #queue = new Uint32Array(QUEUE_MAX);
  #queued = 0;
  /** Tokens given so far (to place a failing token of a batch within the batch). */
  #fed = 0;

  constructor(encoding: BindingEncoding, role: Role | null, strict: boolean) {
    this.#native = callNative(() => new native.BindingStreamParser(encoding, role, strict));
  }

  /** Feeds one token; returns the content it added (`null` when none). */
  process(token: number): string | null {
    this.#fed++;
    const text = this.#answer(token);
    if (text !== undefined) return text;
    const n = this.#synced();
    this.#perTokenCalls = true;
    let effect;
    try {
      effect = n.process(token);
    } catch (error) {
      this.#ownTextMode = false;
      throw fromNativeError(error);
    }
    this.#ownTextMode = effect === TokenEffect.OwnText;
    if (this.#ownTextMode) ownTexts ??= newOwnTexts();
    if (effect === TokenEffect.NoContent) return null;
    if (effect === TokenEffect.OwnText && token < ORDINARY_TOKEN_COUNT) {
      return ((ownTexts ??= newOwnTexts())[token] ??= n.lastContentDelta() ?? '');
    }
    return n.lastContentDelta();
  }

  /** In the fast path: queues `token` and returns its text, when known. Else `undefined`. */
  #answer(token: number): string | undefined {
    if (!this.#ownTextMode || token >= ORDINARY_TOKEN_COUNT) return undefined;
    const text = ownTexts![token];
    if (text === undefined) return undefined;
    if (this.#queued === QUEUE_MAX) this.#flush();
    this.#queue[this.#queued++] = token;
    return text;
  }

  /**
   * Feeds a batch: the events before a failure, and the failure. At most one native call (none
   * when the fast path answers every token).
   */
  processMany(tokens: Uint32Array): BatchResult {
    const start = this.#fed;
    this.#fed += tokens.length;
    let answered = 0;
    let leading = '';
    if (tokens.length <= SMALL_BATCH && !this.#perTokenCalls) {
      for (; answered < tokens.length; answered++) {
        const text = this.#answer(tokens[answered]!);
        if (text === undefined) break;
        leading += text;
      }
      if (answered === tokens.length) return { events: leading === '' ? [] : [this.#converter.delta(leading)] };
    }
    const rest = answered === 0 ? tokens : tokens.subarray(answered);
    const n = this.#beforeBatch();
    try {
      const events = this.#convert(n.processMany(rest), leading);
      if (rest.length <= SMALL_BATCH) {
        learnOwnTexts((ownTexts ??= newOwnTexts()), rest);
        this.#ownTextMode = n.appendsOwnText();
      }
      return { events };
    } catch (e) {
      this.#fed = n.tokenCount();
      const error = fromNativeError(e);
      const events = this.#convert(n.takePendingEvents(), leading);
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
    this.#queued = 0;
    this.#fed = 0;
    this.#ownTextMode = false;
    this.#native.free();
  }

  /** The core parser with the queue fed: what every other access goes through. */
  #synced(): BindingStreamParser {
    if (this.#queued > 0) this.#flush();
    return this.#native;
  }

  #flush(): void {
    const tokens = this.#queue.subarray(0, this.#queued);
    this.#queued = 0;
    // These tokens only append text (the core's `OwnText` contract), so feeding cannot fail.
    callNative(() => this.#native.feed(tokens));
  }

  /**
   * Before a batch: the queue fed, and after per-token calls (which report no events) the
   * messages completed meanwhile cached and the header of a message in progress known, so the
   * batch's events carry the right channel and its messages extend the cache in order.
   */
  #beforeBatch(): BindingStreamParser {
    const n = this.#synced();
    this.#ownTextMode = false;
    if (this.#perTokenCalls) {
      this.#perTokenCalls = false;
      this.messages();
      this.#converter.resume(n.currentChannel(), n.currentRecipient());
    }
    return n;
  }

  /** Converts the core's events; `leading` is content answered here before them (it joins a first delta). */
  #convert(raw: WireEvent[], leading = ''): HarmonyEvent[] {
    if (leading !== '') {
      if (typeof raw[0] === 'string') raw[0] = leading + raw[0];
      else raw.unshift(leading);
    }
    const out = new Array<HarmonyEvent>(raw.length);
    for (let i = 0; i < raw.length; i++) out[i] = this.#converter.convert(raw[i]!, (m) => this.#messages.push(m));
    return out;
  }
}
