/**
 * `parseStream`: Harmony events from a stream of sampled tokens, as an async iterator. Each
 * input chunk (a token or a batch) is one native `processMany` call; the end of the input is
 * `processEos`. On a parse error the events of the tokens before it are yielded first, then the
 * `HarmonyError` is thrown from the iterator.
 *
 * @module
 */

import { loadHarmonyEncoding, type HarmonyEncoding } from '../encoding.js';
import { booleanOption, ownOption } from '../arguments.js';
import { callerFailure, invalidArgument } from '../errors.js';
import { toToken, toUint32Array } from '../tokens.js';
import { Role } from '../values.js';
import type { HarmonyEvent } from './events.js';
import { kFeed, kFinish, StreamableParser } from './parser.js';

/** One input chunk: a token id or a batch of them. */
export type TokenChunk = number | Uint32Array | readonly number[] | ArrayLike<number>;

/** Options of `parseStream` and `HarmonyParseStream`. */
export interface ParseStreamOptions {
  /** The encoding. @defaultValue `loadHarmonyEncoding()` */
  encoding?: HarmonyEncoding;
  /**
   * Role of the first message when the tokens start right after `<|start|>{role}` (as sampled
   * after a completion prompt); `null` when they start with `<|start|>`.
   * @defaultValue `'assistant'`
   */
  role?: Role | null;
  /** Strict parsing. @defaultValue `true` */
  strict?: boolean;
}

/** A parser for the options (shared with `HarmonyParseStream`). */
export function parserFor(options: ParseStreamOptions | undefined): StreamableParser {
  if (options !== undefined && (options === null || typeof options !== 'object')) throw invalidArgument('options must be an object', 'options');
  const role = ownOption(options, 'role');
  const encoding = ownOption(options, 'encoding');
  return new StreamableParser((encoding ?? loadHarmonyEncoding()) as HarmonyEncoding, (role === undefined ? Role.Assistant : role) as Role | null, {
    strict: booleanOption(options, 'strict', true),
  });
}

/** A chunk as a `Uint32Array` (validated). */
export function chunkTokens(chunk: TokenChunk): Uint32Array {
  return typeof chunk === 'number' ? Uint32Array.of(toToken(chunk)) : toUint32Array(chunk, 'chunk');
}

/**
 * Parses a stream of tokens (or token batches) into typed events.
 *
 * @example
 * ```ts
 * for await (const event of parseStream(sampler.tokens(), { role: 'assistant' })) {
 *   if (event.type === 'content-delta' && event.channel === 'final') process.stdout.write(event.delta);
 *   if (event.type === 'tool-call') await callTool(event.recipient, JSON.parse(event.arguments));
 * }
 * ```
 */
export async function* parseStream(
  source: AsyncIterable<TokenChunk> | Iterable<TokenChunk>,
  options?: ParseStreamOptions,
): AsyncGenerator<HarmonyEvent, void, undefined> {
  const parser = parserFor(options);
  try {
    if (source === null || typeof source !== 'object' || !(Symbol.asyncIterator in source || Symbol.iterator in source)) {
      throw invalidArgument('source must be an iterable or async iterable of tokens or token batches', 'source');
    }
    // Events are yielded one by one: `yield*` over an array in an async generator wraps it in an
    // async iterator, with extra promise turns per event.
    for await (const chunk of source) {
      const { events, error } = parser[kFeed](chunkTokens(chunk));
      for (const event of events) yield event;
      if (error) throw error;
    }
  } catch (error) {
    // Our failures are HarmonyErrors; anything else was thrown by the caller's source.
    throw callerFailure('source', error);
  }
  const { events, error } = parser[kFinish]();
  for (const event of events) yield event;
  if (error) throw error;
}
