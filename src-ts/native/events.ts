/**
 * The one converter of native parser events into the public `HarmonyEvent`s, shared by every
 * parser. Content deltas cross as bare strings (the most frequent event); the converter adds
 * the channel and recipient of the message in progress, builds the `Message` of a
 * `message-end`, and drops the `null`s of optional fields.
 *
 * @module
 */

import { parsedMessage, type Message } from '../builders/message.js';
import type { ContentDeltaEvent, HarmonyEvent, MessageStartEvent, ToolCallEvent } from '../stream/events.js';
import type { BindingEvent } from './loader.js';

/** A native parser event: a content delta's text, or an event object. */
export type WireEvent = string | BindingEvent;

/**
 * An optional field of a native event, or `null`: its own property only (napi gives events the
 * usual prototype, and a polluted `Object.prototype` must not add a recipient or a channel).
 */
function field(event: object, key: string): string | null {
  return Object.hasOwn(event, key) ? ((event as Record<string, string | null | undefined>)[key] ?? null) : null;
}

/** Converts the events of one parser, in order. */
export class EventConverter {
  /** Header of the message in progress, repeated on its deltas. */
  #channel: string | undefined;
  #recipient: string | undefined;

  /** Starts over with the header of a message already in progress (after per-token calls). */
  resume(channel: string | null, recipient: string | null): void {
    this.#channel = channel ?? undefined;
    this.#recipient = recipient ?? undefined;
  }

  /** A delta of the message in progress. */
  delta(text: string): ContentDeltaEvent {
    const event: ContentDeltaEvent = { type: 'content-delta', delta: text };
    if (this.#channel !== undefined) event.channel = this.#channel;
    if (this.#recipient !== undefined) event.recipient = this.#recipient;
    return event;
  }

  /** Converts one event; completed messages are passed to `onMessage`. */
  convert(event: WireEvent, onMessage: (message: Message) => void): HarmonyEvent {
    if (typeof event === 'string') return this.delta(event);
    switch (event.type) {
      case 'message-start': {
        const [name, channel, recipient, contentType] = [field(event, 'name'), field(event, 'channel'), field(event, 'recipient'), field(event, 'contentType')];
        this.#channel = channel ?? undefined;
        this.#recipient = recipient ?? undefined;
        const out: MessageStartEvent = { type: 'message-start', role: event.role };
        if (name !== null) out.name = name;
        if (channel !== null) out.channel = channel;
        if (recipient !== null) out.recipient = recipient;
        if (contentType !== null) out.contentType = contentType;
        return out;
      }
      case 'message-end': {
        const message = parsedMessage(event);
        onMessage(message);
        return { type: 'message-end', message, stopToken: event.stopToken };
      }
      case 'tool-call': {
        const out: ToolCallEvent = { type: 'tool-call', recipient: event.recipient, arguments: event.arguments };
        const contentType = field(event, 'contentType');
        if (contentType !== null) out.contentType = contentType;
        return out;
      }
      case 'content-delta':
        return this.delta(event.delta);
    }
  }
}
