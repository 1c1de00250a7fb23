/**
 * Tool names as the caller spells them ↔ the names written into the prompt.
 *
 * @module
 */

import { invalidInput } from './input.js';

/** The caller's tool name, which must be a string. */
function nameArgument(name: unknown): string {
  if (typeof name !== 'string') throw invalidInput('a tool name must be a string', 'name');
  return name;
}

/** A TypeScript identifier: Unicode letters (and other ID_Start characters), digits after the first, `_`, `$`. */
const IDENTIFIER = /^[\p{ID_Start}_$][\p{ID_Continue}_$\u200c\u200d]*$/u;
/** A character that may not appear in an identifier at all. */
const INVALID = /[^\p{ID_Continue}_$\u200c\u200d]/gu;

/**
 * The prompt declares tools as TypeScript (`type NAME = …`), so a name that is not an
 * identifier is replaced by one that is: each character that cannot be in an identifier
 * becomes `_` (`get-weather` → `get_weather`, `search.v2` → `search_v2`), and a name that
 * cannot start one gets a leading `_` (`1tool` → `_1tool`). Letters of any script stay
 * (`météo`, `天気`). Prompt names are kept unique (`_2`, `_3`, … on a clash), so the mapping
 * is reversible.
 */
export class ToolNameMap {
  readonly #toHarmony = new Map<string, string>();
  readonly #fromHarmony = new Map<string, string>();
  /**
   * For each base name, the suffix to try next: names are never removed, so the suffixes below it
   * are taken, and a request of n names that all clash costs O(n), not O(n²).
   */
  readonly #nextSuffix = new Map<string, number>();

  /** The prompt name of `name`, registering a new mapping if needed. */
  add(name: string): string {
    nameArgument(name);
    const known = this.#toHarmony.get(name);
    if (known !== undefined) return known;
    const base = IDENTIFIER.test(name) ? name : `${/^[\p{ID_Start}_$]/u.test(name) ? '' : '_'}${name.replace(INVALID, '_')}`;
    let candidate = base;
    if (this.#fromHarmony.has(candidate)) {
      let n = this.#nextSuffix.get(base) ?? 2;
      while (this.#fromHarmony.has((candidate = `${base}_${n}`))) n++;
      this.#nextSuffix.set(base, n + 1);
    }
    this.#toHarmony.set(name, candidate);
    this.#fromHarmony.set(candidate, name);
    return candidate;
  }
  /** The prompt name of a caller's name (the name itself when unknown). */
  toHarmony(name: string): string {
    return this.#toHarmony.get(nameArgument(name)) ?? name;
  }
  /** The caller's name of a prompt name (the name itself when unknown). */
  fromHarmony(name: string): string {
    return this.#fromHarmony.get(nameArgument(name)) ?? name;
  }
  /** `[callerName, promptName]` pairs where the two differ. */
  renamed(): [string, string][] {
    return [...this.#toHarmony].filter(([a, b]) => a !== b);
  }
}
