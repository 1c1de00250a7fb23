/**
 * The value enums of the Harmony format, as `as const` objects plus same-named union types
 * (`Role.User` is the value, `Role` the type). The strings are the reference's wire strings.
 *
 * @module
 */

import type { BindingRole, BindingStopToken } from './native/loader.js';

/**
 * @internal A frozen table of the values of a union generated from Rust: the call compiles only
 * when every value of `table` is in `U` and every member of `U` is in `table`.
 */
export function tableOf<U extends string>() {
  return <const T extends Record<string, U>>(table: T & (Exclude<U, T[keyof T]> extends never ? unknown : never)): Readonly<T> =>
    Object.freeze(table);
}

/** Who wrote a message (the core's roles, `BindingRole`; the compiler checks the table). */
export const Role = tableOf<BindingRole>()({
  User: 'user',
  Assistant: 'assistant',
  System: 'system',
  Developer: 'developer',
  Tool: 'tool',
});
/** A role wire string: `'user' | 'assistant' | 'system' | 'developer' | 'tool'`. */
export type Role = BindingRole;

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

/** What ended a message: `<|end|>`, `<|call|>`, `<|return|>`, or the end of the stream (`BindingStopToken`). */
export const StopToken = tableOf<BindingStopToken>()({
  End: 'end',
  Call: 'call',
  Return: 'return',
  Eos: 'eos',
});
/** `'end' | 'call' | 'return' | 'eos'`. */
export type StopToken = BindingStopToken;

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
