/**
 * The encoding's side of the border: the native calls of `HarmonyEncoding`, the conversion of
 * their arguments (conversations to one JSON string, special-token options) and of their results
 * (messages from JSON, token arrays). Callers pass values already checked by the public layer.
 *
 * Return path of short encodes (performance note): creating a result `ArrayBuffer` in native
 * code costs more than encoding ~90 bytes, so texts of up to `SCRATCH_TEXT` UTF-16 units are
 * encoded into a private scratch buffer (a text of n units has at most 3n UTF-8 bytes, and each
 * token covers at least one) and copied out into a `Uint32Array` of their own. Every result owns
 * its memory: it may be kept, transferred to a worker or have its `buffer` read without showing
 * or disturbing anything else. Longer texts get a result allocated by native code.
 *
 * @module
 */

import { isConversation, type Conversation } from '../builders/conversation.js';
import { messageFromJSON, type Message } from '../builders/message.js';
import { invalidArgument, readingCallerValue } from '../errors.js';
import type { Role } from '../values.js';
import { callNative, callNativeAsync, fromNativeError } from './errors.js';
import { native, type BindingEncoding, type BindingTrainingExample, type NativeEncodeOptions } from './loader.js';

const SCRATCH = new Uint32Array(1 << 16);
const SCRATCH_TEXT = SCRATCH.length / 3;

/** Options that make `encode` treat special-token text as ordinary text. */
const ORDINARY: NativeEncodeOptions = Object.freeze({ allowedSpecial: [], disallowedSpecial: [] });

/** Wire JSON of the immutable `Conversation`s rendered so far (each is stringified once). */
const conversationJSON = new WeakMap<Conversation, string>();

/** An escaped lone surrogate, as `JSON.stringify` writes it (`\\udc00`). */
const LONE_SURROGATE_ESCAPE = /\\ud[89a-f][0-9a-f]{2}/i;

/**
 * JSON text for the native side. JavaScript strings may hold lone UTF-16 surrogates, which
 * `JSON.stringify` writes as `\\ud800` escapes that no UTF-8 JSON reader accepts; they become
 * U+FFFD, as the reference does when it encodes such text. A replacer function makes
 * `JSON.stringify` several times slower, so it runs only when the plain output has such an
 * escape (or the text `\\ud800` itself, which is harmless to redo).
 */
function wireJSON(value: unknown): string | undefined {
  const json = JSON.stringify(value);
  return json !== undefined && LONE_SURROGATE_ESCAPE.test(json) ? JSON.stringify(value, wellFormedReplacer) : json;
}

function wellFormedReplacer(this: unknown, _key: string, value: unknown): unknown {
  if (typeof value === 'string') return value.isWellFormed() ? value : value.toWellFormed();
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.some((k) => !k.isWellFormed())) {
      return Object.fromEntries(keys.map((k) => [k.toWellFormed(), (value as Record<string, unknown>)[k]]));
    }
  }
  return value;
}

/** `wireJSON`; whatever the caller's value throws (a cycle, a `toJSON` or getter) is its mistake. */
function stringify(value: unknown, what: string): string {
  let json: string | undefined;
  try {
    json = wireJSON(value);
  } catch (error) {
    throw invalidArgument(`${what} is not JSON-serialisable: ${error instanceof Error ? error.message : String(error)}`, what, error);
  }
  if (json === undefined) throw invalidArgument(`${what} is not JSON-serialisable`, what);
  return json;
}

/** The wire JSON of a conversation argument (one string crosses to native code). */
function conversationWire(conversation: unknown): string {
  if (isConversation(conversation)) {
    let json = conversationJSON.get(conversation);
    if (json === undefined) conversationJSON.set(conversation, (json = stringify(conversation, 'conversation')));
    return json;
  }
  if (typeof conversation === 'string') return conversation;
  if (conversation !== null && typeof conversation === 'object') {
    const list = readingCallerValue('conversation', () => Array.isArray(conversation));
    return stringify(list ? { messages: conversation } : conversation, 'conversation');
  }
  throw invalidArgument('conversation must be a Conversation, its JSON object, an array of messages or a JSON string', 'conversation');
}

/** The wire JSON of a message argument. */
function messageWire(message: unknown): string {
  if (typeof message === 'string') return message;
  if (message !== null && typeof message === 'object') return stringify(message, 'message');
  throw invalidArgument('message must be a Message, its JSON object or a JSON string', 'message');
}

/** Messages from a native parse result (a JSON array in the Rust serde shape). */
export function messagesFromWire(json: string): Message[] {
  const list = JSON.parse(json) as unknown[];
  return list.map((m, i) => messageFromJSON(m, `messages[${i}]`, i));
}

const loaded = new Map<string, NativeEncoding>();

/** The native encoding of a name, loaded once per process. */
export function nativeEncoding(name: string): NativeEncoding {
  let encoding = loaded.get(name);
  if (encoding === undefined) {
    encoding = new NativeEncoding(callNative(() => native.BindingEncoding.load(name)));
    loaded.set(name, encoding);
  }
  return encoding;
}

