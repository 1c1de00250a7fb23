/**
 * The recovering parser's side of the border: `NativeRecoveringParser` holds the core's
 * `RecoveringParser` and converts what crosses (parse events through the shared
 * `EventConverter`, with the core's `kind` of each message; recoveries), and `recoverCompletion`
 * parses a whole completion in one call.
 *
 * Per-token path (as for the streaming parser, see `stream-parser.ts`): a gateway pushes one
 * sampled token at a time, and a napi call costs more than the parsing. A single token goes
 * through `step` (with the tokens answered before it), which writes the outline of its events
 * (most tokens have none), keeps their text for `eventText`, and returns the generated
 * `FastMode`: in a message's body (`OwnText`) and outside one (`HeldText`) `push` answers most
 * tokens through the shared fast path (`own-text.ts`).
 *
 * @module
 */

import type { RecoveringEvent } from '../stream/events.js';
import type { Role } from '../values.js';
import { callNative } from './errors.js';
import { EventConverter, outlineBuffer, type EventSink } from './events.js';
import { native, type BindingEncoding, type BindingRecoveringParser } from './loader.js';
import { OwnTextPath, learnOwnText } from './own-text.js';

const { FastMode } = native;

/** Receives what a parser completes. */
export type RecoveringSink = EventSink;

/** The core's recovering parser, as the public `RecoveringParser` uses it. */
export class NativeRecoveringParser {
  readonly #native: BindingRecoveringParser;
  readonly #events: EventConverter;
  readonly #fast: OwnTextPath;
  readonly #copyOutline: (into: Uint32Array) => void;

  constructor(encoding: BindingEncoding, role: Role | null, strict: boolean, sink: RecoveringSink) {
    const n = callNative(() => new native.BindingRecoveringParser(encoding, role, strict));
    this.#native = n;
    this.#fast = new OwnTextPath((tokens) => callNative(() => n.feed(tokens)));
    this.#events = new EventConverter(sink);
    this.#copyOutline = (into) => callNative(() => n.copyOutline(into));
  }

  push(tokens: Uint32Array): RecoveringEvent[] {
    if (tokens.length === 1) return this.#pushOne(tokens[0]!);
    const n = this.#synced();
    const text = callNative(() => n.push(tokens, outlineBuffer()));
    this.#fast.mode = n.fastMode();
    return this.#events.read(text, this.#copyOutline);
  }

  /** One token: answered here in a fast mode when possible, else one `step` call. */
  #pushOne(token: number): RecoveringEvent[] {
    const answer = this.#fast.answer(token);
    if (answer !== undefined) return answer === null ? [] : [this.#events.delta(answer)];
    const n = this.#native;
    const wasOwnText = this.#fast.mode === FastMode.OwnText;
    const outline = outlineBuffer();
    const tokens = this.#fast.takeWith(token);
    this.#fast.mode = callNative(() => n.step(tokens, outline));
    if (outline[0] === 0) return [];
    const events = this.#events.read(n.eventText(), this.#copyOutline);
    // An ordinary token read in own-text mode that leaves it in own-text mode (no partial
    // character before or after): its one delta is its whole text.
    const ev = events[0]!;
    if (wasOwnText && this.#fast.mode === FastMode.OwnText && events.length === 1 && ev.type === 'content-delta' && !ev.delta.includes('\ufffd')) {
      learnOwnText(token, ev.delta);
    }
    return events;
  }

  pushText(text: string): RecoveringEvent[] {
    const n = this.#synced();
    const events = callNative(() => n.pushText(text, outlineBuffer()));
    this.#fast.mode = FastMode.Off;
    return this.#events.read(events, this.#copyOutline);
  }

  end(): RecoveringEvent[] {
    const n = this.#synced();
    const text = callNative(() => n.end(outlineBuffer()));
    this.#fast.mode = FastMode.Off;
    return this.#events.read(text, this.#copyOutline);
  }

  /** Releases the core parser's memory (it keeps its counts). */
  free(): void {
    this.#synced().free();
  }

  get tokenCount(): number {
    return this.#synced().tokenCount();
  }
  get reasoningTokenCount(): number {
    return this.#synced().reasoningTokenCount();
  }
  get truncated(): boolean {
    return this.#synced().truncated();
  }

  /** The core parser with the queue fed: what every other access goes through. */
  #synced(): BindingRecoveringParser {
    this.#fast.flush();
    return this.#native;
  }
}

/** A whole completion parsed in one call. */
export interface NativeRecoveredCompletion {
  events: RecoveringEvent[];
  truncated: boolean;
  tokenCount: number;
  reasoningTokenCount: number;
}

/** Parses a whole completion (tokens, or text with literal markers), end of stream included. */
export function recoverCompletion(
  encoding: BindingEncoding,
  completion: Uint32Array | string,
  role: Role | null,
  strict: boolean,
  sink: RecoveringSink,
): NativeRecoveredCompletion {
  const result = callNative(() => native.recoverCompletion(encoding, completion, role, strict));
  return {
    events: new EventConverter(sink).read(result.text, result.outline),
    truncated: result.truncated,
    tokenCount: result.tokenCount,
    reasoningTokenCount: result.reasoningTokenCount,
  };
}
