/**
 * The encoding's side of the border: the native calls of `HarmonyEncoding`, the conversion of
 * their arguments (conversations to their column form or one JSON string, special-token options)
 * and of their results (messages from JSON, token arrays). Callers pass values already checked by
 * the public layer.
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
import { Message, messageFromJSON } from '../builders/message.js';
import { invalidArgument, readingCallerValue } from '../errors.js';
import type { Role } from '../values.js';
import { callNative, callNativeAsync, fromNativeError } from './errors.js';
import { native, type BindingEncoding, type BindingTrainingExample } from './loader.js';

const SCRATCH = new Uint32Array(1 << 16);
const SCRATCH_TEXT = SCRATCH.length / 3;

/** Options that make `encode` treat special-token text as ordinary text. */
const ORDINARY: SpecialTokenOptions = Object.freeze({ allowedSpecial: Object.freeze([]), disallowedSpecial: Object.freeze([]) });

/** Wire JSON of the immutable `Conversation`s rendered so far (each is stringified once). */
const conversationJSON = new WeakMap<Conversation, string>();

/** Column form of the immutable `Conversation`s rendered so far (each is walked once). */
const conversationColumnCache = new WeakMap<Conversation, unknown[] | null>();

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

/**
 * The column form of a conversation argument (`crates/harmony-napi/src/columns.rs` describes
 * it), or `undefined` when the argument is not plain data that form describes exactly; the JSON
 * form then serves. Rendering from it skips `JSON.stringify` here and serde's parse in the core.
 *
 * Plain data is what `JSON.stringify` would read the same way: arrays and objects with the
 * standard prototypes and no `toJSON` (own or inherited), read through their own enumerable
 * keys; a `Message` or `Conversation` of this package stands for its `toJSON()`. A message of
 * that kind whose content is text items only crosses as its fields; any other message crosses
 * as its own JSON text.
 */
function conversationColumns(conversation: unknown): unknown[] | undefined {
  if (isConversation(conversation)) {
    let columns = conversationColumnCache.get(conversation);
    if (columns === undefined) conversationColumnCache.set(conversation, (columns = columnsOf(conversation.toJSON().messages) ?? null));
    return columns ?? undefined;
  }
  try {
    if (isPlainArray(conversation)) return columnsOf(conversation);
    if (!isPlainObject(conversation)) return undefined;
    const keys = Object.keys(conversation);
    return keys.length === 1 && keys[0] === 'messages' ? columnsOf(conversation.messages) : undefined;
  } catch {
    // The caller's value threw (a Proxy trap, a getter): the JSON form reports it.
    return undefined;
  }
}

function columnsOf(messages: unknown): unknown[] | undefined {
  if (!isPlainArray(messages)) return undefined;
  const columns: unknown[] = [];
  for (let i = 0; i < messages.length; i++) {
    let message: unknown = messages[i];
    if (Object.getPrototypeOf(message) === Message.prototype) message = (message as Message).toJSON();
    if (!isPlainObject(message)) return undefined;
    if (!pushTextMessage(columns, message)) {
      let json: string | undefined;
      try {
        json = wireJSON(message);
      } catch {
        return undefined;
      }
      if (json === undefined) return undefined;
      columns.push(json);
    }
  }
  return columns;
}

/** Appends a message whose content is text only in column form; `false` (nothing appended) for any other. */
function pushTextMessage(columns: unknown[], message: Record<string, unknown>): boolean {
  let role: unknown;
  let content: unknown;
  let name: unknown = null;
  let recipient: unknown = null;
  let channel: unknown = null;
  let contentType: unknown = null;
  for (const key of Object.keys(message)) {
    const value = message[key];
    if (key === 'role') role = value;
    else if (key === 'content') content = value;
    else if (!isOptionalText(value)) return false;
    else if (key === 'name') name = value ?? null;
    else if (key === 'recipient') recipient = value ?? null;
    else if (key === 'channel') channel = value ?? null;
    else if (key === 'content_type') contentType = value ?? null;
    else return false;
  }
  if (typeof role !== 'string') return false;
  const start = columns.length;
  columns.push(0, role, name, recipient, channel, contentType);
  if (typeof content === 'string') {
    columns.push(content);
  } else if (isPlainArray(content)) {
    for (let i = 0; i < content.length; i++) {
      const text = textOfItem(content[i]);
      if (text === undefined) {
        columns.length = start;
        return false;
      }
      columns.push(text);
    }
  } else {
    columns.length = start;
    return false;
  }
  columns[start] = columns.length - start - 6;
  return true;
}

/** The text of a `{ type: 'text', text }` content item (no other keys), else `undefined`. */
function textOfItem(item: unknown): string | undefined {
  if (!isPlainObject(item)) return undefined;
  const keys = Object.keys(item);
  if (keys.length !== 2 || !keys.includes('type') || !keys.includes('text')) return undefined;
  return item.type === 'text' && typeof item.text === 'string' ? item.text : undefined;
}

/** A value `JSON.stringify` writes as a string or `null`, or leaves out (`undefined`). */
function isOptionalText(value: unknown): boolean {
  return value === null || value === undefined || typeof value === 'string';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype && !('toJSON' in value);
}

