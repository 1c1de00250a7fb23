/**
 * The one converter of native parser events into the public events, shared by every parser.
 * A native call hands over its events as one string and an outline of numbers
 * (`crates/harmony-napi/src/event.rs`, `OutlineEntry`, generated): pairs `(entry, value)` that
 * say how to cut the string into events and fields. The converter builds the event objects,
 * repeats the channel and recipient of the message in progress on its deltas, builds the
 * `Message` of a `message-end`, and leaves absent optional fields out.
 *
 * @module
 */

import { parsedMessage, type Message } from '../builders/message.js';
import type {
  ContentDeltaEvent,
  MessageKind,
  RecoveringEvent,
  RecoveringMessageEndEvent,
  RecoveringMessageStartEvent,
  Recovery,
  RecoveryKind,
  ToolCallEvent,
} from '../stream/events.js';
import type { Role, StopToken } from '../values.js';
import { native } from './loader.js';

const { OutlineEntry } = native;

/** Receives what a parser completes, in stream order. */
export interface EventSink {
  message(message: Message): void;
  recovery(recovery: Recovery): void;
}

/** The outline buffer every native call writes into (JS runs one call at a time; each outline is read before the next call). */
let outline = new Uint32Array(1024);

/** The buffer to hand to a native call that writes an outline. */
export function outlineBuffer(): Uint32Array {
  return outline;
}

/** Converts the events of one parser, in order. */
export class EventConverter {
  /** Header of the message in progress, repeated on its deltas. */
  #channel: string | undefined;
  #recipient: string | undefined;

  constructor(private readonly sink: EventSink) {}

  /** Starts over with the header of a message already in progress (after per-token calls). */
  resume(channel: string | null, recipient: string | null): void {
    this.#channel = channel ?? undefined;
    this.#recipient = recipient ?? undefined;
  }

  /** A delta of the message in progress. */
  delta(text: string): ContentDeltaEvent {
    // Whole literals: one object shape per combination, no property added after creation.
    const channel = this.#channel;
    const recipient = this.#recipient;
    if (recipient === undefined) {
      return channel === undefined ? { type: 'content-delta', delta: text } : { type: 'content-delta', delta: text, channel };
    }
    return channel === undefined ? { type: 'content-delta', delta: text, recipient } : { type: 'content-delta', delta: text, channel, recipient };
  }

  /**
   * The events of a native call: `text` as it returned it, with the outline it wrote into
   * `outlineBuffer()` (when that was too small, `copyOutline` writes it again into a larger
   * one), or with an outline of its own.
   */
  read(text: string, copyOutline: ((into: Uint32Array) => void) | Uint32Array): RecoveringEvent[] {
    let o: Uint32Array;
    if (typeof copyOutline === 'function') {
      o = outline;
      if (o[0]! >= o.length) {
        outline = o = new Uint32Array(o[0]! + 1);
        copyOutline(o);
      }
    } else o = copyOutline;
    const end = o[0]! + 1;
    const events: RecoveringEvent[] = [];
    let at = 0;
    let i = 1;
    while (i < end) {
      const entry = o[i]!;
      const value = o[i + 1]!;
      i += 2;
      if (entry === OutlineEntry.ContentDelta) {
        events.push(this.delta(text.slice(at, (at += value))));
        continue;
      }
      let role = '';
      let name: string | undefined;
      let channel: string | undefined;
      let recipient: string | undefined;
      let contentType: string | undefined;
      let body = '';
      let stop = '';
      let kind: string | undefined;
      let detail = '';
      let tokenIndex = 0;
      for (const last = i + 2 * value; i < last; i += 2) {
        const field = o[i]!;
        const n = o[i + 1]!;
        if (field === OutlineEntry.TokenIndex) {
          tokenIndex = n;
          continue;
        }
        const s = text.slice(at, (at += n));
        switch (field) {
          case OutlineEntry.Role:
            role = s;
            break;
          case OutlineEntry.Name:
            name = s;
            break;
          case OutlineEntry.Channel:
            channel = s;
            break;
          case OutlineEntry.Recipient:
            recipient = s;
            break;
          case OutlineEntry.ContentType:
            contentType = s;
            break;
          case OutlineEntry.Text:
            body = s;
            break;
          case OutlineEntry.StopToken:
            stop = s;
            break;
          case OutlineEntry.Kind:
            kind = s;
            break;
          case OutlineEntry.Detail:
            detail = s;
            break;
        }
      }
      switch (entry) {
        case OutlineEntry.MessageStart: {
          this.#channel = channel;
          this.#recipient = recipient;
          const event: RecoveringMessageStartEvent = { type: 'message-start', role: role as Role } as RecoveringMessageStartEvent;
          if (name !== undefined) event.name = name;
          if (channel !== undefined) event.channel = channel;
          if (recipient !== undefined) event.recipient = recipient;
          if (contentType !== undefined) event.contentType = contentType;
          if (kind !== undefined) event.kind = kind as MessageKind;
          events.push(event);
          break;
        }
        case OutlineEntry.MessageEnd: {
          const message = parsedMessage({ role, name, channel, recipient, contentType, text: body });
          this.sink.message(message);
          const event = { type: 'message-end', message, stopToken: stop as StopToken } as RecoveringMessageEndEvent;
          if (kind !== undefined) event.kind = kind as MessageKind;
          events.push(event);
          break;
        }
        case OutlineEntry.ToolCall: {
          const event: ToolCallEvent = { type: 'tool-call', recipient: recipient!, arguments: body };
          if (contentType !== undefined) event.contentType = contentType;
          events.push(event);
          break;
        }
        case OutlineEntry.Recovered: {
          const recovery: Recovery = { kind: kind as RecoveryKind, tokenIndex, detail };
          this.sink.recovery(recovery);
          events.push({ type: 'recovered', ...recovery });
          break;
        }
      }
    }
    return events;
  }
}
