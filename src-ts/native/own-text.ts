/**
 * The per-token fast path shared by the streaming and the recovering parser: the one place where
 * the TS layer holds anything back from the core.
 *
 * A napi method call costs more than parsing a token. The core says, after every native call,
 * which tokens the caller may answer itself until its next call (`FastMode`, generated from
 * `crates/harmony-napi/src/parser.rs`: from `process` through its `TokenEffect`, from `step`
 * itself, from `fastMode()` after a batch), each mode a core contract with its own test:
 * - `OwnText` (`appends_whole_tokens`: inside a message's content, no partial character held
 *   back): every ordinary token whose bytes are valid UTF-8 only appends its own text, which
 *   `answer` gives from a table (one string per distinct id, learned from the core);
 * - `HeaderTokens` (`records_header_tokens`: a strict parser reading a header): every token but
 *   `HEADER_END_TOKEN` is only recorded, adding no content;
 * - `HeldText` (`RecoveringParser::holds_ordinary_tokens`: outside a message's body): every
 *   ordinary token only extends the text held back, with no event.
 *
 * Answered tokens are queued; the parser feeds the queue to the core in one call (`flush`)
 * before anything else reaches it. Nothing here decides a mode.
 *
 * @module
 */

import { native, type FastMode } from './loader.js';

const { HEADER_END_TOKEN, ORDINARY_TOKEN_COUNT } = native;
const { Off, OwnText, HeaderTokens, HeldText } = native.FastMode;

/** Tokens queued per parser at most before they are fed (one call per 256 tokens is noise). */
const QUEUE_MAX = 256;

/**
 * Per ordinary token id: its own text once learned, else `undefined`. Shared by every parser
 * (there is one vocabulary); made on first use, packed (one slot per id), so look-ups stay fast.
 */
let texts: (string | undefined)[] | undefined;

function table(): (string | undefined)[] {
  if (texts === undefined) {
    texts = [];
    for (let id = 0; id < ORDINARY_TOKEN_COUNT; id++) texts.push(undefined);
  }
  return texts;
}

/** A parser's queue of answered tokens and the core's last word on the fast mode. */
export class OwnTextPath {
  #mode: FastMode = Off;
  /** Room for one more token: `takeWith`. */
  readonly #queue = new Uint32Array(QUEUE_MAX + 1);
  #queued = 0;

  /** @param feed - gives queued tokens to the core (answered in a fast mode, so it cannot fail) */
  constructor(private readonly feed: (tokens: Uint32Array) => void) {}

  /** Records the core's word on the fast mode. */
  set mode(mode: FastMode) {
    this.#mode = mode;
    if (mode === OwnText) table();
  }

  get mode(): FastMode {
    return this.#mode;
  }

  /**
   * In a fast mode: queues `token` and returns what it adds, its text or `null` for none (when
   * known). Else `undefined`.
   */
  answer(token: number): string | null | undefined {
    let text: string | null | undefined;
    if (this.#mode === OwnText) {
      if (token >= ORDINARY_TOKEN_COUNT || (text = texts![token]) === undefined) return undefined;
    } else if (this.#mode === HeaderTokens ? token !== HEADER_END_TOKEN : this.#mode === HeldText && token < ORDINARY_TOKEN_COUNT) {
      text = null;
    } else return undefined;
    if (this.#queued === QUEUE_MAX) this.flush();
    this.#queue[this.#queued++] = token;
    return text;
  }

  /**
   * The text a batch adds when every token can be answered (they are then queued), else
   * `undefined` with nothing queued: a batch is one native call or none, never two.
   */
  answerAll(tokens: Uint32Array): string | undefined {
    if (this.#mode === Off) return undefined;
    if (this.#queued + tokens.length > QUEUE_MAX) this.flush();
    const before = this.#queued;
    let text = '';
    for (const token of tokens) {
      const own = this.answer(token);
      if (own === undefined) {
        this.#queued = before;
        return undefined;
      }
      if (own !== null) text += own;
    }
    return text;
  }

  /**
   * The queue with `token` after it, for a per-token native call that feeds what was answered
   * before its own token (the queue is empty afterwards; the view is valid until the next call).
   */
  takeWith(token: number): Uint32Array {
    const queued = this.#queued;
    this.#queue[queued] = token;
    this.#queued = 0;
    return this.#queue.subarray(0, queued + 1);
  }

  /** Feeds the queue to the core, if anything is queued. */
  flush(): void {
    if (this.#queued === 0) return;
    const tokens = this.#queue.subarray(0, this.#queued);
    this.#queued = 0;
    this.feed(tokens);
  }

  /** Forgets the queue and the mode (the core's parser was emptied). */
  reset(): void {
    this.#queued = 0;
    this.#mode = Off;
  }
}

/** The learned text of an ordinary token (`undefined` when unknown or special). */
export function ownText(token: number): string | undefined {
  return token < ORDINARY_TOKEN_COUNT ? texts?.[token] : undefined;
}

/** Records `text` as the own text of `token` (the core reported it as exactly that token's delta). */
export function learnOwnText(token: number, text: string): void {
  if (token < ORDINARY_TOKEN_COUNT) table()[token] ??= text;
}

/** Learns, in one native call, the own texts of the ids of `tokens` not known yet. */
export function learnOwnTexts(tokens: Uint32Array): void {
  const known = table();
  let unknown: number[] | undefined;
  for (const t of tokens) if (t < ORDINARY_TOKEN_COUNT && known[t] === undefined) (unknown ??= []).push(t);
  if (unknown === undefined) return;
  const learned = native.BindingStreamParser.ownTexts(Uint32Array.from(unknown));
  for (let i = 0; i < unknown.length; i++) {
    const text = learned[i];
    if (typeof text === 'string') known[unknown[i]!] = text;
  }
}
