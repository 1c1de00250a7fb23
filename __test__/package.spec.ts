// The built package (dist/, after `npm run build`): loads by name from ESM and CommonJS through
// the exports map, in worker threads too; packed (`npm run pack`) with its linux-x64-gnu platform
// package, or with only the WebAssembly package when that was built, it installs into an empty
// folder offline and works without any Rust toolchain on PATH.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  exports: Record<string, unknown>;
  napi: { binaryName: string };
  dependencies?: Record<string, string>;
};
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string; dependencies?: Record<string, string> }> };

/** `names` and everything they depend on, by the lockfile. */
function dependencyClosure(names: string[]): Set<string> {
  const all = new Set<string>();
  const visit = (name: string) => {
    if (all.has(name)) return;
    all.add(name);
    for (const dep of Object.keys(lock.packages[`node_modules/${name}`]!.dependencies ?? {})) visit(dep);
  };
  names.forEach(visit);
  return all;
}

function node(args: string[], cwd = root, env: NodeJS.ProcessEnv = process.env): string {
  return execFileSync(process.execPath, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

const PROGRAM = `
  const enc = H.loadHarmonyEncoding();
  const conv = H.Conversation.fromMessages([H.Message.fromRoleAndContent('user', 'hi')]);
  const tokens = enc.renderConversationForCompletion(conv, 'assistant');
  const parsed = enc.parseMessagesFromCompletionTokens(enc.encode('<|channel|>final<|message|>ok<|end|>', { allowedSpecial: 'all' }), 'assistant');
  let err; try { enc.decode('x') } catch (e) { err = e }
  console.log(JSON.stringify({ n: tokens.length, text: parsed[0].text, isError: err instanceof H.HarmonyError, code: err.code, names: Object.keys(H).sort().length }));
`;

describe('built package', () => {
  it('has an exports map with browser, import, require and types', () => {
    const dot = pkg.exports['.'] as Record<string, Record<string, string>>;
    expect(Object.keys(dot)).toEqual(['browser', 'import', 'require']);
    expect(dot.browser).toEqual({ types: './dist/esm/index.d.ts', default: './dist/browser/index.js' });
    expect(dot.import).toEqual({ types: './dist/esm/index.d.ts', default: './dist/esm/index.js' });
    expect(dot.require).toEqual({ types: './dist/cjs/index.d.ts', default: './dist/cjs/index.js' });
  });

  it('loads by name from ESM (import) and CommonJS (require) with the same API', () => {
    const esm = node(['--input-type=module', '-e', `import * as H from '${pkg.name}';${PROGRAM}`]);
    const cjs = node(['-e', `const H = require('${pkg.name}');${PROGRAM}`]);
    expect(JSON.parse(esm)).toEqual(JSON.parse(cjs));
    expect(JSON.parse(esm)).toMatchObject({ n: 7, text: 'ok', isError: true, code: 'ERR_HARMONY_INVALID_ARGUMENT' });
    const named = node(['--input-type=module', '-e', `import { loadHarmonyEncoding, Role } from '${pkg.name}'; console.log(loadHarmonyEncoding().name, Role.User)`]);
    expect(named.trim()).toBe('HarmonyGptOss user');
  });

  it('loads in worker threads alongside the main thread', () => {
    const out = node([
      '-e',
      `const { Worker } = require('node:worker_threads');
       const H = require('${pkg.name}');
       const main = Array.from(H.loadHarmonyEncoding().encode('hello world'));
       let done = 0; const results = [];
       for (let i = 0; i < 2; i++) {
         const w = new Worker("const H = require('${pkg.name}'); require('node:worker_threads').parentPort.postMessage(Array.from(H.loadHarmonyEncoding().encode('hello world')))", { eval: true });
         w.on('message', (m) => { results.push(m); if (++done === 2) console.log(JSON.stringify({ main, results })); });
         w.on('error', (e) => { console.error(e); process.exit(1); });
       }`,
    ]);
    const { main, results } = JSON.parse(out) as { main: number[]; results: number[][] };
    expect(main).toEqual([24912, 2375]);
    expect(results).toEqual([main, main]);
  });

  describe('packed tarballs (npm run pack)', () => {
    const work = mkdtempSync(join(tmpdir(), 'gpt-oss-harmony-pack-'));
    afterAll(() => rmSync(work, { recursive: true, force: true }));
    const npm = 'npm';
    const tarballs = join(work, 'tarballs');
    let packed: string[] = [];
    const tarball = (name: string) => packed.find((f) => f.endsWith(`/${name}-${pkg.version}.tgz`));
    beforeAll(() => {
      packed = node([join(root, 'scripts', 'pack.mjs'), tarballs]).trim().split('\n');
    }, 180_000);

    /** An empty app folder with `tarballs` installed offline; returns its path. */
    function install(name: string, tgzs: string[], flags: string[] = []): string {
      const app = join(work, name);
      mkdirSync(app);
      writeFileSync(join(app, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true }));
      execFileSync(npm, ['install', '--offline', '--no-audit', '--no-fund', ...flags, ...tgzs], { cwd: app, encoding: 'utf8' });
      return app;
    }
    /** Node with only its own folder on PATH (no cargo, no rustc) and no Rust variables. */
    function withoutRust(): NodeJS.ProcessEnv {
      const env: NodeJS.ProcessEnv = { ...process.env, PATH: [dirname(process.execPath)].join(delimiter) };
      for (const key of Object.keys(env)) if (key.startsWith('CARGO') || key.startsWith('RUST') || key.startsWith('NAPI_RS')) delete env[key];
      return env;
    }
    /** Runs PROGRAM in `app` from ESM and CommonJS; both must agree and work. */
    function works(app: string, env: NodeJS.ProcessEnv): void {
      const esm = node(['--no-warnings', '--input-type=module', '-e', `import * as H from '${pkg.name}';${PROGRAM}`], app, env);
      const cjs = node(['--no-warnings', '-e', `const H = require('${pkg.name}');${PROGRAM}`], app, env);
      expect(JSON.parse(esm)).toEqual(JSON.parse(cjs));
      expect(JSON.parse(cjs)).toMatchObject({ n: 7, text: 'ok', isError: true });
    }
    /** The loader files `require` took in `app`. */
    const loaded = (app: string, env: NodeJS.ProcessEnv) =>
      node(['--no-warnings', '-e', `require('${pkg.name}'); console.log(Object.keys(require.cache).filter((f) => /\\.node$|wasi/.test(f)).join())`], app, env);

    it('hold the main package with every platform package as an optionalDependency at its exact version', () => {
      expect(tarball(pkg.name)).toBeDefined();
      const manifest = JSON.parse(execFileSync('tar', ['-xzOf', tarball(pkg.name)!, 'package/package.json'], { encoding: 'utf8' })) as { optionalDependencies: Record<string, string> };
      const platforms = readdirSync(join(root, 'npm')).map((d) => (JSON.parse(readFileSync(join(root, 'npm', d, 'package.json'), 'utf8')) as { name: string }).name);
      expect(platforms).toContain(`${pkg.name}-wasm32-wasip1`);
      expect(manifest.optionalDependencies).toEqual(Object.fromEntries(platforms.sort().map((n) => [n, pkg.version])));
      // The committed package.json leaves them out, so that `npm ci` works before they are published.
      expect((pkg as { optionalDependencies?: unknown }).optionalDependencies).toBeUndefined();
    });

    it('install into an empty folder offline and work from ESM and CommonJS with no Rust on PATH (linux-x64-gnu)', () => {
      const triple = 'linux-x64-gnu';
      const platformTgz = tarball(`${pkg.name}-${triple}`);
      if (process.platform !== 'linux' || process.arch !== 'x64' || platformTgz === undefined) return;
      const app = install('app-native', [tarball(pkg.name)!, platformTgz]);
      // Besides the platform package, only the package's own dependencies (the command's progress bar).
      const runtime = [...dependencyClosure(Object.keys(pkg.dependencies ?? {}))].map((n) => n.split('/')[0]!);
      expect(readdirSync(join(app, 'node_modules')).filter((f) => !f.startsWith('.')).sort()).toEqual([...new Set([pkg.name, `${pkg.name}-${triple}`, ...runtime])].sort());
      const env = withoutRust();
      works(app, env);
      expect(loaded(app, env)).toContain(join('node_modules', `${pkg.name}-${triple}`, `${pkg.napi.binaryName}.${triple}.node`));
    });

    it('install with only the WebAssembly package and fall back to it (no native addon)', () => {
      const wasmTgz = tarball(`${pkg.name}-wasm32-wasip1`);
      if (wasmTgz === undefined) return; // not built here: scripts/platform/build.sh wasm32-wasip1
      // Its runtime (@napi-rs/wasm-runtime, emnapi) comes from the registry: cache those exact
      // versions first, so that the install itself runs offline.
      const wasmManifest = JSON.parse(readFileSync(join(root, 'npm', 'wasm32-wasip1', 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
      const runtime = dependencyClosure(Object.keys(wasmManifest.dependencies));
      execFileSync(npm, ['cache', 'add', ...[...runtime].map((n) => `${n}@${lock.packages[`node_modules/${n}`]!.version}`)], { encoding: 'utf8' });
      // --force: the package declares cpu "wasm32", which npm otherwise refuses to install on x64.
      const app = install('app-wasm', [tarball(pkg.name)!, wasmTgz], ['--force']);
      const env = withoutRust();
      works(app, env);
      const files = loaded(app, env);
      expect(files).toContain(join('node_modules', `${pkg.name}-wasm32-wasip1`, 'harmony.wasip1.cjs'));
      expect(files).not.toMatch(/\.node(,|$)/);
    }, 120_000);
  });

  it('npm pack ships the built package and its licence, nothing else (npm pack --dry-run)', () => {
    const files = (JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: root, encoding: 'utf8' })) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path).sort();
    const outside = files.filter((f) => !/^dist\/(esm|cjs|browser)\//.test(f));
    expect(outside).toEqual(['CHANGELOG.md', 'LICENSE', 'README.md', 'binding/binding.browser.js', 'binding/binding.cjs', 'binding/binding.d.cts', 'package.json']);
    for (const format of ['esm', 'cjs', 'browser']) {
      expect(files).toContain(`dist/${format}/index.js`);
      expect(files).toContain(`dist/${format}/package.json`);
    }
    expect(files).toContain('dist/esm/index.d.ts');
    expect(files).toContain('dist/cjs/index.d.ts');
    // Source maps ship with their sources (inlined), since src-ts/ does not ship.
    const maps = files.filter((f) => f.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(0);
    for (const map of maps) {
      const { sources, sourcesContent } = JSON.parse(readFileSync(join(root, map), 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[] };
      expect(sourcesContent?.length, map).toBe(sources.length);
      expect(sourcesContent!.every((c) => typeof c === 'string' && c.length > 0), map).toBe(true);
    }
  });
});
