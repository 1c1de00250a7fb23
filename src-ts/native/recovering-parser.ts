/**
 * The recovering parser's side of the border: `NativeRecoveringParser` holds the core's
 * `RecoveringParser` and converts what crosses (parse events through the shared
 * `EventConverter`, with the core's `kind` of each message; recoveries), and `recoverCompletion`
 * parses a whole completion in one call.
 *
 * Per-token path (as for the streaming parser, see `stream-parser.ts`): a gateway pushes one
 * sampled token at a time, and a napi call costs more than the parsing. A single token goes
 * through `step`, which returns a generated `StepOutcome` and leaves its events (most tokens
 * have none) for `takeEvents`. While the core says the parser is in own-text mode (inside a kept
 * message's body, no partial character), an ordinary token whose text is known only adds that
 * text: `push` answers it from the shared token-text table and queues it; the queue is fed to
 * the core (`feed`) before anything else reaches it.
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
} from '../stream/recovering-parser.js';
import type { ToolCallEvent } from '../stream/events.js';
import type { Role } from '../values.js';
import { callNative } from './errors.js';
import { EventConverter } from './events.js';
import { native, type BindingEncoding, type BindingEvent, type BindingGatewayEvent, type BindingRecoveringParser } from './loader.js';
import { ownTextTable } from './stream-parser.js';

const { ORDINARY_TOKEN_COUNT, StepOutcome } = native;

/** Tokens queued per parser at most before they are fed. */
const QUEUE_MAX = 256;

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
  /** The core's `appendsWholeTokens()` after the last call: `push` may answer known tokens. */
  #ownTextMode = false;
  /** The shared token-text table, once own-text mode was first reported. */
  #ownTexts: (string | undefined)[] | undefined;
  readonly #queue = new Uint32Array(QUEUE_MAX);
  #queued = 0;

  constructor(encoding: BindingEncoding, role: Role | null, strict: boolean, sink: RecoveringSink) {
    this.#native = callNative(() => new native.BindingRecoveringParser(encoding, role, strict));
    this.#events = new GatewayEventConverter(sink);
  }

  push(tokens: Uint32Array): RecoveringEvent[] {
    if (tokens.length === 1) return this.#pushOne(tokens[0]!);
    const n = this.#synced();
    const raw = callNative(() => n.push(tokens));
    this.#setOwnTextMode(n.appendsWholeTokens());
    return this.#events.convert(raw);
  }

  /** One token: answered here in own-text mode when its text is known, else one `step` call. */
  #pushOne(token: number): RecoveringEvent[] {
    if (this.#ownTextMode && token < ORDINARY_TOKEN_COUNT) {
      const text = this.#ownTexts![token];
      if (text !== undefined) {
        if (this.#queued === QUEUE_MAX) this.#flush();
        this.#queue[this.#queued++] = token;
        return [this.#events.delta(text)];
      }
    }
    const n = this.#synced();
    const wasOwnText = this.#ownTextMode;
    const outcome = callNative(() => n.step(token));
    this.#setOwnTextMode(outcome === StepOutcome.QuietOwnText || outcome === StepOutcome.EventsOwnText);
    if (outcome === StepOutcome.Quiet || outcome === StepOutcome.QuietOwnText) return [];
    const raw = n.takeEvents();
    // An ordinary token read in own-text mode that leaves it in own-text mode (no partial
    // character before or after): its one delta is its whole text.
    const ev = raw[0]!;
    if (wasOwnText && this.#ownTextMode && raw.length === 1 && token < ORDINARY_TOKEN_COUNT && ev.type === 'content-delta' && !ev.delta.includes('\ufffd')) {
      this.#ownTexts![token] ??= ev.delta;
    }
    return this.#events.convert(raw);
  }

  #setOwnTextMode(on: boolean): void {
    this.#ownTextMode = on;
    if (on) this.#ownTexts ??= ownTextTable();
  }

  pushText(text: string): RecoveringEvent[] {
    const n = this.#synced();
    const raw = callNative(() => n.pushText(text));
    this.#ownTextMode = false;
    return this.#events.convert(raw);
  }

  end(): RecoveringEvent[] {
    const n = this.#synced();
    const raw = callNative(() => n.end());
    this.#ownTextMode = false;
    return this.#events.convert(raw);
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
    if (this.#queued > 0) this.#flush();
    return this.#native;
  }

  #flush(): void {
    const tokens = this.#queue.subarray(0, this.#queued);
    this.#queued = 0;
    // These tokens only add their text (the core's contract), so feeding them cannot fail.
    callNative(() => this.#native.feed(tokens));
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
