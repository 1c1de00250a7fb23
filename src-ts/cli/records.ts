/**
 * One JSONL record in, one result out: what each worker of the `gpt-oss-harmony` command does to
 * a line. Conversations in OpenAI's chat format are mapped by the gateway's request mapper
 * (`chatCompletionsToHarmony`), so a dataset renders exactly as a request to a gateway would.
 *
 * @module
 */

import { chatCompletionsToHarmony } from '../gateway/index.js';
import { HarmonyError, loadHarmonyEncoding, SystemContent, type Role, type TrainingExample } from '../index.js';

/** How a record is read: the reference's conversation JSON, OpenAI's chat format, or either. */
export type InputFormat = 'auto' | 'harmony' | 'openai';
/** What `render` produces: a training example with its mask, a completion prompt, or the conversation. */
export type RenderMode = 'training' | 'completion' | 'plain';

/** System-message fields set from the command line (each replaces the record's value). */
export interface SystemOverrides {
  reasoningEffort?: 'Low' | 'Medium' | 'High';
  conversationStartDate?: string;
  knowledgeCutoff?: string;
  modelIdentity?: string;
  requiredChannels?: string[];
  browser?: boolean;
  python?: boolean;
}

/** The settings of a run, the same in every worker. */
export interface RecordSettings {
  inputFormat: InputFormat;
  mode: RenderMode;
  autoDropAnalysis: boolean;
  lastTurnOnly: boolean;
  /** The record field copied to the output (when present). */
  idField: string;
  system: SystemOverrides;
  /** `parse`: strict parsing (the reference's default). */
  strict: boolean;
  /** `parse`: the role of the first message when the tokens start after `<|start|>{role}`. */
  role: Role | null;
}

/** A rendered record. `mask` only in training mode. */
export interface Rendered {
  id: unknown;
  tokens: Uint32Array;
  mask: Uint8Array | null;
  /** Training mode: the assistant turns left out of the mask. */
  unmasked: TrainingExample['unmasked'];
}

/** A line that failed: its reason, as a stable code and a message. */
export class LineError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const enc = loadHarmonyEncoding();

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readJson(line: string): unknown {
  if (line.trim() === '') throw new LineError('ERR_EMPTY_LINE', 'empty line');
  try {
    return JSON.parse(line);
  } catch (err) {
    throw new LineError('ERR_JSON', `not JSON: ${(err as Error).message}`);
  }
}

function readRecord(line: string): Json {
  const value = readJson(line);
  if (!isObject(value)) throw new LineError('ERR_RECORD', 'a record must be a JSON object');
  return value;
}

/** Keys only the reference's message JSON has (OpenAI messages have none of them). */
const HARMONY_KEYS = ['channel', 'recipient', 'content_type'];
const HARMONY_PARTS: ReadonlySet<unknown> = new Set(['system_content', 'developer_content']);

/**
 * `auto`: a record is the reference's conversation JSON when some message has a Harmony-only
 * key (`channel`, `recipient`, `content_type`) or a `system_content`/`developer_content` part;
 * otherwise it is OpenAI's chat format.
 */
export function detectFormat(record: Json): 'harmony' | 'openai' {
  const messages = record.messages;
  if (!Array.isArray(messages)) return 'openai';
  const harmony = messages.some(
    (m) =>
      isObject(m) &&
      (HARMONY_KEYS.some((k) => Object.hasOwn(m, k)) || (Array.isArray(m.content) && m.content.some((p) => isObject(p) && HARMONY_PARTS.has(p.type)))),
  );
  return harmony ? 'harmony' : 'openai';
}

/**
 * The fields the Python reference gives a `system_content` part that lacks them
 * (`SystemContent`'s pydantic defaults: `Conversation.from_json` fills them in before rendering).
 * The Rust reference and this package's library read a missing field as absent; the command reads
 * records as the Python package does, since that is how such JSONL is rendered today.
 */
const PYTHON_SYSTEM_DEFAULTS: Json = {
  model_identity: 'You are ChatGPT, a large language model trained by OpenAI.',
  reasoning_effort: 'Medium',
  knowledge_cutoff: '2024-06',
  channel_config: { valid_channels: ['analysis', 'commentary', 'final'], channel_required: true },
};

/** A `system_content` part with the Python defaults and the command line's fields; the same object when neither changes it. */
function systemContent(part: Json, system: SystemOverrides): Json {
  const missing = Object.keys(PYTHON_SYSTEM_DEFAULTS).filter((k) => !Object.hasOwn(part, k));
  if (missing.length === 0 && Object.keys(system).length === 0) return part;
  const out: Json = { ...part };
  for (const k of missing) out[k] = PYTHON_SYSTEM_DEFAULTS[k];
  if (system.reasoningEffort) out.reasoning_effort = system.reasoningEffort;
  if (system.conversationStartDate !== undefined) out.conversation_start_date = system.conversationStartDate;
  if (system.knowledgeCutoff !== undefined) out.knowledge_cutoff = system.knowledgeCutoff;
  if (system.modelIdentity !== undefined) out.model_identity = system.modelIdentity;
  if (system.requiredChannels) out.channel_config = { valid_channels: system.requiredChannels, channel_required: true };
  if (system.browser || system.python) {
    const tools: Json = isObject(out.tools) ? { ...out.tools } : {};
    if (system.browser) tools.browser = BUILTIN_TOOLS.browser;
    if (system.python) tools.python = BUILTIN_TOOLS.python;
    out.tools = tools;
  }
  return out;
}

