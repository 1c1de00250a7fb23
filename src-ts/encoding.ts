/**
 * `HarmonyEncoding`: tokenizer, renderer and parser of the gpt-oss Harmony format, backed by the
 * native core. Every method is one native call; conversations cross as one JSON string, tokens
 * as `Uint32Array`s.
 *
 * @module
 */

import { Conversation } from './builders/conversation.js';
import { kWireJSON, wireJSON } from './builders/internal.js';
import { Message, messageFromJSON } from './builders/message.js';
import { fromNativeError, invalidArgument } from './errors.js';
import { callNative, callNativeAsync, native, type BindingEncoding } from './native/index.js';
import { toToken, toUint32Array, type TokenInput } from './tokens.js';
import type { ConversationInput, MessageInput } from './types.js';
import { HarmonyEncodingName, isRole, type Role } from './values.js';

/** A conversation argument: a `Conversation`, its JSON object, an array of messages, or a JSON string. */
export type ConversationArg = Conversation | ConversationInput | readonly (Message | MessageInput)[] | string;

/** A message argument: a `Message`, its JSON object, or a JSON string. */
export type MessageArg = Message | MessageInput | string;

/** Which special tokens: all of them, or these texts. */
export type SpecialTokens = 'all' | Iterable<string>;

/** Options of `encode` (tiktoken semantics, defaults as the reference). */
export interface EncodeOptions {
  /**
   * Special-token texts that become their special ids (`'all'`: every one).
   * @defaultValue `[]` (none)
   */
  allowedSpecial?: SpecialTokens;
  /**
   * Special-token texts whose presence in the text is an error (`'all'`: every special token
   * that is not allowed). Pass `[]` to encode such text as ordinary text.
   * @defaultValue `'all'`
   */
  disallowedSpecial?: SpecialTokens;
}

/** Options of the conversation renderers. */
export interface RenderConversationOptions {
  /**
   * Leave out `analysis` messages before the first `final` one, when the last assistant message
   * is `final` (the reference's behaviour for a new turn).
   * @defaultValue `true`
   */
  autoDropAnalysis?: boolean;
}

/** Options of `render` (one message). */
export interface RenderOptions {
  /**
   * Whether the conversation declares function tools (changes the system message's channel note).
   * @defaultValue `false`
   */
  conversationHasFunctionTools?: boolean;
}

/** Options of `parseMessagesFromCompletionTokens`. */
export interface ParseOptions {
  /**
   * Reject malformed headers and stray tokens (`true`) or recover where the reference does.
   * @defaultValue `true`
   */
  strict?: boolean;
}

/*
 * Return path of `encode` (performance notes). For a ~90-byte text the encode itself costs
 * about as much as creating a fresh `ArrayBuffer` for the result, so:
 * - Short texts (at most POOL_TEXT UTF-16 units) are encoded by native code straight into a
 *   shared pool `Uint32Array`, and the result is a view on that pool (as Node's `Buffer` does for
 *   small buffers): no copy, no buffer allocation. A text of n UTF-16 units has at most 3n
 *   UTF-8 bytes and every token covers at least one byte, so 3n elements always suffice; a new
 *   pool is started when the current one has less room than that.
 * - Longer texts are encoded into a reused scratch buffer and copied out with `slice` (one
 *   `memcpy`), and texts beyond the scratch buffer get a native-allocated result.
 * Tried and rejected: a native-created `Uint32Array` per call (an external buffer with a
 * finaliser, slower than both) and `scratch.slice` for short texts (~5× the cost of a pool view).
 */
const POOL_SIZE = 8192;
const POOL_TEXT = 256;
let pool = new Uint32Array(POOL_SIZE);
let poolOffset = 0;

const SCRATCH = new Uint32Array(1 << 16);
const SCRATCH_TEXT = SCRATCH.length / 3;

/** Flags of the native encode calls: bit 0 = allow all, bit 1 = disallow all (the default). */
const DEFAULT_FLAGS = 2;

interface NativeEncodeArgs {
  allowed: string[] | undefined;
  disallowed: string[] | undefined;
  flags: number;
}

