/**
 * The recovering parser's side of the border: `NativeRecoveringParser` holds the core's
 * `RecoveringParser` and converts what crosses (parse events through the shared
 * `EventConverter`, recoveries into `RecoveredEvent`s).
 *
 * @module
 */

import type { Message } from '../builders/message.js';
import type { RecoveredEvent, RecoveringEvent, Recovery, RecoveryKind } from '../stream/recovering-parser.js';
import type { Role } from '../values.js';
import { callNative } from './errors.js';
import { EventConverter } from './events.js';
import { native, type BindingEncoding } from './loader.js';

type BindingParser = InstanceType<typeof native.BindingRecoveringParser>;
type Wire = ReturnType<BindingParser['processMany']>[number];

/** The core's recovering parser, as the public `RecoveringParser` uses it. */
export class NativeRecoveringParser {
  readonly #native: BindingParser;
  readonly #converter = new EventConverter();
  readonly #onMessage: (message: Message) => void;
  readonly #onRecovery: (recovery: Recovery) => void;

  constructor(encoding: BindingEncoding, role: Role | null, onMessage: (message: Message) => void, onRecovery: (recovery: Recovery) => void) {
    this.#native = callNative(() => new native.BindingRecoveringParser(encoding, role));
    this.#onMessage = onMessage;
    this.#onRecovery = onRecovery;
  }

  processMany(tokens: Uint32Array): RecoveringEvent[] {
    return this.#convert(callNative(() => this.#native.processMany(tokens)));
  }
  processText(text: string): RecoveringEvent[] {
    return this.#convert(callNative(() => this.#native.processText(text)));
  }
  processEos(): RecoveringEvent[] {
    return this.#convert(callNative(() => this.#native.processEos()));
  }
  get tokenCount(): number {
    return this.#native.tokenCount();
  }
  get reasoningTokenCount(): number {
    return this.#native.reasoningTokenCount();
  }

  #convert(raw: Wire[]): RecoveringEvent[] {
    const out = new Array<RecoveringEvent>(raw.length);
    for (let i = 0; i < raw.length; i++) {
      const ev = raw[i]!;
      if (typeof ev !== 'string' && ev.type === 'recovered') {
        const recovery: Recovery = { kind: ev.kind as RecoveryKind, tokenIndex: ev.tokenIndex, detail: ev.detail };
        this.#onRecovery(recovery);
        out[i] = { type: 'recovered', ...recovery } satisfies RecoveredEvent;
      } else {
        out[i] = this.#converter.convert(ev, this.#onMessage);
      }
    }
    return out;
  }
}
