// Compiles src-ts twice — ESM (dist/esm) and CommonJS (dist/cjs), each with its .d.ts — and
// marks each output folder with its module type; dist/browser is dist/esm on the WASM loader.
// Run after `napi build` (npm run build).
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');

if (!existsSync(join(root, 'binding', 'binding.cjs'))) {
  throw new Error('binding/binding.cjs is missing: run `npm run build:native` first');
}
rmSync(join(root, 'dist'), { recursive: true, force: true });
// Both builds read tsconfig.build.json; the CommonJS one overrides the module format, with the
// classic resolver CommonJS output needs (the `.js` import specifiers work unchanged).
for (const [dir, type, overrides] of [
  ['esm', 'module', []],
  ['cjs', 'commonjs', ['--module', 'CommonJS', '--moduleResolution', 'Node10', '--outDir', 'dist/cjs']],
]) {
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), ...overrides], { stdio: 'inherit', cwd: root });
  mkdirSync(join(root, 'dist', dir), { recursive: true });
  writeFileSync(join(root, 'dist', dir, 'package.json'), `${JSON.stringify({ type }, null, 2)}\n`);
  // src-ts/native/ is one folder shallower than dist/<format>/native/: point the loader import
  // at the same binding/ folder from there (the only path that differs between the trees).
  for (const file of ['loader.js', 'loader.d.ts']) {
    const path = join(root, 'dist', dir, 'native', file);
    const text = readFileSync(path, 'utf8');
    const fixed = text.replaceAll('../../binding/binding.cjs', '../../../binding/binding.cjs');
    if (fixed === text && file === 'loader.js') throw new Error(`no binding import found in ${path}`);
    writeFileSync(path, fixed);
  }
}
// dist/browser: the ESM build on binding/binding.browser.js, which loads the WebAssembly package,
// for browsers (import maps) and bundlers; package.json points its `browser` condition here.
cpSync(join(root, 'dist', 'esm'), join(root, 'dist', 'browser'), { recursive: true });
const browserLoader = join(root, 'dist', 'browser', 'native', 'loader.js');
// Types come from dist/esm (the `browser` condition's `types`); the copies would only add weight.
for (const entry of readdirSync(join(root, 'dist', 'browser'), { recursive: true })) {
  if (String(entry).endsWith('.d.ts')) rmSync(join(root, 'dist', 'browser', String(entry)));
}
writeFileSync(browserLoader, readFileSync(browserLoader, 'utf8').replaceAll('../../../binding/binding.cjs', '../../../binding/binding.browser.js'));
// Every file that package.json `exports` names must exist (a moved entry point fails here, not at a user's import).
const { exports } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
for (const conditions of Object.values(exports)) {
  if (typeof conditions === 'string') continue;
  for (const target of Object.values(conditions).flatMap((c) => Object.values(c))) {
    if (!existsSync(join(root, target))) throw new Error(`package.json exports ${target}, which the build did not produce`);
  }
}
// The command line tool (package.json `bin`) is run directly.
chmodSync(join(root, 'dist', 'esm', 'cli', 'main.js'), 0o755);
console.log('built dist/esm, dist/cjs and dist/browser');
