/**
 * `HarmonyEncoding`: tokenizer, renderer and parser of the gpt-oss Harmony format, backed by the
 * native core. Every method is one native call; conversations cross as their fields (plain data) or one JSON string, tokens
 * as `Uint32Array`s.
 *
 * @module
 */

import type { Conversation } from './builders/conversation.js';
import type { Message } from './builders/message.js';
import { booleanOption, optionalRole } from './arguments.js';
import { toRole } from './builders/author.js';
import { iterated } from './builders/internal.js';
import { describeValue, invalidArgument, readingCallerValue } from './errors.js';
import { NativeEncoding, nativeEncoding, type SpecialTokenOptions } from './native/encoding.js';
import { isUint32Array, toToken, toUint32Array, type TokenInput } from './tokens.js';
import type { ConversationInput, MessageInput } from './types.js';
import { HarmonyEncodingName, type Role } from './values.js';

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

/** Options of `renderConversationForTrainingWithMask`. */
export interface TrainingMaskOptions extends RenderConversationOptions {
  /**
   * Mask only the conversation's last assistant turn.
   * @defaultValue `false`
   */
  lastTurnOnly?: boolean;
}

/**
 * A training example: the tokens of `renderConversationForTraining` (same options) and one mask
 * byte per token. An assistant turn (consecutive assistant messages) has mask 1 on exactly what
 * a model writes after that turn's prompt (`renderConversationForCompletion` of the messages
 * before it, same options): from after its first `<|start|>assistant` through its stop token —
 * when the tokens hold exactly that after exactly that prompt. Other turns are left out and
 * listed in `unmasked`: `analysis-dropped` (`autoDropAnalysis` dropped the turn's own analysis:
 * pass `autoDropAnalysis: false` to train on reasoning), `ends-with-end` (a `final` message
 * before the end is stored with `<|end|>`; the model wrote `<|return|>`), `prompt-differs` (the
 * tokens before the turn are not its prompt).
 */
export interface TrainingExample {
  tokens: Uint32Array;
  mask: Uint8Array;
  /** The assistant turns considered (all of them, or the last one). */
  turns: number;
  /** The turns considered but left out of the mask, and why. */
  unmasked: { messageIndex: number; reason: 'analysis-dropped' | 'ends-with-end' | 'prompt-differs' }[];
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

function specialList(value: Iterable<string>, option: string): string[] {
  return readingCallerValue(option, () => {
    if (value === null || typeof value !== 'object' || !(Symbol.iterator in value)) {
      throw invalidArgument(`${option} must be 'all' or an iterable of strings`, option);
    }
    return iterated(value, option, (t) => {
      if (typeof t !== 'string') throw invalidArgument(`${option} must contain only strings`, option);
      return t;
    });
  });
}

function specialTokens(value: SpecialTokens | undefined, option: string): 'all' | string[] | undefined {
  if (value === undefined) return undefined;
  return value === 'all' ? 'all' : specialList(value, option);
}

/** The options as the core takes them, read once through own properties. */
function specialTokenOptions(options: EncodeOptions | undefined): SpecialTokenOptions {
  if (options === undefined) return undefined;
  if (options === null || typeof options !== 'object') throw invalidArgument('options must be an object', 'options');
  const { allowedSpecial, disallowedSpecial } = readingCallerValue('options', () => ownOptions(options));
  return { allowedSpecial: specialTokens(allowedSpecial, 'allowedSpecial'), disallowedSpecial: specialTokens(disallowedSpecial, 'disallowedSpecial') };
}

function ownOptions(options: EncodeOptions): EncodeOptions {
  const own = (key: keyof EncodeOptions) => (Object.hasOwn(options, key) ? options[key] : undefined);
  return { allowedSpecial: own('allowedSpecial'), disallowedSpecial: own('disallowedSpecial') };
}

function requireText(text: unknown): string {
  if (typeof text !== 'string') throw invalidArgument(`text must be a string, got ${text === null ? 'null' : typeof text}`, 'text');
  return text;
}

function autoDrop(options: RenderConversationOptions | undefined): boolean {
  return booleanOption(options, 'autoDropAnalysis', true);
}

function strictOption(options: ParseOptions | undefined): boolean {
  return booleanOption(options, 'strict', true);
}


/**
 * A `Set` whose contents cannot change: the encoding is shared by every caller in the process, so
 * a set it hands out must not be changed by one of them.
 */
class ReadOnlySet<T> extends Set<T> {
  constructor(items: Iterable<T>) {
    super();
    for (const item of items) super.add(item);
    Object.freeze(this);
  }
  override add(): this {
    return readOnly();
  }
  override delete(): boolean {
    return readOnly();
  }
  override clear(): void {
    readOnly();
  }
}

function readOnly(): never {
  throw invalidArgument('the set is read-only (it is shared by every caller)', 'specialTokensSet');
}

let makeEncoding: (native: NativeEncoding) => HarmonyEncoding;

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
  readonly #native: NativeEncoding;
  #specialTokens: readonly string[] | undefined;
  #specialTokenSet: ReadonlySet<string> | undefined;

