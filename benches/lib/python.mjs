// The reference implementation (openai-harmony from PyPI) runs in its own process: a venv in
// benches/.venv is created on first use from reference/requirements.txt, and
// reference/bench_reference.py times one operation on one input per call, reporting raw samples and
// the digest of its output in the same canonical form as lib/canonical.mjs.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR } from './paths.mjs';
import { vocabDir } from './vocab.mjs';

const VENV = join(BENCH_DIR, '.venv');
const PYTHON = join(VENV, 'bin', 'python');
const SCRIPT = join(BENCH_DIR, 'reference', 'bench_reference.py');

let state; // undefined: not tried yet; null: unavailable; otherwise { version }

/** Sets up the venv if needed; returns null (with a warning) when Python cannot be used. */
export function pythonReference() {
  if (state !== undefined) return state;
  try {
    if (!existsSync(PYTHON)) {
      console.log('setting up the Python reference in benches/.venv ...');
      execFileSync('python3', ['-m', 'venv', VENV], { stdio: 'inherit' });
      execFileSync(PYTHON, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', join(BENCH_DIR, 'reference', 'requirements.txt')], { stdio: 'inherit' });
    }
    const version = execFileSync(PYTHON, ['-c', 'import sys, importlib.metadata as m; print(m.version("openai-harmony"), sys.version.split()[0])'], { encoding: 'utf8' }).trim().split(' ');
    state = { version: version[0], python: version[1] };
  } catch (err) {
    console.warn(`Python reference unavailable, its rows are skipped: ${err.message.split('\n')[0]}`);
    state = null;
  }
  return state;
}

/** A CASES entry that runs `op` in the Python reference. */
export const pythonCase = (op, note) => ({ name: 'openai-harmony (Python)', peer: 'openai-harmony@PyPI', python: op, note });

/**
 * Runs one timed operation in the reference. `spec` tells the script which input to build.
 * Returns { samplesMs, digest } or extra fields for cold start.
 */
export async function runPython(op, spec, { minSamples, timeMs, caseBudgetMs }) {
  const args = [SCRIPT, '--op', op, '--input', JSON.stringify(spec ?? {}), '--min-samples', String(minSamples), '--min-time-ms', String(timeMs), '--case-budget-ms', String(caseBudgetMs)];
  const result = spawnSync(PYTHON, args, {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    env: { ...process.env, TIKTOKEN_ENCODINGS_BASE: await vocabDir() },
  });
  if (result.status !== 0) throw new Error(`bench_reference.py --op ${op} failed: ${result.stderr.trim().split('\n').at(-1)}`);
  const out = JSON.parse(result.stdout);
  return { samplesMs: out.samples_ms, digest: out.digest };
}

export const PYTHON_BIN = PYTHON;
