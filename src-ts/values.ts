/**
 * The value enums of the Harmony format, as `as const` objects plus same-named union types
 * (`Role.User` is the value, `Role` the type). The strings are the reference's wire strings.
 *
 * @module
 */

/** Who wrote a message. */
export const Role = Object.freeze({
  User: 'user',
  Assistant: 'assistant',
  System: 'system',
  Developer: 'developer',
  Tool: 'tool',
} as const);
/** A role wire string: `'user' | 'assistant' | 'system' | 'developer' | 'tool'`. */
export type Role = (typeof Role)[keyof typeof Role];

/** How hard the model should think (serialised capitalised, as the reference does). */
export const ReasoningEffort = Object.freeze({
  Low: 'Low',
  Medium: 'Medium',
  High: 'High',
} as const);
/** `'Low' | 'Medium' | 'High'`. */
export type ReasoningEffort = (typeof ReasoningEffort)[keyof typeof ReasoningEffort];

/** Where the streaming parser is: before a message, in its header, or in its content. */
export const StreamState = Object.freeze({
  ExpectStart: 'ExpectStart',
  Header: 'Header',
  Content: 'Content',
} as const);
/** `'ExpectStart' | 'Header' | 'Content'`. */
export type StreamState = (typeof StreamState)[keyof typeof StreamState];

/** The available encodings. */
export const HarmonyEncodingName = Object.freeze({
  HarmonyGptOss: 'HarmonyGptOss',
} as const);
/** `'HarmonyGptOss'`. */
export type HarmonyEncodingName = (typeof HarmonyEncodingName)[keyof typeof HarmonyEncodingName];

/** What ended a message: `<|end|>`, `<|call|>`, `<|return|>`, or the end of the stream. */
export const StopToken = Object.freeze({
  End: 'end',
  Call: 'call',
  Return: 'return',
  Eos: 'eos',
} as const);
/** `'end' | 'call' | 'return' | 'eos'`. */
export type StopToken = (typeof StopToken)[keyof typeof StopToken];

const ROLES: ReadonlySet<string> = new Set(Object.values(Role));
const EFFORTS: ReadonlySet<string> = new Set(Object.values(ReasoningEffort));

/** Whether `value` is one of the five role strings (case-sensitive, like the reference). */
export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && ROLES.has(value);
}

/** Whether `value` is `'Low' | 'Medium' | 'High'`. */
export function isReasoningEffort(value: unknown): value is ReasoningEffort {
  return typeof value === 'string' && EFFORTS.has(value);
}
