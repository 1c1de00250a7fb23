/**
 * A batch of input lines → its results, in line order. This is the whole job of a worker;
 * `main.ts` only splits the input into batches and writes the results back in order.
 *
 * @module
 */

import { lineFailure, parseTokensLine, renderedJson, renderLine, type RecordSettings } from './records.js';

export type Command = 'render' | 'count' | 'parse';
export type OutputFormat = 'jsonl' | 'megatron';

/** What every worker is told once. */
export interface BatchJob {
  command: Command;
  output: OutputFormat;
  settings: RecordSettings;
}

/** A failed line of a batch. */
export interface BatchError {
  /** Index of the line in its batch. */
  index: number;
  code: string;
  message: string;
}

/** The results of a batch. */
export interface BatchResult {
  lines: number;
  /** `jsonl`: the output line of each line (`null` where it failed). */
  outputs: (string | null)[] | null;
  errors: BatchError[];
  /** Tokens of each line (-1 where it failed). */
  sizes: Int32Array;
  /** Masked tokens of each line (training mode). */
  trained: Int32Array;
  /** `megatron`: the tokens (and masks) of the successful lines, one after another. */
  tokens: Uint32Array | null;
  masks: Uint8Array | null;
  /** Assistant turns left out of masks, by reason. */
  unmasked: Record<string, number>;
}

/** Splits a batch's text into lines (`\n`, with an optional `\r` before it). */
export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) if (lines[i]!.endsWith('\r')) lines[i] = lines[i]!.slice(0, -1);
  return lines;
}

export function runBatch(text: string, job: BatchJob): BatchResult {
  const lines = splitLines(text);
  const n = lines.length;
  const result: BatchResult = {
    lines: n,
    outputs: job.output === 'jsonl' ? [] : null,
    errors: [],
    sizes: new Int32Array(n).fill(-1),
    trained: new Int32Array(n),
    tokens: null,
    masks: null,
    unmasked: {},
  };
  const parts: Uint32Array[] = [];
  const maskParts: Uint8Array[] = [];
  const { settings } = job;
  for (let i = 0; i < n; i++) {
    const line = lines[i]!;
    try {
      if (job.command === 'parse') {
        result.outputs?.push(parseTokensLine(line, settings));
        result.sizes[i] = 0;
        continue;
      }
      const r = renderLine(line, settings);
      let trained = 0;
      if (r.mask) for (const m of r.mask) trained += m;
      result.sizes[i] = r.tokens.length;
      result.trained[i] = trained;
      for (const u of r.unmasked) result.unmasked[u.reason] = (result.unmasked[u.reason] ?? 0) + 1;
      if (job.command === 'count') {
        const id = r.id === undefined ? '' : `${JSON.stringify(settings.idField)}:${JSON.stringify(r.id)},`;
        result.outputs?.push(`{${id}"tokens":${r.tokens.length}${r.mask ? `,"trained":${trained}` : ''}}`);
      } else if (result.outputs) {
        result.outputs.push(renderedJson(r, settings.idField));
      } else {
        parts.push(r.tokens);
        if (r.mask) maskParts.push(r.mask);
      }
    } catch (err) {
      result.outputs?.push(null);
      result.errors.push({ index: i, ...lineFailure(err) });
    }
  }
  if (!result.outputs) {
    result.tokens = concat(parts, Uint32Array);
    result.masks = settings.mode === 'training' ? concat(maskParts, Uint8Array) : null;
  }
  return result;
}

function concat<T extends Uint32Array | Uint8Array>(parts: T[], Type: { new (n: number): T }): T {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Type(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
