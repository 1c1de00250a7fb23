/**
 * `Message`: an author, content items, and the optional channel, recipient and content type.
 * Immutable; `toJSON()` is exactly the reference's `Message.to_dict()` and `Message.fromJSON`
 * accepts that, the Rust serde shape, `content` as a plain string, and a JSON string.
 *
 * @module
 */

import { HarmonyError, invalidArgument } from '../errors.js';
import type { MessageInput, MessageJSON } from '../types.js';
import type { Role } from '../values.js';
import { Author, toRole } from './author.js';
import { TextContent, toContent, toContents, type Content, type ContentLike } from './content.js';
import { defineBuilder, describe, isBuilder, isInstance, optionalString, requireObject, requireString } from './internal.js';

interface MessageFields {
  author: Author;
  content: readonly Content[];
  channel: string | null;
  recipient: string | null;
  contentType: string | null;
}

/** Parses a JSON string argument (`ERR_HARMONY_INVALID_ARGUMENT` when it is not JSON). */
export function parseJSONArgument(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw invalidArgument(`invalid ${what} JSON: ${error instanceof Error ? error.message : String(error)}`, what, error);
  }
}

/** Builds a `Message` from checked fields (the constructor is private; set in a static block). */
let makeMessage: (fields: MessageFields) => Message;
/** Marks the constructor's calls from this module. */
const INTERNAL: unique symbol = Symbol('Message');

/** One message of a conversation. */
export class Message {
  readonly #f: MessageFields;

  static {
    makeMessage = (fields) => new Message(fields, INTERNAL);
  }

  private constructor(fields: MessageFields, key?: typeof INTERNAL) {
    // TypeScript keeps the constructor private; JavaScript callers are told where messages come from.
    if (key !== INTERNAL) throw invalidArgument('a Message is made with Message.fromRoleAndContent, fromAuthorAndContent, fromRoleAndContents or fromJSON', 'Message');
    this.#f = Object.freeze(fields);
    Object.freeze(this);
  }

  /** A message from `author` with one content item (a string is text). */
  static fromAuthorAndContent(author: Author, content: ContentLike): Message {
    if (!isBuilder(author, 'Author', 'author')) throw invalidArgument(`author must be an Author, got ${describe(author)}`, 'author');
    return new Message({ author: isInstance(author, Author, 'author') ? author : authorFromJSON(author), content: Object.freeze([toContent(content)]), channel: null, recipient: null, contentType: null }, INTERNAL);
  }

  /** A message from `role` with one content item (a string is text). */
  static fromRoleAndContent(role: Role, content: ContentLike): Message {
    return Message.fromAuthorAndContent(new Author(toRole(role)), content);
  }

  /** A message from `role` with several content items (rendered back to back). */
  static fromRoleAndContents(role: Role, contents: Iterable<ContentLike>): Message {
    return new Message({ author: new Author(toRole(role)), content: toContents(contents), channel: null, recipient: null, contentType: null }, INTERNAL);
  }

