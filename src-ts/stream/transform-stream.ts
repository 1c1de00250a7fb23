/**
 * `HarmonyParseStream`: the streaming parser as a Web `TransformStream` from token chunks to
 * typed events (pipe a token `ReadableStream` through it). Same core as `parseStream`.
 *
 * Errors and queued events: erroring a stream discards the chunks still queued on its readable
 * side, so a parse error raised directly in `transform` would lose the events of the tokens
 * before it. Instead the transform queues those events, then an error marker, and terminates;
 * the public `readable` is a pull-through view (high-water mark 0) that turns the marker into
 * the stream error only when the consumer reaches it — after every earlier event was read.
 *
 * @module
 */

import { invalidArgument, type HarmonyError } from '../errors.js';
import type { HarmonyEvent } from './events.js';
import { chunkTokens, parserFor, type ParseStreamOptions, type TokenChunk } from './parse-stream.js';
import { kFeed, kFinish } from './parser.js';

/** Options of `HarmonyParseStream`. */
export interface HarmonyParseStreamOptions extends ParseStreamOptions {
  /**
   * What a parse error does: `'terminate'` errors the stream after the events of the tokens
   * before the failing one; a function is called with the error and parsing goes on after the
   * failing token (or after the chunk, for an invalid chunk).
   * @defaultValue `'terminate'`
   */
  onError?: 'terminate' | ((error: HarmonyError) => void);
}

/** The error marker queued in place of a terminating error. */
class ErrorMark {
  constructor(readonly error: HarmonyError) {}
}

/**
 * Token chunks (`number | ArrayLike<number>`) in, `HarmonyEvent`s out.
 *
 * @example
 * ```ts
 * const events = tokenStream.pipeThrough(new HarmonyParseStream({ role: 'assistant' }));
 * for await (const event of events) console.log(event.type);
 * ```
 */
export class HarmonyParseStream extends TransformStream<TokenChunk, HarmonyEvent> {
  constructor(options: HarmonyParseStreamOptions = {}) {
    const parser = parserFor(options);
    const onError = options.onError ?? 'terminate';
    if (onError !== 'terminate' && typeof onError !== 'function') {
      throw invalidArgument("onError must be 'terminate' or a function", 'onError');
    }
    let stopped = false;
    /** Reports an error; returns whether to go on. */
    const fail = (error: HarmonyError, controller: TransformStreamDefaultController<HarmonyEvent>): boolean => {
      if (onError !== 'terminate') {
        onError(error);
        return true;
      }
      stopped = true;
      controller.enqueue(new ErrorMark(error) as unknown as HarmonyEvent);
      controller.terminate();
      return false;
    };
    super({
      transform(chunk, controller) {
        if (stopped) return;
        let tokens: Uint32Array;
        try {
          tokens = chunkTokens(chunk);
        } catch (error) {
          fail(error as HarmonyError, controller);
          return;
        }
        let offset = 0;
        for (;;) {
          const { events, error, failedAt } = parser[kFeed](offset === 0 ? tokens : tokens.subarray(offset));
          for (const event of events) controller.enqueue(event);
          if (!error) return;
          if (!fail(error, controller)) return;
          // Go on after the failing token; without a known position the rest of the chunk is dropped.
          if (failedAt === undefined) return;
          offset += failedAt + 1;
          if (offset >= tokens.length) return;
        }
      },
      flush(controller) {
        if (stopped) return;
        const { events, error } = parser[kFinish]();
        for (const event of events) controller.enqueue(event);
        if (error) fail(error, controller);
      },
    });
    const reader = (super.readable as ReadableStream<HarmonyEvent | ErrorMark>).getReader();
    const readable = new ReadableStream<HarmonyEvent>(
      {
        async pull(controller) {
          const next = await reader.read();
          if (next.done) controller.close();
          else if (next.value instanceof ErrorMark) controller.error(next.value.error);
          else controller.enqueue(next.value);
        },
        cancel(reason) {
          return reader.cancel(reason);
        },
      },
      { highWaterMark: 0 },
    );
    Object.defineProperty(this, 'readable', { value: readable, enumerable: true, configurable: false, writable: false });
  }
}
