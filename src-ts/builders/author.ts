/**
 * `Author`: a role and an optional name (required for tool messages: the tool's identity).
 *
 * @module
 */

import { invalidArgument } from '../errors.js';
import { isRole, type Role } from '../values.js';
import { defineBuilder, describe, optionalString } from './internal.js';

/** Validates a role string (`ERR_HARMONY_INVALID_ARGUMENT` `unknown role: x` otherwise). */
export function toRole(value: unknown, field = 'role'): Role {
  if (isRole(value)) return value;
  const shown = typeof value === 'string' ? value : describe(value);
  throw invalidArgument(`unknown role: ${shown}`, field);
}

/** Who wrote a message. Immutable. */
export class Author {
  readonly #role: Role;
  readonly #name: string | null;

  /**
   * @param role - the role (`'user'`, `'assistant'`, …)
   * @param name - the author's name; for tool messages the tool (`'functions.get_weather'`)
   */
  constructor(role: Role, name?: string | null) {
    this.#role = toRole(role);
    this.#name = optionalString(name, 'name');
    Object.freeze(this);
  }

  /** An author with a role and an optional name. */
  static new(role: Role, name?: string | null): Author {
    return new Author(role, name);
  }

  /** The role. */
  get role(): Role {
    return this.#role;
  }

  /** The name, or `null`. */
  get name(): string | null {
    return this.#name;
  }

  /** `{ role, name }`. */
  toJSON(): { role: Role; name: string | null } {
    return { role: this.#role, name: this.#name };
  }
}

defineBuilder(Author, 'Author');