function specialList(value: Iterable<string>, option: string): string[] {
  if (typeof value === 'string' || value === null || typeof value !== 'object' || !(Symbol.iterator in value)) {
    throw invalidArgument(`${option} must be 'all' or an iterable of strings`, option);
  }
  const out = Array.from(value);
  for (const t of out) if (typeof t !== 'string') throw invalidArgument(`${option} must contain only strings`, option);
  return out;
}

function encodeArgs(options: EncodeOptions | undefined): NativeEncodeArgs {
  if (options === undefined) return { allowed: undefined, disallowed: undefined, flags: DEFAULT_FLAGS };
  if (options === null || typeof options !== 'object') throw invalidArgument('options must be an object', 'options');
  const { allowedSpecial, disallowedSpecial } = options;
  let flags = 0;
  let allowed: string[] | undefined;
  let disallowed: string[] | undefined;
  if (allowedSpecial === 'all') flags |= 1;
  else if (allowedSpecial !== undefined) allowed = specialList(allowedSpecial, 'allowedSpecial');
  if (disallowedSpecial === undefined || disallowedSpecial === 'all') flags |= 2;
  else disallowed = specialList(disallowedSpecial, 'disallowedSpecial');
  return { allowed, disallowed, flags };
}

function requireText(text: unknown): string {
  if (typeof text !== 'string') throw invalidArgument(`text must be a string, got ${text === null ? 'null' : typeof text}`, 'text');
  return text;
}

function stringify(value: unknown, what: string): string {
  try {
    const json = wireJSON(value);
    if (typeof json !== 'string') throw new TypeError(`not serialisable`);
    return json;
  } catch (error) {
    throw invalidArgument(`${what} is not JSON-serialisable: ${error instanceof Error ? error.message : String(error)}`, what, error);
  }
}

/** The wire JSON of a conversation argument (one string crosses to native code). */
function conversationWire(conversation: unknown): string {
  if (conversation instanceof Conversation) return conversation[kWireJSON]();
  if (typeof conversation === 'string') return conversation;
  if (Array.isArray(conversation)) return stringify({ messages: conversation }, 'conversation');
  if (conversation !== null && typeof conversation === 'object') return stringify(conversation, 'conversation');
  throw invalidArgument('conversation must be a Conversation, its JSON object, an array of messages or a JSON string', 'conversation');
}

function messageWire(message: unknown): string {
  if (typeof message === 'string') return message;
  if (message !== null && typeof message === 'object') return stringify(message, 'message');
  throw invalidArgument('message must be a Message, its JSON object or a JSON string', 'message');
}

function autoDrop(options: RenderConversationOptions | undefined): boolean {
  const v = options?.autoDropAnalysis;
  if (v === undefined) return true;
  if (typeof v !== 'boolean') throw invalidArgument('autoDropAnalysis must be a boolean', 'autoDropAnalysis');
  return v;
}

function strictOption(options: ParseOptions | undefined): boolean {
  const v = options?.strict;
  if (v === undefined) return true;
  if (typeof v !== 'boolean') throw invalidArgument('strict must be a boolean', 'strict');
  return v;
}

function roleArg(role: unknown, field: string): Role {
  if (isRole(role)) return role;
  throw invalidArgument(`unknown role: ${typeof role === 'string' ? role : String(role)}`, field);
}

function optionalRoleArg(role: unknown): Role | null {
  return role === undefined || role === null ? null : roleArg(role, 'role');
}

/** Messages from the native parse result (a JSON array in the Rust serde shape). */
export function messagesFromWire(json: string): Message[] {
  const list = JSON.parse(json) as unknown[];
  return list.map((m, i) => messageFromJSON(m, `messages[${i}]`, i));
}

let makeEncoding: (nativeEncoding: BindingEncoding) => HarmonyEncoding;

/** @internal The native handle of an encoding (for `StreamableParser`; not public API). */
export let nativeOf: (encoding: HarmonyEncoding) => BindingEncoding;

