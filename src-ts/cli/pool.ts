/**
 * A pool of up to `size` worker threads. `submit` hands a batch to the least busy worker and
 * resolves with its result; the caller awaits results in submission order, which keeps the output
 * in input order, and bounds the batches in flight, which keeps memory flat. A worker starts only
 * when every running one is busy, so `--jobs 500` on a small input starts a few threads, not 500
 * (each costs ~10 MB and a fraction of a second).
 *
 * @module
 */

import { Worker } from 'node:worker_threads';

import type { BatchJob, BatchResult } from './batch.js';

interface Pending {
  resolve: (r: BatchResult) => void;
  reject: (e: Error) => void;
}

export class WorkerPool {
  readonly #workers: { worker: Worker; busy: number }[] = [];
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;
  #failure: Error | null = null;

  constructor(
    private readonly maxSize: number,
    private readonly job: BatchJob,
  ) {}

  /** The workers started so far. */
  get size(): number {
    return this.#workers.length;
  }

  #start(): { worker: Worker; busy: number } {
    // The CommonJS build (dist/cjs) compiles this file too, where `import.meta` does not exist;
    // the command runs only from dist/esm (package.json `bin`). `@ts-expect-error` would fail the
    // ESM type check, where the line is valid.
    // eslint-disable-next-line @typescript-eslint/ban-ts-comment
    // @ts-ignore
    const file = new URL('./worker.js', import.meta.url);
    const worker = new Worker(file, { workerData: this.job });
    const slot = { worker, busy: 0 };
    worker.on('message', ({ id, result }: { id: number; result: BatchResult }) => {
      slot.busy--;
      const p = this.#pending.get(id);
      this.#pending.delete(id);
      p?.resolve(result);
    });
    worker.on('error', (err) => this.#fail(err));
    worker.on('exit', (code) => {
      if (code !== 0) this.#fail(new Error(`a worker exited with code ${code}`));
    });
    this.#workers.push(slot);
    return slot;
  }

  /** Runs `text` (lines joined by `\n`) on the least busy worker (a new one when all are busy). */
  submit(text: string): Promise<BatchResult> {
    if (this.#failure) return Promise.reject(this.#failure);
    let slot = this.#workers[0];
    for (const w of this.#workers) if (w.busy < slot!.busy) slot = w;
    if (slot === undefined || (slot.busy > 0 && this.#workers.length < this.maxSize)) slot = this.#start();
    slot.busy++;
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      slot.worker.postMessage({ id, text });
    });
  }

  #fail(err: Error): void {
    this.#failure ??= err;
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    this.#failure ??= new Error('the pool is closed');
    await Promise.all(this.#workers.map(({ worker }) => worker.terminate()));
  }
}
