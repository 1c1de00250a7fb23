/**
 * What both request mappers (Chat Completions, Responses) build the prompt with: the system and
 * developer messages, tool calls and results in history, and message content.
 *
 * @module
 */

import { Author, Conversation, DeveloperContent, Message, ReasoningEffort, SystemContent, TextContent, ToolDescription } from '../index.js';
import { CallerObject, guarded, invalidInput, jsonObject, shown, toList } from './input.js';
import type { JsonSchema } from './openai-types.js';
import { ToolNameMap } from './tool-names.js';

/** The result of a request mapper. */
export interface HarmonyRequest {
  /** The conversation to render with `renderConversationForCompletion(conversation, 'assistant')`. */
  conversation: Conversation;
  /** Prompt tool names ↔ the caller's; pass it as `options.toolNames` to the response mappers. */
  toolNames: ToolNameMap;
}

/** Options of the request mappers. */
export interface RequestOptions {
  /** A map to add the request's tool names to (default: a new one). */
  toolNames?: ToolNameMap;
}

/** A function tool of the request, checked. */
export interface FunctionTool {
  name: string;
  description: string;
  parameters: JsonSchema | null;
}

/** A structured-output format of the request, checked. */
export interface ResponseFormat {
  name: string;
  description: string | undefined;
  schema: JsonSchema;
}

/** What a request says about the prompt's first two messages. */
export interface Prologue {
  effort: ReasoningEffort | null;
  instructions: string[];
  functions: FunctionTool[];
  browser: boolean;
  python: boolean;
  responseFormat: ResponseFormat | null;
}

/** An empty prologue with the request's reasoning effort. */
export function newPrologue(effort: unknown, field: string): Prologue {
  return { effort: reasoningEffort(effort, field), instructions: [], functions: [], browser: false, python: false, responseFormat: null };
}

/** The request mappers' options, checked. */
export function requestToolNames(options: unknown): ToolNameMap {
  const toolNames = CallerObject.optional(options, 'options')?.get('toolNames');
  if (toolNames === undefined) return new ToolNameMap();
  if (!guarded('options.toolNames', () => toolNames instanceof ToolNameMap)) throw invalidInput('options.toolNames must be a ToolNameMap', 'options.toolNames');
  return toolNames as ToolNameMap;
}

/** OpenAI's effort spelling → Harmony's. */
function reasoningEffort(value: unknown, field: string): ReasoningEffort | null {
  switch (value) {
    case undefined:
    case null:
      return null;
    case 'low':
      return ReasoningEffort.Low;
    case 'medium':
      return ReasoningEffort.Medium;
    case 'high':
      return ReasoningEffort.High;
    default:
      throw invalidInput(`${field} must be 'low', 'medium' or 'high' (what gpt-oss knows), got ${shown(value)}`, field);
  }
}

/** A function tool: its name, description (a string) and parameters (a JSON Schema object). */
export function functionTool(f: CallerObject): FunctionTool {
  const parameters = f.get('parameters');
  return {
    name: f.text('name'),
    description: f.optionalText('description') ?? '',
    parameters: parameters === undefined || parameters === null ? null : jsonObject(parameters, f.at('parameters')),
  };
}

/** A `json_schema` response format: its name, description and schema (a JSON Schema object). */
export function responseFormat(f: CallerObject): ResponseFormat {
  const schema = f.get('schema');
  return {
    name: f.text('name'),
    description: f.optionalText('description'),
    schema: schema === undefined || schema === null ? {} : jsonObject(schema, f.at('schema')),
  };
}

/**
 * The structured-output section the Harmony guide puts at the end of the developer message
 * (`# Response Formats`, `## name`, `// description`, the schema as JSON).
 */
function responseFormatSection({ name, description, schema }: ResponseFormat): string {
  const comment = description ? `// ${description}\n` : '';
  return `# Response Formats\n\n## ${name}\n\n${comment}${JSON.stringify(schema)}`;
}

/** The system message, and the developer message when there is anything to say in it. */
function prologueMessages(p: Prologue, toolNames: ToolNameMap): Message[] {
  let system = SystemContent.new();
  if (p.effort) system = system.withReasoningEffort(p.effort);
  if (p.browser) system = system.withBrowserTool();
  if (p.python) system = system.withPythonTool();
  const out = [Message.fromRoleAndContent('system', system)];
  let developer = DeveloperContent.new();
  if (p.instructions.length > 0) developer = developer.withInstructions(p.instructions.join('\n\n'));
  if (p.functions.length > 0) {
    developer = developer.withFunctionTools(p.functions.map((f) => ToolDescription.new(toolNames.add(f.name), f.description, f.parameters)));
  }
  const hasBody = p.instructions.length > 0 || p.functions.length > 0;
  if (p.responseFormat) {
    // The guide puts the section at the end of the developer message: a second content item.
    const section = new TextContent(`${hasBody ? '\n\n' : ''}${responseFormatSection(p.responseFormat)}`);
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
export function callMessage(promptName: string, args: string): Message {
  return Message.fromRoleAndContent('assistant', args)
    .withChannel('commentary')
    .withRecipient(`functions.${promptName}`)
    .withContentType('<|constrain|>json');
}

/** A tool result in history: from `functions.NAME` to the assistant, on commentary. */
export function toolResultMessage(promptName: string, output: string): Message {
  return Message.fromAuthorAndContent(Author.new('tool', `functions.${promptName}`), output)
    .withRecipient('assistant')
    .withChannel('commentary');
}

const TEXT_PARTS: ReadonlySet<unknown> = new Set(['text', 'input_text', 'output_text']);

/** Message content (a string, or `text`/`input_text`/`output_text` parts, joined) → its text. */
export function contentText(content: unknown, field: string): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) throw invalidInput(`${field} must be a string or a list of text parts`, field);
  return toList(content, field)
    .map((raw, i) => {
      const part = CallerObject.of(raw, `${field}[${i}]`);
      const type = part.get('type');
      if (!TEXT_PARTS.has(type)) throw invalidInput(`${part.at('type')}: unsupported content part type ${shown(type)} (gpt-oss reads text only)`, part.at('type'));
      return part.text('text');
    })
    .join('');
}

/** Content that may be absent or null (assistant messages). */
export function optionalContentText(content: unknown, field: string): string | null {
  return content === undefined || content === null ? null : contentText(content, field);
}