  static {
    makeEncoding = (native) => new HarmonyEncoding(native);
  }

  /** Use `loadHarmonyEncoding()`. */
  private constructor(native: NativeEncoding) {
    // TypeScript keeps the constructor private; JavaScript callers are told where encodings come from.
    if (!(native instanceof NativeEncoding)) throw invalidArgument('a HarmonyEncoding comes from loadHarmonyEncoding()', 'HarmonyEncoding');
    this.#native = native;
    this.name = native.name as HarmonyEncodingName;
    this.tokenizerName = native.tokenizerName;
    this.maxMessageTokens = native.maxMessageTokens;
  }

  // ---- tokenizer ------------------------------------------------------------------------------

  /**
   * Encodes text. With the defaults, text that contains a special token's literal text (e.g.
   * `<|start|>`) throws `ERR_HARMONY_DISALLOWED_SPECIAL`, as in the reference.
   *
   * Every result owns its memory (safe to keep, transfer to a worker, or read `.buffer`).
   *
   * @example
   * ```ts
   * enc.encode('hello world')                                   // Uint32Array [24912, 2375]
   * enc.encode('<|start|>', { allowedSpecial: 'all' })           // [200006]
   * enc.encode('<|start|>', { disallowedSpecial: [] })           // [27, 91, 5236, 91, 29]
   * ```
   */
  encode(text: string, options?: EncodeOptions): Uint32Array {
    return this.#native.encode(requireText(text), specialTokenOptions(options));
  }

  /**
   * Encodes text into `out` (a caller-owned buffer, reused across calls) and returns the number
   * of tokens written. Throws `ERR_HARMONY_INVALID_ARGUMENT` and leaves `out` unchanged when it
   * is too short; `text.length * 3` elements always suffice.
   */
  encodeInto(text: string, out: Uint32Array, options?: EncodeOptions): number {
    requireText(text);
    if (!isUint32Array(out)) throw invalidArgument('out must be a Uint32Array', 'out');
    return this.#native.encodeInto(text, out, specialTokenOptions(options));
  }


  /** Encodes text as ordinary text: special-token text is never special and never an error. */
  encodeOrdinary(text: string): Uint32Array {
    return this.#native.encodeOrdinary(requireText(text));
  }


  /**
   * Number of tokens of `text` encoded as ordinary text (`encodeOrdinary(text).length`), computed
   * without materialising the tokens.
   */
  countTokens(text: string): number {
    return this.#native.countTokens(requireText(text));
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
    return this.#native.encodeAsync(requireText(text), specialTokenOptions(options));
  }


  /** Lossy decode: invalid UTF-8 becomes U+FFFD. Throws only for unknown token ids. */
  decode(tokens: TokenInput): string {
    return this.#native.decode(toUint32Array(tokens));
  }


  /** Strict decode: throws `ERR_HARMONY_UTF8` when the bytes are not valid UTF-8. */
  decodeUtf8(tokens: TokenInput): string {
    return this.#native.decodeUtf8(toUint32Array(tokens));
  }


  /** The raw bytes of the tokens. */
  decodeBytes(tokens: TokenInput): Uint8Array {
    return this.#native.decodeBytes(toUint32Array(tokens));
  }


  /** Whether `token` is one of the 1091 special tokens. */
  isSpecialToken(token: number): boolean {
    return this.#native.isSpecialToken(toToken(token));
  }


