/**
 * Input batches and output files of the command: JSONL lines read in batches that end at a
 * newline, JSONL written with backpressure, and the Megatron-LM indexed dataset format
 * (`PREFIX.bin` + `PREFIX.idx`), which Megatron-LM, Megatron-DeepSpeed, GPT-NeoX and NeMo read.
 *
 * @module
 */

import { createReadStream, createWriteStream, statSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { StringDecoder } from 'node:string_decoder';
import type { Readable, Writable } from 'node:stream';

/** Lines of one input, `\n`-separated, as read. */
export interface InputBatch {
  /** Index of the input (file) among the inputs. */
  input: number;
  text: string;
  /** Bytes of all inputs read so far, when this batch was cut. */
  bytesRead: number;
}

/** Inputs by name (`-` is standard input). */
export interface Input {
  name: string;
  open(): Readable;
  /** Bytes, when known (a regular file). */
  size: number | null;
}

export function inputOf(name: string, stdin: Readable): Input {
  if (name === '-') return { name: '-', open: () => stdin, size: null };
  const stat = statSync(name);
  return { name, open: () => createReadStream(name), size: stat.isFile() ? stat.size : null };
}

/**
 * The lines of the inputs in batches of about `batchChars` characters, each ending at a line end
 * (a line longer than that is one batch). Pulls from the inputs only as fast as batches are taken.
 */
export async function* readBatches(inputs: readonly Input[], batchChars: number): AsyncGenerator<InputBatch> {
  let bytesRead = 0;
  for (const [index, input] of inputs.entries()) {
    const decoder = new StringDecoder('utf8');
    let pending = '';
    for await (const chunk of input.open() as AsyncIterable<Buffer | string>) {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      bytesRead += buffer.length;
      pending += decoder.write(buffer);
      while (pending.length >= batchChars) {
        const cut = pending.lastIndexOf('\n');
        if (cut < 0) break;
        yield { input: index, text: pending.slice(0, cut), bytesRead };
        pending = pending.slice(cut + 1);
      }
    }
    pending += decoder.end();
    // A final newline ends the last line; it does not start another one.
    if (pending.endsWith('\n')) pending = pending.slice(0, -1);
    if (pending.length > 0) yield { input: index, text: pending, bytesRead };
  }
}

/** Writes with backpressure: resolves when the stream can take more. */
export async function write(stream: Writable, data: string | Uint8Array): Promise<void> {
  if (stream.write(data)) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}

/**
 * A file opened for writing. An I/O error on it (it cannot be created, the disk is full) ends the
 * process with status 2, as an I/O error on the input does.
 */
export function outputFile(path: string): WriteStream {
  const stream = createWriteStream(path);
  stream.on('error', (err) => {
    process.stderr.write(`gpt-oss-harmony: ${err.message}\n`);
    process.exit(2);
  });
  return stream;
}

/** Closes a file stream and waits until it is on disk. */
export async function closeFile(stream: WriteStream): Promise<void> {
  stream.end();
  await once(stream, 'finish');
}

/** Megatron-LM `DType` codes. */
const DTYPE = { uint8: 1, int32: 4 } as const;

/**
 * One Megatron-LM indexed dataset being written: `PREFIX.bin` holds the sequences one after
 * another, `PREFIX.idx` the header (`MMIDIDX\0\0`, version 1, dtype code), the sequence and
 * document counts, each sequence's length (int32) and byte offset (int64), and the document
 * boundaries (int64, one sequence per document). Lengths are kept in memory until `close`
 * (12 bytes per record).
 */
export class IndexedDatasetWriter {
  readonly #bin: WriteStream;
  readonly #prefix: string;
  readonly #dtype: keyof typeof DTYPE;
  #lengths = new Int32Array(1024);
  #count = 0;

  constructor(prefix: string, dtype: keyof typeof DTYPE) {
    this.#prefix = prefix;
    this.#dtype = dtype;
    this.#bin = outputFile(`${prefix}.bin`);
  }

  /** Appends sequences: `data` holds them one after another, `lengths` their sizes. */
  async append(data: Uint32Array | Uint8Array, lengths: Iterable<number>): Promise<void> {
    for (const n of lengths) {
      if (this.#count === this.#lengths.length) {
        const grown = new Int32Array(this.#lengths.length * 2);
        grown.set(this.#lengths);
        this.#lengths = grown;
      }
      this.#lengths[this.#count++] = n;
    }
    // Token ids are below 2^31: their uint32 bytes are their int32 bytes (little-endian).
    await write(this.#bin, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }

  async close(): Promise<void> {
    await closeFile(this.#bin);
    const n = this.#count;
    const itemSize = this.#dtype === 'int32' ? 4 : 1;
    const header = Buffer.alloc(9 + 8 + 1 + 8 + 8);
    header.write('MMIDIDX\0\0', 0, 'latin1');
    header.writeBigUInt64LE(1n, 9);
    header.writeUInt8(DTYPE[this.#dtype], 17);
    header.writeBigUInt64LE(BigInt(n), 18);
    header.writeBigUInt64LE(BigInt(n + 1), 26);
    const pointers = new BigInt64Array(n);
    let offset = 0n;
    for (let i = 0; i < n; i++) {
      pointers[i] = offset;
      offset += BigInt(this.#lengths[i]! * itemSize);
    }
    const documents = new BigInt64Array(n + 1);
    for (let i = 0; i <= n; i++) documents[i] = BigInt(i);
    const idx = outputFile(`${this.#prefix}.idx`);
    await write(idx, header);
    await write(idx, new Uint8Array(this.#lengths.buffer, 0, n * 4));
    await write(idx, new Uint8Array(pointers.buffer));
    await write(idx, new Uint8Array(documents.buffer));
    await closeFile(idx);
  }
}
