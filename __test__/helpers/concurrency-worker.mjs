// Worker for concurrency.spec.ts: imports the built package (dist/) and runs the shared
// deterministic workload, posting back the results (plain arrays/strings) for comparison.
import { parentPort, workerData } from 'node:worker_threads';

import { workload } from './concurrency-workload.mjs';

const mod = await import(workerData.entry);
const results = [];
for (let round = 0; round < workerData.rounds; round++) results.push(await workload(mod, workerData.seed));
parentPort.postMessage(results);
