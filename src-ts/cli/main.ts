#!/usr/bin/env node
/**
 * `gpt-oss-harmony`: render, count and parse JSONL datasets in the Harmony format on every core.
 * The main thread reads the input in batches, hands them to a pool of worker threads, and writes
 * their results in input order; at most two batches per worker are in flight, so memory stays
 * flat whatever the input's size.
 *
 * @module
 */

import type { WriteStream } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';

import cliProgress from 'cli-progress';

import type { BatchJob, BatchResult, Command, OutputFormat } from './batch.js';
import { closeFile, IndexedDatasetWriter, inputOf, outputFile, readBatches, write, type Input } from './io.js';
import { WorkerPool } from './pool.js';
import type { InputFormat, RecordSettings, RenderMode, SystemOverrides } from './records.js';
import { isRole, type Role } from '../values.js';

const HELP = `Usage: gpt-oss-harmony <command> [options] [FILE ...]

Turns JSONL datasets into Harmony tokens for gpt-oss, on every core. Reads the FILEs in
order (standard input when none is given, or for "-"); one record per line.

Commands:
  render   conversations -> tokens (JSONL {"tokens":[...],"mask":[...]} or a Megatron dataset)
  count    conversations -> tokens per record, and totals
  parse    token records ({"tokens":[...]} or [...]) -> {"messages":[...]}

Input (render, count):
  --input-format F     auto (default), harmony (the reference's conversation JSON) or openai
                       (Chat Completions "messages" with tool_calls, tool messages,
                       reasoning_content/reasoning/thinking, and "tools")
  --mode M             training (default): renderConversationForTraining and its loss mask;
                       completion: the prompt for the next assistant turn; plain: the conversation
  --keep-analysis      do not drop analysis messages (autoDropAnalysis: false). Needed to train
                       on the reasoning of a conversation's first answer (see README)
  --last-turn-only     mask only the last assistant turn
  --reasoning-effort E low, medium or high: set in every system message
  --date D             conversation start date of every system message
  --knowledge-cutoff D knowledge cutoff of every system message
  --model-identity T   model identity of every system message
  --required-channels C,C,...
                       the channels every system message requires
  --browser, --python  add the built-in browser / python tool to every system message
  --id-field NAME      the record field copied to each output record (default: id)

Output:
  -o, --output PATH    output file (default: standard output); with --output-format megatron
                       the prefix of PATH.bin/PATH.idx (and PATH.mask.bin/.idx in training mode)
  --output-format F    jsonl (default) or megatron (render only)
  --errors FILE        error records (JSONL: file, line, code, message) to FILE, not stderr
  --strict             stop at the first line that fails
  --histogram          count: add a histogram of tokens per record to the totals
  --totals             count: print only the totals (JSON) on standard output

Parse:
  --lenient            recover from malformed tokens where the reference does (default: strict)
  --role R             the role of the first message when the tokens start after <|start|>R

General:
  -j, --jobs N         worker threads (default: the machine's available parallelism)
  --batch-bytes N      characters of input per batch handed to a worker (default: 262144)
  -q, --quiet          no progress bar or summary on stderr
  -h, --help           this help

Every input line gives exactly one output record or one error record. Exit status: 0 when every
line succeeded, 1 when some line failed, 2 on a usage or I/O error, 130 on Ctrl-C, 141 when the
output pipe closed early.
`;

class UsageError extends Error {}

/** Restores the terminal (the progress bar hides the cursor) before an interrupted exit. */
let onInterrupt: () => void = () => {};

interface Options {
  command: Command;
  files: string[];
  job: BatchJob;
  outputPath: string | null;
  errorsPath: string | null;
  strict: boolean;
  histogram: boolean;
  totals: boolean;
  jobs: number;
  batchChars: number;
  quiet: boolean;
}

function choice<T extends string>(value: string | undefined, allowed: readonly T[], fallback: T, flag: string): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${flag} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
}