  /** The author. */
  get author(): Author {
    return this.#f.author;
  }
  /** The author's role. */
  get role(): Role {
    return this.#f.author.role;
  }
  /** The author's name, or `null`. */
  get name(): string | null {
    return this.#f.author.name;
  }
  /** The content items. */
  get content(): readonly Content[] {
    return this.#f.content;
  }
  /** The channel (`analysis`, `commentary`, `final`, …), or `null`. */
  get channel(): string | null {
    return this.#f.channel;
  }
  /** The recipient (e.g. `functions.get_weather`), or `null`. */
  get recipient(): string | null {
    return this.#f.recipient;
  }
  /** The content type (e.g. `<|constrain|>json`), or `null`. */
  get contentType(): string | null {
    return this.#f.contentType;
  }
  /** The concatenated text of the text content items. */
  get text(): string {
    let out = '';
    for (const c of this.#f.content) if (c.type === 'text') out += c.text;
    return out;
  }

  /** A copy with one more content item. */
  addingContent(content: ContentLike): Message {
    return new Message({ ...this.#f, content: Object.freeze([...this.#f.content, toContent(content)]) }, INTERNAL);
  }
  /** A copy with the channel set. */
  withChannel(channel: string): Message {
    return new Message({ ...this.#f, channel: requireString(channel, 'channel') }, INTERNAL);
  }
  /** A copy with the recipient set. */
  withRecipient(recipient: string): Message {
    return new Message({ ...this.#f, recipient: requireString(recipient, 'recipient') }, INTERNAL);
  }
  /** A copy with the content type set. */
  withContentType(contentType: string): Message {
    return new Message({ ...this.#f, contentType: requireString(contentType, 'contentType') }, INTERNAL);
  }

  /**
   * The reference `Message.to_dict()`: `{ role, name, content: [...], channel?, recipient?,
   * content_type? }` (`name` always present, `content` always a list).
   */
  toJSON(): MessageJSON {
    const f = this.#f;
    const out: MessageJSON = { role: f.author.role, name: f.author.name, content: f.content.map((c) => c.toJSON()) };
    if (f.channel !== null) out.channel = f.channel;
    if (f.recipient !== null) out.recipient = f.recipient;
    if (f.contentType !== null) out.content_type = f.contentType;
    return out;
  }

  /** A message from its JSON (object or string). Unknown roles and malformed shapes are invalid arguments. */
  static fromJSON(value: MessageInput | string): Message {
    return messageFromJSON(typeof value === 'string' ? parseJSONArgument(value, 'message') : value, 'message');
  }
}
defineBuilder(Message, 'Message');

/**
 * The fields of a message the native parser completed (one text item). Every key is required
 * (absent values `null` or `undefined`), so none is looked up on a polluted prototype.
 */
export interface ParsedMessageFields {
  role: string;
  name: string | null | undefined;
  channel: string | null | undefined;
  recipient: string | null | undefined;
  contentType: string | null | undefined;
  text: string;
}

/** The `Message` of a native `message-end` event (the parser's own output: no JSON round trip). */
export function parsedMessage(f: ParsedMessageFields): Message {
  return makeMessage({
    author: new Author(toRole(f.role, 'role'), f.name ?? null),
    content: Object.freeze([new TextContent(f.text)]),
    channel: f.channel ?? null,
    recipient: f.recipient ?? null,
    contentType: f.contentType ?? null,
  });
}

/** An `Author` of the other build of the package, read through its `toJSON`. */
function authorFromJSON(value: unknown): Author {
  const o = requireObject(value, 'author');
  return new Author(toRole(o.role, 'author.role'), optionalString(o.name, 'author.name'));
}

/** `Message.fromJSON` with a field path for errors (used by `Conversation.fromJSON`). */
export function messageFromJSON(value: unknown, field: string, messageIndex?: number): Message {
  try {
    if (isInstance(value, Message, field)) return value;
    const o = requireObject(value, field);
    const content = o.content;
    if (content === undefined || content === null) {
      throw invalidArgument(`${field}.content must be a string or a list of content, got ${describe(content)}`, `${field}.content`);
    }
    const fields: MessageFields = {
      author: new Author(toRole(o.role, `${field}.role`), optionalString(o.name, `${field}.name`)),
      content: typeof content === 'string' ? Object.freeze([toContent(content)]) : toContents(content, `${field}.content`),
      channel: optionalString(o.channel, `${field}.channel`),
      recipient: optionalString(o.recipient, `${field}.recipient`),
      contentType: optionalString(o.content_type, `${field}.content_type`),
    };
    return makeMessage(fields);
  } catch (error) {
    if (messageIndex !== undefined && error instanceof HarmonyError && error.messageIndex === undefined) {
      throw new HarmonyError(error.code, error.message, { messageIndex, field: error.field, cause: error.cause });
    }
    throw error;
  }
}