function isPlainArray(value: unknown): value is unknown[] {
  return Array.isArray(value) && Object.getPrototypeOf(value) === Array.prototype && !('toJSON' in value);
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

/**
 * Options of `encode` as the core takes them, in tiktoken's terms: `'all'` or the texts of the
 * special tokens allowed (default: none) and disallowed (default: every one not allowed). They
 * cross as two arguments (an options object cost ~700 ns per call to read natively).
 */
export type SpecialTokenOptions = { readonly allowedSpecial?: SpecialTokens; readonly disallowedSpecial?: SpecialTokens } | undefined;

/** `'all'` or special-token texts. */
type SpecialTokens = 'all' | readonly string[];

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
      const allowed = options?.allowedSpecial;
      const disallowed = options?.disallowedSpecial;
      if (text.length > SCRATCH_TEXT) return this.handle.encode(text, allowed, disallowed);
      return SCRATCH.slice(0, this.handle.encodeInto(text, SCRATCH, allowed, disallowed));
    } catch (error) {
      throw fromNativeError(error);
    }
  }

  encodeOrdinary(text: string): Uint32Array {
    return this.encode(text, ORDINARY);
  }

  encodeInto(text: string, out: Uint32Array, options: SpecialTokenOptions): number {
    return callNative(() => this.handle.encodeInto(text, out, options?.allowedSpecial, options?.disallowedSpecial));
  }

  encodeAsync(text: string, options: SpecialTokenOptions): Promise<Uint32Array> {
    return callNativeAsync(() => this.handle.encodeAsync(text, options?.allowedSpecial, options?.disallowedSpecial));
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
    return renderSync(conversation, (wire) => this.handle.renderConversation(wire, autoDropAnalysis));
  }

  renderConversationForCompletion(conversation: unknown, role: Role, autoDropAnalysis: boolean): Uint32Array {
    return renderSync(conversation, (wire) => this.handle.renderConversationForCompletion(wire, role, autoDropAnalysis));
  }

  renderConversationForTraining(conversation: unknown, autoDropAnalysis: boolean): Uint32Array {
    return renderSync(conversation, (wire) => this.handle.renderConversationForTraining(wire, autoDropAnalysis));
  }

  renderConversationForTrainingWithMask(conversation: unknown, autoDropAnalysis: boolean, lastTurnOnly: boolean): BindingTrainingExample {
    return renderSync(conversation, (wire) => this.handle.renderConversationForTrainingWithMask(wire, autoDropAnalysis, lastTurnOnly));
  }

  render(message: unknown, conversationHasFunctionTools: boolean): Uint32Array {
    const json = messageWire(message);
    return callNative(() => this.handle.render(json, conversationHasFunctionTools));
  }

  renderConversationAsync(conversation: unknown, autoDropAnalysis: boolean): Promise<Uint32Array> {
    return renderAsync(conversation, (wire) => this.handle.renderConversationAsync(wire, autoDropAnalysis));
  }

  renderConversationForCompletionAsync(conversation: unknown, role: Role, autoDropAnalysis: boolean): Promise<Uint32Array> {
    return renderAsync(conversation, (wire) => this.handle.renderConversationForCompletionAsync(wire, role, autoDropAnalysis));
  }

  renderConversationForTrainingAsync(conversation: unknown, autoDropAnalysis: boolean): Promise<Uint32Array> {
    return renderAsync(conversation, (wire) => this.handle.renderConversationForTrainingAsync(wire, autoDropAnalysis));
  }

  parseMessages(tokens: Uint32Array, role: Role | null, strict: boolean): Message[] {
    return messagesFromWire(callNative(() => this.handle.parseMessagesFromCompletionTokens(tokens, role, strict)));
  }

  async parseMessagesAsync(tokens: Uint32Array, role: Role | null, strict: boolean): Promise<Message[]> {
    return messagesFromWire(await callNativeAsync(() => this.handle.parseMessagesFromCompletionTokensAsync(tokens, role, strict)));
  }
}

/** What a native render entry point takes: JSON text or the column form. */
type ConversationWire = string | unknown[];

/**
 * A native render call on the column form when the conversation has one, else (and whenever
 * that fails) on the JSON form, whose errors are the contract: the column form has none of its
 * own, so a failure there is reported as the JSON form reports it.
 */
function renderSync<T>(conversation: unknown, call: (wire: ConversationWire) => T): T {
  const columns = conversationColumns(conversation);
  if (columns !== undefined) {
    try {
      return call(columns);
    } catch {
      // Reported below, by the JSON form.
    }
  }
  const json = conversationWire(conversation);
  return callNative(() => call(json));
}

/** `renderSync` for the calls that render on the thread pool. */
async function renderAsync<T>(conversation: unknown, call: (wire: ConversationWire) => Promise<T>): Promise<T> {
  const columns = conversationColumns(conversation);
  if (columns !== undefined) {
    try {
      return await call(columns);
    } catch {
      // Reported below, by the JSON form.
    }
  }
  const json = conversationWire(conversation);
  return callNativeAsync(() => call(json));
}