function parseOptions(argv: string[]): Options | null {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'input-format': { type: 'string' },
      mode: { type: 'string' },
      'keep-analysis': { type: 'boolean' },
      'last-turn-only': { type: 'boolean' },
      'reasoning-effort': { type: 'string' },
      date: { type: 'string' },
      'knowledge-cutoff': { type: 'string' },
      'model-identity': { type: 'string' },
      'required-channels': { type: 'string' },
      browser: { type: 'boolean' },
      python: { type: 'boolean' },
      'id-field': { type: 'string' },
      output: { type: 'string', short: 'o' },
      'output-format': { type: 'string' },
      errors: { type: 'string' },
      strict: { type: 'boolean' },
      histogram: { type: 'boolean' },
      totals: { type: 'boolean' },
      lenient: { type: 'boolean' },
      role: { type: 'string' },
      jobs: { type: 'string', short: 'j' },
      'batch-bytes': { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return null;
  const [command, ...files] = positionals;
  if (command === undefined) throw new UsageError('a command is required: render, count or parse');
  if (command !== 'render' && command !== 'count' && command !== 'parse') throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  const output: OutputFormat = choice(values['output-format'], ['jsonl', 'megatron'] as const, 'jsonl', 'output-format');
  if (output === 'megatron' && (command !== 'render' || !values.output)) throw new UsageError('--output-format megatron needs the render command and --output PREFIX');
  const effort = values['reasoning-effort'];
  const system: SystemOverrides = {};
  if (effort !== undefined) {
    const e = choice(effort.toLowerCase(), ['low', 'medium', 'high'] as const, 'medium', 'reasoning-effort');
    system.reasoningEffort = e === 'low' ? 'Low' : e === 'high' ? 'High' : 'Medium';
  }
  if (values.date !== undefined) system.conversationStartDate = values.date;
  if (values['knowledge-cutoff'] !== undefined) system.knowledgeCutoff = values['knowledge-cutoff'];
  if (values['model-identity'] !== undefined) system.modelIdentity = values['model-identity'];
  if (values['required-channels'] !== undefined) system.requiredChannels = values['required-channels'].split(',').map((c) => c.trim()).filter(Boolean);
  if (values.browser) system.browser = true;
  if (values.python) system.python = true;
  let role: Role | null = null;
  if (values.role !== undefined) {
    if (!isRole(values.role)) throw new UsageError(`--role: unknown role ${JSON.stringify(values.role)}`);
    role = values.role;
  }
  const jobs = values.jobs === undefined ? availableParallelism() : Number(values.jobs);
  if (!Number.isInteger(jobs) || jobs < 1) throw new UsageError('--jobs must be a positive integer');
  const batchChars = values['batch-bytes'] === undefined ? 256 * 1024 : Number(values['batch-bytes']);
  if (!Number.isInteger(batchChars) || batchChars < 1) throw new UsageError('--batch-bytes must be a positive integer');
  const settings: RecordSettings = {
    inputFormat: choice(values['input-format'], ['auto', 'harmony', 'openai'] as const, 'auto', 'input-format') as InputFormat,
    mode: choice(values.mode, ['training', 'completion', 'plain'] as const, 'training', 'mode') as RenderMode,
    autoDropAnalysis: !values['keep-analysis'],
    lastTurnOnly: Boolean(values['last-turn-only']),
    idField: values['id-field'] ?? 'id',
    system,
    strict: !values.lenient,
    role,
  };
  return {
    command,
    files: files.length > 0 ? files : ['-'],
    job: { command, output, settings },
    outputPath: values.output ?? null,
    errorsPath: values.errors ?? null,
    strict: Boolean(values.strict),
    histogram: Boolean(values.histogram),
    totals: Boolean(values.totals),
    jobs,
    batchChars,
    quiet: Boolean(values.quiet),
  };
}

/** Where results go. */
interface Sink {
  take(result: BatchResult, upTo: number): Promise<void>;
  close(): Promise<void>;
}

function jsonlSink(stream: NodeJS.WritableStream & { end(): void }, isFile: boolean, enabled: boolean): Sink {
  return {
    async take(result, upTo) {
      if (!enabled || !result.outputs) return;
      let text = '';
      for (let i = 0; i < upTo; i++) {
        const line = result.outputs[i];
        if (line !== null && line !== undefined) text += `${line}\n`;
      }
      if (text) await write(stream as never, text);
    },
    async close() {
      if (isFile) await closeFile(stream as WriteStream);
    },
  };
}

function megatronSink(prefix: string, withMask: boolean): Sink {
  const tokens = new IndexedDatasetWriter(prefix, 'int32');
  const masks = withMask ? new IndexedDatasetWriter(`${prefix}.mask`, 'uint8') : null;
  return {
    async take(result, upTo) {
      const sizes = [...result.sizes.subarray(0, upTo)].filter((n) => n >= 0);
      let end = 0;
      for (const n of sizes) end += n;
      await tokens.append(result.tokens!.subarray(0, end), sizes);
      if (masks) await masks.append(result.masks!.subarray(0, end), sizes);
    },
    async close() {
      await tokens.close();
      await masks?.close();
    },
  };
}

/** Totals of a run. */
class Totals {
  records = 0;
  failed = 0;
  tokens = 0;
  trained = 0;
  min = Infinity;
  max = 0;
  readonly histogram = new Map<number, number>();
  readonly unmasked: Record<string, number> = {};

  add(result: BatchResult, upTo: number): void {
    for (let i = 0; i < upTo; i++) {
      const n = result.sizes[i]!;
      if (n < 0) continue;
      this.records++;
      this.tokens += n;
      this.trained += result.trained[i]!;
      this.min = Math.min(this.min, n);
      this.max = Math.max(this.max, n);
      const bucket = n === 0 ? 0 : 2 ** Math.ceil(Math.log2(n));
      this.histogram.set(bucket, (this.histogram.get(bucket) ?? 0) + 1);
    }
    for (const [reason, n] of Object.entries(result.unmasked)) this.unmasked[reason] = (this.unmasked[reason] ?? 0) + n;
  }

  json(options: { histogram: boolean; training: boolean }): string {
    const out: Record<string, unknown> = { records: this.records, errors: this.failed, tokens: this.tokens };
    if (options.training) out.trained = this.trained;
    if (this.records > 0) Object.assign(out, { min: this.min, max: this.max, mean: Math.round((this.tokens / this.records) * 10) / 10 });
    if (options.histogram) {
      // Buckets by powers of two: "≤ 2^k" counts the records with 2^(k-1) < tokens ≤ 2^k.
      out.histogram = Object.fromEntries([...this.histogram].sort((a, b) => a[0] - b[0]).map(([b, n]) => [`<=${b}`, n]));
    }
    return JSON.stringify(out);
  }
}

async function run(options: Options): Promise<number> {
  const inputs: Input[] = options.files.map((f) => inputOf(f, process.stdin));
  const knownSize = inputs.every((i) => i.size !== null) ? inputs.reduce((s, i) => s + i.size!, 0) : null;
  const { job } = options;
  const training = job.command !== 'parse' && job.settings.mode === 'training';
  const outFile = options.outputPath && job.output === 'jsonl' ? outputFile(options.outputPath) : null;
  const out = outFile ?? process.stdout;
  const sink =
    job.output === 'megatron'
      ? megatronSink(options.outputPath!, training)
      : jsonlSink(out, outFile !== null, !(job.command === 'count' && options.totals));
  const errorsFile = options.errorsPath ? outputFile(options.errorsPath) : null;
  const errorsOut = errorsFile ?? process.stderr;

  const showProgress = !options.quiet && process.stderr.isTTY === true;
  const bars = showProgress
    ? new cliProgress.MultiBar(
        {
          stream: process.stderr,
          hideCursor: true,
          clearOnComplete: false,
          format:
            knownSize !== null
              ? '{bar} {percentage}% | {records} records | {rate} rec/s | ETA {eta_formatted}'
              : '{records} records | {rate} rec/s | {mb} MB',
        },
        cliProgress.Presets.shades_classic,
      )
    : null;
  const bar = bars?.create(knownSize ?? 1, 0, { records: 0, rate: 0, mb: 0 }) ?? null;
  if (bars) onInterrupt = () => bars.stop();
  const started = Date.now();

  const pool = new WorkerPool(options.jobs, job);
  const totals = new Totals();
  const lineBase: number[] = inputs.map(() => 0);
  const inFlight: { input: number; bytesRead: number; result: Promise<BatchResult> }[] = [];
  let stopped = false;

  async function reportError(input: number, line: number, code: string, message: string): Promise<void> {
    const record = `${JSON.stringify({ file: inputs[input]!.name, line, code, message })}\n`;
    if (bars && !errorsFile) bars.log(record);
    else await write(errorsOut as never, record);
  }

  async function consume(): Promise<void> {
    const batch = inFlight.shift()!;
    const result = await batch.result;
    let upTo = result.lines;
    if (options.strict && result.errors.length > 0) upTo = result.errors[0]!.index + 1;
    await sink.take(result, upTo);
    totals.add(result, upTo);
    for (const e of result.errors) {
      if (e.index >= upTo) break;
      totals.failed++;
      await reportError(batch.input, lineBase[batch.input]! + e.index + 1, e.code, e.message);
    }
    lineBase[batch.input]! += result.lines;
    if (options.strict && result.errors.length > 0) stopped = true;
    if (bar) {
      const seconds = (Date.now() - started) / 1000;
      const done = totals.records + totals.failed;
      bar.update(knownSize !== null ? batch.bytesRead : 0, { records: done, rate: Math.round(done / Math.max(seconds, 1e-3)), mb: (batch.bytesRead / 1e6).toFixed(1) });
    }
  }

  // The reader hands batches to the pool while the writer takes results in input order; the
  // reader waits while `maxInFlight` batches are queued, the writer while none is.
  const maxInFlight = options.jobs * 2;
  let readerDone = false;
  let readError: unknown = null;
  let wakeWriter: (() => void) | null = null;
  let wakeReader: (() => void) | null = null;
  const wake = () => {
    wakeWriter?.();
    wakeReader?.();
    wakeWriter = wakeReader = null;
  };
  void (async () => {
    try {
      for await (const batch of readBatches(inputs, options.batchChars)) {
        if (stopped) break;
        const result = pool.submit(batch.text);
        // Awaited in order by the writer; a failure before that is not an unhandled rejection.
        result.catch(() => {});
        inFlight.push({ input: batch.input, bytesRead: batch.bytesRead, result });
        wake();
        while (inFlight.length >= maxInFlight && !stopped) await new Promise<void>((r) => (wakeReader = r));
      }
    } catch (err) {
      readError = err;
    }
    readerDone = true;
    wake();
  })();
  try {
    while (!stopped && readError === null) {
      if (inFlight.length === 0) {
        if (readerDone) break;
        await new Promise<void>((r) => (wakeWriter = r));
        continue;
      }
      await consume();
      wake();
    }
  } finally {
    stopped = true;
    wake();
    bars?.stop();
    await pool.close();
  }
  if (readError !== null) throw readError;
  await sink.close();
  if (job.command === 'count') {
    const summary = `${totals.json({ histogram: options.histogram, training })}\n`;
    if (options.totals) await write(out as never, summary);
    else if (!options.quiet) process.stderr.write(summary);
  } else if (!options.quiet) {
    const parts = [`${totals.records} records`, `${totals.failed} errors`];
    if (job.command === 'render') parts.push(`${totals.tokens} tokens`);
    if (training) parts.push(`${totals.trained} trained`);
    process.stderr.write(`gpt-oss-harmony ${job.command}: ${parts.join(', ')}\n`);
  }
  if (!options.quiet && Object.keys(totals.unmasked).length > 0) {
    const reasons = Object.entries(totals.unmasked).map(([r, n]) => `${n} ${r}`).join(', ');
    const hint = totals.unmasked['analysis-dropped'] ? ' (--keep-analysis keeps the reasoning of first answers)' : '';
    process.stderr.write(`note: assistant turns left out of the mask: ${reasons}${hint}\n`);
  }
  if (outFile) await closeFile(outFile);
  if (errorsFile) await closeFile(errorsFile);
  return totals.failed > 0 ? 1 : 0;
}

async function main(): Promise<void> {
  let options: Options | null;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`gpt-oss-harmony: ${(err as Error).message}\nTry 'gpt-oss-harmony --help'.\n`);
    process.exit(2);
  }
  if (options === null) {
    process.stdout.write(HELP);
    return;
  }
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    // The reader went away (`| head`): stop quietly, as a process killed by SIGPIPE would.
    if (err.code === 'EPIPE') process.exit(141);
    process.stderr.write(`gpt-oss-harmony: ${err.message}\n`);
    process.exit(2);
  });
  process.on('SIGINT', () => {
    onInterrupt();
    process.stderr.write('\ngpt-oss-harmony: interrupted\n');
    process.exit(130);
  });
  let code: number;
  try {
    code = await run(options);
  } catch (err) {
    process.stderr.write(`gpt-oss-harmony: ${(err as Error).message}\n`);
    code = 2;
  }
  // Exit now: after --strict stopped the run, standard input may still be open.
  process.exit(code);
}

void main();
