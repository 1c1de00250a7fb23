/**
 * A worker thread of the command: runs batches (`batch.ts`) as the main thread sends them and
 * posts each result back, its typed arrays transferred, not copied.
 *
 * @module
 */

import { parentPort, workerData } from 'node:worker_threads';

import { runBatch, type BatchJob } from './batch.js';

const job = workerData as BatchJob;
const port = parentPort!;

port.on('message', ({ id, text }: { id: number; text: string }) => {
  const result = runBatch(text, job);
  const transfer = [result.sizes.buffer, result.trained.buffer];
  if (result.tokens) transfer.push(result.tokens.buffer);
  if (result.masks) transfer.push(result.masks.buffer);
  port.postMessage({ id, result }, transfer as ArrayBuffer[]);
});