/** The conversation with `systemContent` applied to every `system_content` part; the same object when nothing changes. */
function normalizeSystem(conversation: Json, system: SystemOverrides): Json {
  if (!Array.isArray(conversation.messages)) return conversation;
  let changed = false;
  const messages = conversation.messages.map((m: unknown) => {
    if (!isObject(m) || !Array.isArray(m.content)) return m;
    let partChanged = false;
    const content = m.content.map((part: unknown) => {
      if (!isObject(part) || part.type !== 'system_content') return part;
      const out = systemContent(part, system);
      if (out !== part) partChanged = true;
      return out;
    });
    if (!partChanged) return m;
    changed = true;
    return { ...m, content };
  });
  return changed ? { ...conversation, messages } : conversation;
}

/** The reference's built-in tool namespaces, as the builders write them. */
const BUILTIN_TOOLS = (SystemContent.new().withBrowserTool().withPythonTool().toJSON() as unknown as { tools: { browser: unknown; python: unknown } }).tools;

/** A record → the conversation to render (the reference's JSON), with the overrides applied. */
export function toConversation(record: Json, settings: Pick<RecordSettings, 'inputFormat' | 'system'>): Json {
  if (!Array.isArray(record.messages)) throw new LineError('ERR_RECORD', 'a record needs a "messages" list');
  const conversation = isHarmony(record, settings) ? { messages: record.messages } : (chatCompletionsToHarmony(record as never).conversation.toJSON() as unknown as Json);
  return normalizeSystem(conversation, settings.system);
}

function isHarmony(record: Json, settings: Pick<RecordSettings, 'inputFormat'>): boolean {
  return settings.inputFormat === 'auto' ? detectFormat(record) === 'harmony' : settings.inputFormat === 'harmony';
}

/** Renders one line. Throws `LineError` or `HarmonyError`. */
export function renderLine(line: string, settings: RecordSettings): Rendered {
  const record = readRecord(line);
  let conversation: Json | string = toConversation(record, settings);
  // A conversation in the reference's JSON with nothing changed goes to the core as read (the
  // core reads "messages" and ignores the other fields): no second JSON.stringify.
  if (conversation.messages === record.messages && isHarmony(record, settings)) conversation = line;
  const id = record[settings.idField];
  const options = { autoDropAnalysis: settings.autoDropAnalysis };
  switch (settings.mode) {
    case 'training': {
      const ex = enc.renderConversationForTrainingWithMask(conversation as never, { ...options, lastTurnOnly: settings.lastTurnOnly });
      return { id, tokens: ex.tokens, mask: ex.mask, unmasked: ex.unmasked };
    }
    case 'completion':
      return { id, tokens: enc.renderConversationForCompletion(conversation as never, 'assistant', options), mask: null, unmasked: [] };
    case 'plain':
      return { id, tokens: enc.renderConversation(conversation as never, options), mask: null, unmasked: [] };
  }
}

/** Parses one line of tokens (`{"tokens": [...]}` or a bare array) into `{"messages": [...]}` (+ id). */
export function parseTokensLine(line: string, settings: RecordSettings): string {
  const value = readJson(line);
  const record = isObject(value) ? value : null;
  const tokens = Array.isArray(value) ? value : record?.tokens;
  if (!Array.isArray(tokens)) throw new LineError('ERR_RECORD', 'a record must be a token list or an object with a "tokens" list');
  const messages = enc.parseMessagesFromCompletionTokens(tokens as number[], settings.role ?? undefined, { strict: settings.strict });
  const id = record?.[settings.idField];
  return `${id === undefined ? '{' : `{${JSON.stringify(settings.idField)}:${JSON.stringify(id)},`}"messages":${JSON.stringify(messages)}}`;
}

/** A rendered record as a JSONL line (without the newline). */
export function renderedJson(r: Rendered, idField: string): string {
  const id = r.id === undefined ? '' : `${JSON.stringify(idField)}:${JSON.stringify(r.id)},`;
  const mask = r.mask ? `,"mask":[${maskJson(r.mask)}]` : '';
  return `{${id}"tokens":[${r.tokens.join(',')}]${mask}}`;
}

/** `mask.join(',')`, written run by run (masks are a few long runs of 0s and 1s). */
function maskJson(mask: Uint8Array): string {
  let out = '';
  let i = 0;
  while (i < mask.length) {
    const v = mask[i]!;
    let j = i + 1;
    while (j < mask.length && mask[j] === v) j++;
    out += (v === 1 ? '1,' : v === 0 ? '0,' : `${v},`).repeat(j - i);
    i = j;
  }
  return out.slice(0, -1);
}

/** The code and message of a failed line. */
export function lineFailure(err: unknown): { code: string; message: string } {
  if (err instanceof LineError || err instanceof HarmonyError) return { code: err.code, message: err.message };
  return { code: 'ERR_INTERNAL', message: err instanceof Error ? err.message : String(err) };
}
