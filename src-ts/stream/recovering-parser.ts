/**
 * `RecoveringParser`: the core's parser that never fails on model output. Where a sampled
 * completion breaks the Harmony grammar it steps in the way the serving stacks do and reports
 * each intervention as a `recovered` event, in stream order. Batches in, typed events out (one
 * native call per batch); `processText` reads decoded text with literal `<|…|>` markers.
 *
 * @module
 */

import type { Message } from '../builders/message.js';
import type { HarmonyEncoding } from '../encoding.js';
import { invalidArgument } from '../errors.js';
import { nativeEncoding } from '../native/encoding.js';
import type { BindingRecoveryKind } from '../native/loader.js';
import { NativeRecoveringParser } from '../native/recovering-parser.js';
import { toUint32Array, type TokenInput } from '../tokens.js';
import { isRole, type Role } from '../values.js';
import type { HarmonyEvent } from './events.js';

/** What the recovering parser stepped in for (see `docs/gateway.md`); generated from the core. */
export type RecoveryKind = BindingRecoveryKind;

/** One intervention on malformed model output. */
export interface Recovery {
  kind: RecoveryKind;
  /** Index of the token (among all tokens fed) where it was noticed. */
  tokenIndex: number;
  /** A human-readable explanation, for logs. */
  detail: string;
}

/** A recovery, as an event in stream order. A recovered tail's `message-start` follows it. */
export interface RecoveredEvent extends Recovery {
  type: 'recovered';
}

/** The events of the recovering parser: the parser events plus recoveries. */
export type RecoveringEvent = HarmonyEvent | RecoveredEvent;

/**
 * The never-failing parser (for gateways).
 *
 * @example
 * ```ts
 * const parser = new RecoveringParser(enc, 'assistant');
 * for (const batch of sampled) for (const ev of parser.processMany(batch)) handle(ev);
 * for (const ev of parser.processEos()) handle(ev);
 * ```
 */
export class RecoveringParser {
  readonly #parser: NativeRecoveringParser;
  readonly #messages: Message[] = [];
  readonly #recovered: Recovery[] = [];

  /**
   * @param encoding - the encoding (`loadHarmonyEncoding()`)
   * @param role - the role of the first message when the tokens start right after
   *   `<|start|>{role}` (default `'assistant'`), or `null` when they start with `<|start|>`
   */
  constructor(encoding: HarmonyEncoding, role: Role | null = 'assistant') {
    if (encoding === null || typeof encoding !== 'object' || typeof encoding.name !== 'string') {
      throw invalidArgument('encoding must be a HarmonyEncoding (loadHarmonyEncoding())', 'encoding');
    }
    if (role !== null && !isRole(role)) throw invalidArgument(`unknown role: ${String(role)}`, 'role');
    this.#parser = new NativeRecoveringParser(
      nativeEncoding(encoding.name).handle,
      role,
      (message) => this.#messages.push(message),
      (recovery) => this.#recovered.push(recovery),
    );
  }

  /** Feeds a batch of tokens (one native call); returns its events. */
  processMany(tokens: TokenInput): RecoveringEvent[] {
    return this.#parser.processMany(toUint32Array(tokens));
  }

  /** Feeds decoded text with literal `<|…|>` markers; returns its events. */
  processText(text: string): RecoveringEvent[] {
    if (typeof text !== 'string') throw invalidArgument('text must be a string', 'text');
    return this.#parser.processText(text);
  }

  /** Signals the end of the stream; returns the events it caused. */
  processEos(): RecoveringEvent[] {
    return this.#parser.processEos();
  }

  /** The completed messages. */
  get messages(): readonly Message[] {
    return this.#messages.slice();
  }
  /** Every recovery so far. */
  get recovered(): readonly Recovery[] {
    return this.#recovered.slice();
  }
  /** Number of tokens fed so far. */
  get tokenCount(): number {
    return this.#parser.tokenCount;
  }
  /** Number of tokens fed so far that were read inside analysis messages (`usage`'s reasoning tokens). */
  get reasoningTokenCount(): number {
    return this.#parser.reasoningTokenCount;
  }
}
