import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_DIR = join(BENCH_DIR, '..');
export const CORPUS_DIR = join(BENCH_DIR, 'corpus');
export const RESULTS_DIR = join(BENCH_DIR, 'results');
