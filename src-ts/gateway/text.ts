/**
 * Text mode: Harmony from decoded text with the literal `<|…|>` markers (for servers that only
 * see detokenised output), through the same recovering parser as tokens.
 *
 * @module
 */

import { loadHarmonyEncoding, RecoveringParser, type Message, type RecoveringEvent, type Recovery, type Role } from '../index.js';
import { CallerObject, invalidInput } from './input.js';

/** Options of the text parsers. */
export interface TextParseOptions {
  /** Throw an `ERR_HARMONY_PARSE` `HarmonyError` instead of recovering. @defaultValue `false` */
  strict?: boolean;
}

/** The result of `parseText`. */
export interface TextParseResult {
  messages: Message[];
  events: RecoveringEvent[];
  recovered: Recovery[];
}

function strictOption(options: TextParseOptions | undefined): boolean {
  return CallerObject.optional(options, 'options')?.optionalBoolean('strict') ?? false;
}

/**
 * Parses Harmony from decoded text with literal `<|…|>` markers: the same messages and events as
 * from the tokens.
 *
 * @param role - the role of the first message when the text starts right after
 *   `<|start|>{role}` (default `'assistant'`), or `null` when it starts with `<|start|>`
 */
export function parseText(text: string, role: Role | null = 'assistant', options: TextParseOptions = {}): TextParseResult {
  if (typeof text !== 'string') throw invalidInput('text must be a string', 'text');
  const { events, messages, recovered } = RecoveringParser.parseCompletion(loadHarmonyEncoding(), text, role, { strict: strictOption(options) });
  return { messages, events, recovered };
}

/** Text mode, streaming: `push(text)` per decoded piece, `end()` at the end of the stream. */
export class TextStreamParser {
  readonly #parser: RecoveringParser;
  /** A high surrogate waiting for its pair (a piece may end in the middle of a character). */
  #surrogate = '';
  #ended = false;

  constructor(role: Role | null = 'assistant', options: TextParseOptions = {}) {
    this.#parser = new RecoveringParser(loadHarmonyEncoding(), role, { strict: strictOption(options) });
  }

  /** Feeds a piece of decoded text; returns the events it caused. */
  push(text: string): RecoveringEvent[] {
    if (this.#ended) throw invalidInput('push after end()', 'text');
    if (typeof text !== 'string') throw invalidInput('text must be a string', 'text');
    let piece = this.#surrogate + text;
    const last = piece.charCodeAt(piece.length - 1);
    this.#surrogate = last >= 0xd800 && last <= 0xdbff ? piece.slice(-1) : '';
    if (this.#surrogate) piece = piece.slice(0, -1);
    return this.#parser.processText(piece);
  }

  /** Signals the end of the text; returns the events it caused. */
  end(): RecoveringEvent[] {
    if (this.#ended) return [];
    this.#ended = true;
    const rest = this.#surrogate ? this.#parser.processText(this.#surrogate) : [];
    this.#surrogate = '';
    return [...rest, ...this.#parser.processEos()];
  }

  /** The completed messages. */
  get messages(): readonly Message[] {
    return this.#parser.messages;
  }
  /** Every recovery so far. */
  get recovered(): readonly Recovery[] {
    return this.#parser.recovered;
  }
}
