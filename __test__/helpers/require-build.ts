/**
 * Vitest global setup: the suites that run the built package (`dist/`: examples, the CLI, worker
 * threads, fresh processes, both module formats) need `npm run build` first. A missing build stops
 * the run here with that instruction, so none of those tests is skipped silently.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const REQUIRED = [join('dist', 'esm', 'index.js'), join('dist', 'cjs', 'index.js'), join('dist', 'esm', 'cli', 'main.js')];

export default function requireBuild(): void {
  const missing = REQUIRED.filter((file) => !existsSync(join(root, file)));
  if (missing.length > 0) throw new Error(`${missing.join(', ')} missing: run \`npm run build\` before \`npm test\``);
}