/**
 * The Harmony encoding. Obtain it with `loadHarmonyEncoding()`.
 *
 * @example
 * ```ts
 * const enc = loadHarmonyEncoding();
 * const tokens = enc.renderConversationForCompletion(conversation, 'assistant');
 * const messages = enc.parseMessagesFromCompletionTokens(sampled, 'assistant');
 * ```
 */
export class HarmonyEncoding {
  /** The encoding's name (`'HarmonyGptOss'`). */
  readonly name: HarmonyEncodingName;
  /** The tokenizer's name (`'o200k_harmony'`). */
  readonly tokenizerName: string;
  /** The largest message the model accepts, in tokens. */
  readonly maxMessageTokens: number;
  readonly #native: BindingEncoding;
  #specialTokens: readonly string[] | undefined;
  #specialTokenSet: ReadonlySet<string> | undefined;

  static {
    makeEncoding = (nativeEncoding) => new HarmonyEncoding(nativeEncoding);
    nativeOf = (encoding) => encoding.#native;
  }

  /** Use `loadHarmonyEncoding()`. */
  private constructor(nativeEncoding: BindingEncoding) {
    this.#native = nativeEncoding;
    this.name = callNative(() => nativeEncoding.name()) as HarmonyEncodingName;
    this.tokenizerName = callNative(() => nativeEncoding.tokenizerName());
    this.maxMessageTokens = callNative(() => nativeEncoding.maxMessageTokens());
  }

  // ---- tokenizer ------------------------------------------------------------------------------

  /**
   * Encodes text. With the defaults, text that contains a special token's literal text (e.g.
   * `<|start|>`) throws `ERR_HARMONY_DISALLOWED_SPECIAL`, as in the reference.
   *
   * The results of short texts are views on a shared pool buffer (like Node's small `Buffer`s):
   * `result.buffer` is larger than the result, so copy with `result.slice()` before
   * transferring the buffer to another thread.
   *
   * @example
   * ```ts
   * enc.encode('hello world')                                   // Uint32Array [24912, 2375]
   * enc.encode('<|start|>', { allowedSpecial: 'all' })           // [200006]
   * enc.encode('<|start|>', { disallowedSpecial: [] })           // [27, 91, 5236, 91, 29]
   * ```
   */
  encode(text: string, options?: EncodeOptions): Uint32Array {
    if (typeof text !== 'string') requireText(text);
    const n = this.#native;
    try {
      if (options === undefined && text.length <= POOL_TEXT) {
        if (POOL_SIZE - poolOffset < 3 * text.length) {
          pool = new Uint32Array(POOL_SIZE);
          poolOffset = 0;
        }
        const start = poolOffset;
        const count = n.encodeDefaultInto(text, pool, start);
        poolOffset = start + count;
        return new Uint32Array(pool.buffer, start * 4, count);
      }
      const { allowed, disallowed, flags } = encodeArgs(options);
      if (text.length <= SCRATCH_TEXT) {
        return SCRATCH.slice(0, n.encodeInto(text, SCRATCH, 0, allowed, disallowed, flags));
      }
      return n.encode(text, allowed, disallowed, flags);
    } catch (error) {
      throw fromNativeError(error);
    }
  }