  /** The texts of all special tokens, by ascending id. */
  specialTokens(): string[] {
    this.#specialTokens ??= Object.freeze(this.#native.specialTokens());
    return [...this.#specialTokens];
  }


  /** The special tokens' texts as a set (the reference's `special_tokens_set`). */
  get specialTokensSet(): ReadonlySet<string> {
    this.#specialTokenSet ??= new ReadOnlySet(this.specialTokens());
    return this.#specialTokenSet;
  }

  /** The id of a special token's text (`'<|start|>'` → 200006), or `null`. */
  specialTokenId(text: string): number | null {
    return this.#native.specialTokenId(requireText(text));
  }


  /** Tokens that end sampling: `<|return|>`, `<|end|>`, `<|call|>` (ascending). */
  stopTokens(): number[] {
    return this.#native.stopTokens();
  }


  /** Tokens that end an assistant action: `<|return|>`, `<|call|>` (ascending). */
  stopTokensForAssistantActions(): number[] {
    return this.#native.stopTokensForAssistantActions();
  }


  // ---- rendering ------------------------------------------------------------------------------

  /** Renders a conversation followed by `<|start|>{nextTurnRole}`: the prompt for sampling. */
  renderConversationForCompletion(conversation: ConversationArg, nextTurnRole: Role, options?: RenderConversationOptions): Uint32Array {
    return this.#native.renderConversationForCompletion(conversation, toRole(nextTurnRole, 'nextTurnRole'), autoDrop(options));
  }


  /** Renders a conversation for training (a final assistant `final` message ends with `<|return|>`). */
  renderConversationForTraining(conversation: ConversationArg, options?: RenderConversationOptions): Uint32Array {
    return this.#native.renderConversationForTraining(conversation, autoDrop(options));
  }

  /** Renders a conversation for training with its loss mask (see `TrainingExample`). */
  renderConversationForTrainingWithMask(conversation: ConversationArg, options?: TrainingMaskOptions): TrainingExample {
    return this.#native.renderConversationForTrainingWithMask(conversation, autoDrop(options), booleanOption(options, 'lastTurnOnly', false)) as TrainingExample;
  }

  /** Renders a conversation. */
  renderConversation(conversation: ConversationArg, options?: RenderConversationOptions): Uint32Array {
    return this.#native.renderConversation(conversation, autoDrop(options));
  }


  /** Renders one message. */
  render(message: MessageArg, options?: RenderOptions): Uint32Array {
    return this.#native.render(message, booleanOption(options, 'conversationHasFunctionTools', false));
  }


  /** `renderConversationForCompletion` computed off the main thread. */
  async renderConversationForCompletionAsync(conversation: ConversationArg, nextTurnRole: Role, options?: RenderConversationOptions): Promise<Uint32Array> {
    return this.#native.renderConversationForCompletionAsync(conversation, toRole(nextTurnRole, 'nextTurnRole'), autoDrop(options));
  }


  /** `renderConversationForTraining` computed off the main thread. */
  async renderConversationForTrainingAsync(conversation: ConversationArg, options?: RenderConversationOptions): Promise<Uint32Array> {
    return this.#native.renderConversationForTrainingAsync(conversation, autoDrop(options));
  }


  /** `renderConversation` computed off the main thread. */
  async renderConversationAsync(conversation: ConversationArg, options?: RenderConversationOptions): Promise<Uint32Array> {
    return this.#native.renderConversationAsync(conversation, autoDrop(options));
  }


  // ---- parsing --------------------------------------------------------------------------------

  /**
   * Parses completion tokens into messages. `role` is the role of the first message when the
   * tokens start right after `<|start|>{role}` (as sampled after a completion prompt).
   */
  parseMessagesFromCompletionTokens(tokens: TokenInput, role?: Role | null, options?: ParseOptions): Message[] {
    return this.#native.parseMessages(toUint32Array(tokens), optionalRole(role), strictOption(options));
  }


  /** `parseMessagesFromCompletionTokens` computed off the main thread. */
  async parseMessagesFromCompletionTokensAsync(tokens: TokenInput, role?: Role | null, options?: ParseOptions): Promise<Message[]> {
    return this.#native.parseMessagesAsync(toUint32Array(tokens), optionalRole(role), strictOption(options));
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
  if (typeof name !== 'string') throw invalidArgument(`Invalid HarmonyEncodingName: ${describeValue(name)}`, 'name');
  const encoding = makeEncoding(nativeEncoding(name));
  if (name === HarmonyEncodingName.HarmonyGptOss) shared = encoding;
  return encoding;
}
