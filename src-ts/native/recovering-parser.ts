/**
 * The recovering parser's side of the border: `NativeRecoveringParser` holds the core's
 * `RecoveringParser` and converts what crosses (parse events through the shared
 * `EventConverter`, with the core's `kind` of each message; recoveries), and `recoverCompletion`
 * parses a whole completion in one call.
 *
 * Per-token path (as for the streaming parser, see `stream-parser.ts`): a gateway pushes one
 * sampled token at a time, and a napi call costs more than the parsing. A single token goes
 * through `step`, which returns a generated `StepOutcome` and leaves its events (most tokens
 * have none) for `takeEvents`. The outcome says whether the parser is in own-text mode (inside a
 * kept message's body, no partial character); while it is, `push` answers known tokens through
 * the shared fast path (`own-text.ts`).
 *
 * @module
 */

import type { Message } from '../builders/message.js';
import type {
  MessageKind,
  RecoveredEvent,
  RecoveringEvent,
  RecoveringMessageEndEvent,
  RecoveringMessageStartEvent,
  Recovery,
  ToolCallEvent,
} from '../stream/events.js';
import type { Role } from '../values.js';
import { callNative } from './errors.js';
import { EventConverter } from './events.js';
import { native, type BindingEncoding, type BindingEvent, type BindingGatewayEvent, type BindingRecoveringParser } from './loader.js';
import { OwnTextPath, learnOwnText } from './own-text.js';

const { StepOutcome } = native;

/** Receives what a parser completes. */
export interface RecoveringSink {
  message(message: Message): void;
  recovery(recovery: Recovery): void;
}

/** Converts the core's events of one parser, in order. */
class GatewayEventConverter {
  readonly #converter = new EventConverter();
  constructor(private readonly sink: RecoveringSink) {}

  delta(text: string): RecoveringEvent {
    return this.#converter.delta(text);
  }

  convert(raw: BindingGatewayEvent[]): RecoveringEvent[] {
    const out = new Array<RecoveringEvent>(raw.length);
    for (let i = 0; i < raw.length; i++) out[i] = this.#event(raw[i]!);
    return out;
  }

  #event(ev: BindingGatewayEvent): RecoveringEvent {
    switch (ev.type) {
      case 'content-delta':
        return this.#converter.delta(ev.delta);
      case 'recovered': {
        const recovery: Recovery = { kind: ev.kind, tokenIndex: ev.tokenIndex, detail: ev.detail };
        this.sink.recovery(recovery);
        return { type: 'recovered', ...recovery } satisfies RecoveredEvent;
      }
      case 'message-start':
      case 'message-end': {
        // The parse-event part is the shared converter's; the core's decision rides along.
        const event = this.#converter.convert(ev as BindingEvent, (m) => this.sink.message(m)) as RecoveringMessageStartEvent | RecoveringMessageEndEvent;
        event.kind = ev.kind as MessageKind;
        return event;
      }
      case 'tool-call':
        return this.#converter.convert(ev, (m) => this.sink.message(m)) as ToolCallEvent;
    }
  }
}

/** The core's recovering parser, as the public `RecoveringParser` uses it. */
export class NativeRecoveringParser {
  readonly #native: BindingRecoveringParser;
  readonly #events: GatewayEventConverter;
  readonly #fast: OwnTextPath;

  constructor(encoding: BindingEncoding, role: Role | null, strict: boolean, sink: RecoveringSink) {
    const n = callNative(() => new native.BindingRecoveringParser(encoding, role, strict));
    this.#native = n;
    this.#fast = new OwnTextPath((tokens) => callNative(() => n.feed(tokens)));
    this.#events = new GatewayEventConverter(sink);
  }

  push(tokens: Uint32Array): RecoveringEvent[] {
    if (tokens.length === 1) return this.#pushOne(tokens[0]!);
    const n = this.#synced();
    const raw = callNative(() => n.push(tokens));
    this.#fast.mode = n.appendsWholeTokens();
    return this.#events.convert(raw);
  }

  /** One token: answered here in own-text mode when its text is known, else one `step` call. */
  #pushOne(token: number): RecoveringEvent[] {
    const text = this.#fast.answer(token);
    if (text !== undefined) return [this.#events.delta(text)];
    const n = this.#synced();
    const wasOwnText = this.#fast.mode;
    const outcome = callNative(() => n.step(token));
    this.#fast.mode = outcome === StepOutcome.QuietOwnText || outcome === StepOutcome.EventsOwnText;
    if (outcome === StepOutcome.Quiet || outcome === StepOutcome.QuietOwnText) return [];
    const raw = n.takeEvents();
    // An ordinary token read in own-text mode that leaves it in own-text mode (no partial
    // character before or after): its one delta is its whole text.
    const ev = raw[0]!;
    if (wasOwnText && this.#fast.mode && raw.length === 1 && ev.type === 'content-delta' && !ev.delta.includes('\ufffd')) {
      learnOwnText(token, ev.delta);
    }
    return this.#events.convert(raw);
  }

  pushText(text: string): RecoveringEvent[] {
    const n = this.#synced();
    const raw = callNative(() => n.pushText(text));
    this.#fast.mode = false;
    return this.#events.convert(raw);
  }

  end(): RecoveringEvent[] {
    const n = this.#synced();
    const raw = callNative(() => n.end());
    this.#fast.mode = false;
    return this.#events.convert(raw);
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
    events: new GatewayEventConverter(sink).convert(result.events),
    truncated: result.truncated,
    tokenCount: result.tokenCount,
    reasoningTokenCount: result.reasoningTokenCount,
  };
}