  /**
   * Encodes text into `out` (a caller-owned buffer, reused across calls) and returns the number
   * of tokens written. Throws `ERR_HARMONY_INVALID_ARGUMENT` and leaves `out` unchanged when it
   * is too short; `text.length * 3` elements always suffice.
   */
  encodeInto(text: string, out: Uint32Array, options?: EncodeOptions): number {
    requireText(text);
    if (!(out instanceof Uint32Array)) throw invalidArgument('out must be a Uint32Array', 'out');
    const { allowed, disallowed, flags } = encodeArgs(options);
    return callNative(() => this.#native.encodeInto(text, out, 0, allowed, disallowed, flags));
  }

  /** Encodes text as ordinary text: special-token text is never special and never an error. */
  encodeOrdinary(text: string): Uint32Array {
    requireText(text);
    if (text.length <= SCRATCH_TEXT) {
      const count = callNative(() => this.#native.encodeOrdinaryInto(text, SCRATCH, 0));
      return SCRATCH.slice(0, count);
    }
    return callNative(() => this.#native.encode(text, undefined, [], 0));
  }

  /**
   * Number of tokens of `text` encoded as ordinary text (`encodeOrdinary(text).length`), computed
   * without materialising the tokens.
   */
  countTokens(text: string): number {
    requireText(text);
    return callNative(() => this.#native.countTokens(text));
  }

  /**
   * Empties the merge caches of the calling thread (remembered pieces and token pairs), so that
   * the next call costs what text never seen before costs. Results never depend on the caches:
   * this is for measuring, and for a long-lived thread done with one kind of text. Calls on the
   * thread pool (`…Async`) keep their threads' caches.
   */
  clearMergeCaches(): void {
    this.#native.clearMergeCaches();
  }

  /** `encode` computed off the main thread. */
  async encodeAsync(text: string, options?: EncodeOptions): Promise<Uint32Array> {
    requireText(text);
    const { allowed, disallowed, flags } = encodeArgs(options);
    return callNativeAsync(() => this.#native.encodeAsync(text, allowed, disallowed, flags));
  }

  /** Lossy decode: invalid UTF-8 becomes U+FFFD. Throws only for unknown token ids. */
  decode(tokens: TokenInput): string {
    const t = toUint32Array(tokens);
    return callNative(() => this.#native.decode(t));
  }

  /** Strict decode: throws `ERR_HARMONY_UTF8` when the bytes are not valid UTF-8. */
  decodeUtf8(tokens: TokenInput): string {
    const t = toUint32Array(tokens);
    return callNative(() => this.#native.decodeUtf8(t));
  }

  /** The raw bytes of the tokens. */
  decodeBytes(tokens: TokenInput): Uint8Array {
    const t = toUint32Array(tokens);
    return callNative(() => this.#native.decodeBytes(t));
  }

  /** Whether `token` is one of the 1091 special tokens. */
  isSpecialToken(token: number): boolean {
    const t = toToken(token);
    return callNative(() => this.#native.isSpecialToken(t));
  }

  /** The texts of all special tokens, by ascending id. */
  specialTokens(): string[] {
    this.#specialTokens ??= Object.freeze(callNative(() => this.#native.specialTokens()));
    return [...this.#specialTokens];
  }

  /** The special tokens' texts as a set (the reference's `special_tokens_set`). */
  get specialTokensSet(): ReadonlySet<string> {
    this.#specialTokenSet ??= new Set(this.specialTokens());
    return this.#specialTokenSet;
  }

  /** The id of a special token's text (`'<|start|>'` → 200006), or `null`. */
  specialTokenId(text: string): number | null {
    requireText(text);
    return callNative(() => this.#native.specialTokenId(text));
  }

  /** Tokens that end sampling: `<|return|>`, `<|end|>`, `<|call|>` (ascending). */
  stopTokens(): number[] {
    return callNative(() => this.#native.stopTokens());
  }

  /** Tokens that end an assistant action: `<|return|>`, `<|call|>` (ascending). */
  stopTokensForAssistantActions(): number[] {
    return callNative(() => this.#native.stopTokensForAssistantActions());
  }

  // ---- rendering ------------------------------------------------------------------------------

  /** Renders a conversation followed by `<|start|>{nextTurnRole}`: the prompt for sampling. */
  renderConversationForCompletion(conversation: ConversationArg, nextTurnRole: Role, options?: RenderConversationOptions): Uint32Array {
    const json = conversationWire(conversation);
    const role = roleArg(nextTurnRole, 'nextTurnRole');
    const drop = autoDrop(options);
    return callNative(() => this.#native.renderConversationForCompletion(json, role, drop));
  }

  /** Renders a conversation for training (a final assistant `final` message ends with `<|return|>`). */
  renderConversationForTraining(conversation: ConversationArg, options?: RenderConversationOptions): Uint32Array {
    const json = conversationWire(conversation);
    const drop = autoDrop(options);
    return callNative(() => this.#native.renderConversationForTraining(json, drop));
  }

  /** Renders a conversation. */
  renderConversation(conversation: ConversationArg, options?: RenderConversationOptions): Uint32Array {
    const json = conversationWire(conversation);
    const drop = autoDrop(options);
    return callNative(() => this.#native.renderConversation(json, drop));
  }

  /** Renders one message. */
  render(message: MessageArg, options?: RenderOptions): Uint32Array {
    const json = messageWire(message);
    const v = options?.conversationHasFunctionTools;
    if (v !== undefined && typeof v !== 'boolean') throw invalidArgument('conversationHasFunctionTools must be a boolean', 'conversationHasFunctionTools');
    return callNative(() => this.#native.render(json, v ?? false));
  }

  /** `renderConversationForCompletion` computed off the main thread. */
  async renderConversationForCompletionAsync(conversation: ConversationArg, nextTurnRole: Role, options?: RenderConversationOptions): Promise<Uint32Array> {
    const json = conversationWire(conversation);
    const role = roleArg(nextTurnRole, 'nextTurnRole');
    const drop = autoDrop(options);
    return callNativeAsync(() => this.#native.renderConversationForCompletionAsync(json, role, drop));
  }

  /** `renderConversationForTraining` computed off the main thread. */
  async renderConversationForTrainingAsync(conversation: ConversationArg, options?: RenderConversationOptions): Promise<Uint32Array> {
    const json = conversationWire(conversation);
    const drop = autoDrop(options);
    return callNativeAsync(() => this.#native.renderConversationForTrainingAsync(json, drop));
  }

  /** `renderConversation` computed off the main thread. */
  async renderConversationAsync(conversation: ConversationArg, options?: RenderConversationOptions): Promise<Uint32Array> {
    const json = conversationWire(conversation);
    const drop = autoDrop(options);
    return callNativeAsync(() => this.#native.renderConversationAsync(json, drop));
  }

  // ---- parsing --------------------------------------------------------------------------------

  /**
   * Parses completion tokens into messages. `role` is the role of the first message when the
   * tokens start right after `<|start|>{role}` (as sampled after a completion prompt).
   */
  parseMessagesFromCompletionTokens(tokens: TokenInput, role?: Role | null, options?: ParseOptions): Message[] {
    const t = toUint32Array(tokens);
    const r = optionalRoleArg(role);
    const strict = strictOption(options);
    return messagesFromWire(callNative(() => this.#native.parseMessagesFromCompletionTokens(t, r, strict)));
  }

  /** `parseMessagesFromCompletionTokens` computed off the main thread. */
  async parseMessagesFromCompletionTokensAsync(tokens: TokenInput, role?: Role | null, options?: ParseOptions): Promise<Message[]> {
    const t = toUint32Array(tokens);
    const r = optionalRoleArg(role);
    const strict = strictOption(options);
    return messagesFromWire(await callNativeAsync(() => this.#native.parseMessagesFromCompletionTokensAsync(t, r, strict)));
  }
}

let shared: HarmonyEncoding | undefined;

/**
 * Loads the Harmony encoding. Synchronous and offline (the vocabulary is embedded in the
 * addon); every call returns the same instance.
 *
 * @param name - `'HarmonyGptOss'` (the only encoding)
 * @example
 * ```ts
 * import { loadHarmonyEncoding } from 'gpt-oss-harmony';
 * const enc = loadHarmonyEncoding('HarmonyGptOss');
 * ```
 */
export function loadHarmonyEncoding(name: HarmonyEncodingName = HarmonyEncodingName.HarmonyGptOss): HarmonyEncoding {
  if (name === HarmonyEncodingName.HarmonyGptOss && shared !== undefined) return shared;
  if (typeof name !== 'string') throw invalidArgument(`Invalid HarmonyEncodingName: ${String(name)}`, 'name');
  const encoding = makeEncoding(callNative(() => native.BindingEncoding.load(name)));
  if (name === HarmonyEncodingName.HarmonyGptOss) shared = encoding;
  return encoding;
}
