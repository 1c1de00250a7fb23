/**
 * `Conversation`: an immutable list of messages. `toJSON()` is the reference's
 * `Conversation.to_dict()` (`{ messages: [...] }`).
 *
 * @module
 */

import { invalidArgument, readingCallerValue } from '../errors.js';
import type { ConversationInput, ConversationJSON, MessageInput } from '../types.js';
import { defineBuilder, describe, requireList, requireObject } from './internal.js';
import { Message, messageFromJSON, parseJSONArgument } from './message.js';

let makeConversation: (messages: readonly Message[]) => Conversation;
/** Marks the constructor's calls from this module. */
const INTERNAL: unique symbol = Symbol('Conversation');
let hasBrand: (value: object) => boolean;

/**
 * @internal Whether `value` is a `Conversation` (of this copy of the package). A brand check: unlike
 * `instanceof`, it runs no Proxy trap.
 */
export function isConversation(value: unknown): value is Conversation {
  return value !== null && typeof value === 'object' && hasBrand(value);
}

/** A conversation: messages in order. */
export class Conversation {
  readonly #messages: readonly Message[];
  /** The JSON sent to the native renderer, computed once (the object is immutable). */

  static {
    makeConversation = (messages) => new Conversation(messages, INTERNAL);
    hasBrand = (value) => #messages in value;
  }

  private constructor(messages: readonly Message[], key?: typeof INTERNAL) {
    // TypeScript keeps the constructor private; JavaScript callers are told where conversations come from.
    if (key !== INTERNAL) throw invalidArgument('a Conversation is made with Conversation.fromMessages or fromJSON', 'Conversation');
    this.#messages = Object.freeze(messages);
    Object.freeze(this);
  }

  /** A conversation of these messages (`Message` objects or their JSON). */
  static fromMessages(messages: Iterable<Message | MessageInput>): Conversation {
    return new Conversation(requireList(messages, 'messages', (m, i) => messageFromJSON(m, `messages[${i}]`, i)), INTERNAL);
  }

  /** The messages. */
  get messages(): readonly Message[] {
    return this.#messages;
  }

  /** Number of messages. */
  get length(): number {
    return this.#messages.length;
  }

  /** Iterates over the messages. */
  [Symbol.iterator](): IterableIterator<Message> {
    return this.#messages[Symbol.iterator]();
  }

  /** A copy with more messages at the end. */
  addingMessages(...messages: (Message | MessageInput)[]): Conversation {
    const start = this.#messages.length;
    return new Conversation([...this.#messages, ...messages.map((m, i) => messageFromJSON(m, `messages[${start + i}]`, start + i))], INTERNAL);
  }

  /** `{ messages: [...] }` with each message as `Message#toJSON()`. */
  toJSON(): ConversationJSON {
    return { messages: this.#messages.map((m) => m.toJSON()) };
  }

  /**
   * A conversation from its JSON: `{ messages: [...] }` (object or string), or a bare array of
   * messages. Errors name the message (`messageIndex`) and field.
   */
  static fromJSON(value: ConversationInput | readonly MessageInput[] | string): Conversation {
    const v: unknown = typeof value === 'string' ? parseJSONArgument(value, 'conversation') : value;
    if (isConversation(v)) return v;
    const list = v === null || typeof v !== 'object' || readingCallerValue('conversation', () => Array.isArray(v)) ? v : requireObject(v, 'conversation').messages;
    if (list === null || typeof list !== 'object') {
      throw invalidArgument(`conversation must be { messages: [...] } or an array of messages, got ${describe(v)}`, 'conversation');
    }
    return makeConversation(requireList(list, 'messages', (m, i) => messageFromJSON(m, `messages[${i}]`, i)));
  }
}
defineBuilder(Conversation, 'Conversation');
