// Canonical text forms of each kind of output, hashed to check that every case returns the same result
// before anything is timed. reference/bench_reference.py builds the same strings, so the Python
// reference is checked the same way.

import { createHash } from 'node:crypto';

export const digest = (text) => createHash('sha256').update(text, 'utf8').digest('hex');

export const tokens = (list) => Array.from(list).join(',');
export const tokenLists = (lists) => lists.map(tokens).join('\n');
export const count = (n) => String(n);
export const text = (s) => s;

// Parsed messages as [role, name, channel, recipient, content_type, text], whatever the peer's shape
// (the WASM build returns `content` as a string, the reference as a list of text parts).
export function messages(list) {
  return JSON.stringify(list.map((m) => [
    m.role,
    m.name ?? null,
    m.channel ?? null,
    m.recipient ?? null,
    m.content_type ?? null,
    typeof m.content === 'string' ? m.content : m.content.map((c) => c.text).join(''),
  ]));
}