/** Options of `encode` as the core takes them (`undefined` = the defaults). */
export type SpecialTokenOptions = NativeEncodeOptions | undefined;

/** The native calls of one encoding. */
export class NativeEncoding {
  readonly name: string;
  readonly tokenizerName: string;
  readonly maxMessageTokens: number;

  constructor(readonly handle: BindingEncoding) {
    this.name = handle.name();
    this.tokenizerName = handle.tokenizerName();
    this.maxMessageTokens = callNative(() => handle.maxMessageTokens());
  }

  encode(text: string, options: SpecialTokenOptions): Uint32Array {
    try {
      if (text.length > SCRATCH_TEXT) return this.handle.encode(text, options);
      return new Uint32Array(SCRATCH.subarray(0, this.handle.encodeInto(text, SCRATCH, options)));
    } catch (error) {
      throw fromNativeError(error);
    }
  }

  encodeOrdinary(text: string): Uint32Array {
    return this.encode(text, ORDINARY);
  }

  encodeInto(text: string, out: Uint32Array, options: SpecialTokenOptions): number {
    return callNative(() => this.handle.encodeInto(text, out, options));
  }

  encodeAsync(text: string, options: SpecialTokenOptions): Promise<Uint32Array> {
    return callNativeAsync(() => this.handle.encodeAsync(text, options));
  }

  countTokens(text: string): number {
    return callNative(() => this.handle.countTokens(text));
  }

  clearMergeCaches(): void {
    this.handle.clearMergeCaches();
  }

  decode(tokens: Uint32Array): string {
    return callNative(() => this.handle.decode(tokens));
  }

  decodeUtf8(tokens: Uint32Array): string {
    return callNative(() => this.handle.decodeUtf8(tokens));
  }

  decodeBytes(tokens: Uint32Array): Uint8Array {
    return callNative(() => this.handle.decodeBytes(tokens));
  }

  isSpecialToken(token: number): boolean {
    return this.handle.isSpecialToken(token);
  }

  specialTokens(): string[] {
    return this.handle.specialTokens();
  }

  specialTokenId(text: string): number | null {
    return this.handle.specialTokenId(text);
  }

  stopTokens(): number[] {
    return this.handle.stopTokens();
  }

  stopTokensForAssistantActions(): number[] {
    return this.handle.stopTokensForAssistantActions();
  }

  renderConversation(conversation: unknown, autoDropAnalysis: boolean): Uint32Array {
    const json = conversationWire(conversation);
    return callNative(() => this.handle.renderConversation(json, autoDropAnalysis));
  }

  renderConversationForCompletion(conversation: unknown, role: Role, autoDropAnalysis: boolean): Uint32Array {
    const json = conversationWire(conversation);
    return callNative(() => this.handle.renderConversationForCompletion(json, role, autoDropAnalysis));
  }

  renderConversationForTraining(conversation: unknown, autoDropAnalysis: boolean): Uint32Array {
    const json = conversationWire(conversation);
    return callNative(() => this.handle.renderConversationForTraining(json, autoDropAnalysis));
  }

  renderConversationForTrainingWithMask(conversation: unknown, autoDropAnalysis: boolean, lastTurnOnly: boolean): BindingTrainingExample {
    const json = conversationWire(conversation);
    return callNative(() => this.handle.renderConversationForTrainingWithMask(json, autoDropAnalysis, lastTurnOnly));
  }

  render(message: unknown, conversationHasFunctionTools: boolean): Uint32Array {
    const json = messageWire(message);
    return callNative(() => this.handle.render(json, conversationHasFunctionTools));
  }

  renderConversationAsync(conversation: unknown, autoDropAnalysis: boolean): Promise<Uint32Array> {
    const json = conversationWire(conversation);
    return callNativeAsync(() => this.handle.renderConversationAsync(json, autoDropAnalysis));
  }

  renderConversationForCompletionAsync(conversation: unknown, role: Role, autoDropAnalysis: boolean): Promise<Uint32Array> {
    const json = conversationWire(conversation);
    return callNativeAsync(() => this.handle.renderConversationForCompletionAsync(json, role, autoDropAnalysis));
  }

  renderConversationForTrainingAsync(conversation: unknown, autoDropAnalysis: boolean): Promise<Uint32Array> {
    const json = conversationWire(conversation);
    return callNativeAsync(() => this.handle.renderConversationForTrainingAsync(json, autoDropAnalysis));
  }

  parseMessages(tokens: Uint32Array, role: Role | null, strict: boolean): Message[] {
    return messagesFromWire(callNative(() => this.handle.parseMessagesFromCompletionTokens(tokens, role, strict)));
  }

  async parseMessagesAsync(tokens: Uint32Array, role: Role | null, strict: boolean): Promise<Message[]> {
    return messagesFromWire(await callNativeAsync(() => this.handle.parseMessagesFromCompletionTokensAsync(tokens, role, strict)));
  }
}
