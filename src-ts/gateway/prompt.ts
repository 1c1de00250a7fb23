/**
 * What both request mappers (Chat Completions, Responses) build the prompt with: the system and
 * developer messages, tool calls and results in history, and message content.
 *
 * @module
 */

import { Author } from '../builders/author.js';
import { Conversation } from '../builders/conversation.js';
import { DeveloperContent, SystemContent, TextContent } from '../builders/content.js';
import { Message } from '../builders/message.js';
import { ToolDescription } from '../builders/tools.js';
import { invalidArgument } from '../errors.js';
import type { ReasoningEffort } from '../values.js';
import type { JsonSchema } from './openai-types.js';
import { requireRecord, requireText, responseFormatSection, type ToolNameMap } from './options.js';

/** The result of a request mapper. */
export interface HarmonyRequest {
  /** The conversation to render with `renderConversationForCompletion(conversation, 'assistant')`. */
  conversation: Conversation;
  /** Prompt tool names ↔ the caller's; pass it as `options.toolNames` to the response mappers. */
  toolNames: ToolNameMap;
}

/** What a request says about the prompt's first two messages. */
export interface Prologue {
  effort: ReasoningEffort | null;
  instructions: string[];
  functions: { name: string; description?: string | undefined; parameters?: JsonSchema | undefined }[];
  browser: boolean;
  python: boolean;
  responseFormat: { name: string; description?: string | undefined; schema?: JsonSchema | undefined } | null;
}

/** The system message, and the developer message when there is anything to say in it. */
export function prologueMessages(p: Prologue, toolNames: ToolNameMap): Message[] {
  let system = SystemContent.new();
  if (p.effort) system = system.withReasoningEffort(p.effort);
  if (p.browser) system = system.withBrowserTool();
  if (p.python) system = system.withPythonTool();
  const out = [Message.fromRoleAndContent('system', system)];
  let developer = DeveloperContent.new();
  if (p.instructions.length > 0) developer = developer.withInstructions(p.instructions.join('\n\n'));
  if (p.functions.length > 0) {
    developer = developer.withFunctionTools(
      p.functions.map((f) => ToolDescription.new(toolNames.add(f.name), f.description ?? '', f.parameters ?? null)),
    );
  }
  const hasBody = p.instructions.length > 0 || p.functions.length > 0;
  if (p.responseFormat) {
    // The guide puts the section at the end of the developer message: a second content item.
    const { name, description, schema } = p.responseFormat;
    const section = new TextContent(`${hasBody ? '\n\n' : ''}${responseFormatSection(name, description, schema)}`);
    out.push(Message.fromRoleAndContents('developer', [developer, section]));
  } else if (hasBody) {
    out.push(Message.fromRoleAndContent('developer', developer));
  }
  return out;
}

/** The prologue's messages, then the body's: what a request mapper returns. */
export function harmonyRequest(p: Prologue, body: Message[], toolNames: ToolNameMap): HarmonyRequest {
  return { conversation: Conversation.fromMessages([...prologueMessages(p, toolNames), ...body]), toolNames };
}

/** An assistant tool call in history: commentary, to `functions.NAME`, JSON arguments. */
export function callMessage(promptName: string, args: string, channel = 'commentary'): Message {
  return Message.fromRoleAndContent('assistant', args)
    .withChannel(channel)
    .withRecipient(`functions.${promptName}`)
    .withContentType('<|constrain|>json');
}

/** A tool result in history: from `functions.NAME` to the assistant, on commentary. */
export function toolResultMessage(promptName: string, output: string): Message {
  return Message.fromAuthorAndContent(Author.new('tool', `functions.${promptName}`), output)
    .withRecipient('assistant')
    .withChannel('commentary');
}

/** Message content (a string, or `text`/`input_text`/`output_text` parts, joined) → its text. */
export function contentText(content: unknown, field: string): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) throw invalidArgument(`${field} must be a string or a list of text parts`, field);
  return content
    .map((part: unknown, i) => {
      const p = requireRecord(part, `${field}[${i}]`);
      if (p.type !== 'text' && p.type !== 'input_text' && p.type !== 'output_text') {
        throw invalidArgument(`${field}[${i}]: unsupported content part type ${JSON.stringify(p.type)}`, `${field}[${i}].type`);
      }
      return requireText(p.text, `${field}[${i}].text`);
    })
    .join('');
}

/** @internal Reads `content` that may be absent or null (assistant messages). */
export function optionalText(content: unknown, field: string): string | null {
  return content === undefined || content === null ? null : contentText(content, field);
}
