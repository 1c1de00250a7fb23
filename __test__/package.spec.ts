// The built package (dist/, after `npm run build`): loads by name from ESM and CommonJS through
// the exports map, in worker threads too, and — packed with its linux-x64-gnu platform package —
// installs into an empty folder and works without any Rust toolchain on PATH.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  exports: Record<string, unknown>;
  napi: { binaryName: string };
};
const built = existsSync(join(root, 'dist', 'esm', 'index.js')) && existsSync(join(root, 'dist', 'cjs', 'index.js'));

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

describe.runIf(built)('built package', () => {
  it('has an exports map with import, require and types', () => {
    const dot = pkg.exports['.'] as Record<string, Record<string, string>>;
    expect(Object.keys(dot)).toEqual(['import', 'require']);
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

  describe('packed tarballs', () => {
    const work = mkdtempSync(join(tmpdir(), 'gpt-oss-harmony-pack-'));
    afterAll(() => rmSync(work, { recursive: true, force: true }));

    it('install into an empty folder and work with no Rust toolchain on PATH', () => {
      const triple = 'linux-x64-gnu';
      const nodeFile = `${pkg.napi.binaryName}.${triple}.node`;
      if (process.platform !== 'linux' || process.arch !== 'x64' || !existsSync(join(root, 'binding', nodeFile))) return;
      // The platform package as the release workflow assembles it (napi artifacts): its package.json + the addon.
      const platformDir = join(work, 'platform');
      cpSync(join(root, 'npm', triple), platformDir, { recursive: true });
      cpSync(join(root, 'binding', nodeFile), join(platformDir, nodeFile));
      const npm = 'npm';
      const pack = (dir: string): string => {
        const out = execFileSync(npm, ['pack', '--json', '--pack-destination', work], { cwd: dir, encoding: 'utf8' });
        const info = JSON.parse(out) as { filename: string; files: { path: string }[] }[];
        return join(work, info[0]!.filename);
      };
      const mainTgz = pack(root);
      const platformTgz = pack(platformDir);
      const files = (JSON.parse(execFileSync(npm, ['pack', '--dry-run', '--json'], { cwd: root, encoding: 'utf8' })) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
      expect(files).toContain('dist/esm/index.js');
      expect(files).toContain('dist/cjs/index.d.ts');
      expect(files).toContain('binding/binding.cjs');
      expect(files.some((f) => f.endsWith('.node'))).toBe(false);

      const app = join(work, 'app');
      mkdirSync(app);
      writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
      execFileSync(npm, ['install', '--offline', '--no-audit', '--no-fund', mainTgz, platformTgz], { cwd: app, encoding: 'utf8' });
      expect(readdirSync(join(app, 'node_modules')).filter((f) => !f.startsWith('.')).sort()).toEqual([pkg.name, `${pkg.name}-${triple}`].sort());
      // A PATH with only node's own folder: no cargo, no rustc.
      const env: NodeJS.ProcessEnv = { ...process.env, PATH: [dirname(process.execPath)].join(delimiter) };
      for (const key of Object.keys(env)) if (key.startsWith('CARGO') || key.startsWith('RUST')) delete env[key];
      const esm = node(['--input-type=module', '-e', `import * as H from '${pkg.name}';${PROGRAM}`], app, env);
      const cjs = node(['-e', `const H = require('${pkg.name}');${PROGRAM}`], app, env);
      expect(JSON.parse(esm)).toEqual(JSON.parse(cjs));
      expect(JSON.parse(cjs)).toMatchObject({ n: 7, text: 'ok', isError: true });
      // It loaded the platform package's addon, not a file of this checkout.
      const where = node(['-e', `require('${pkg.name}'); console.log(Object.keys(require.cache).filter((f) => f.endsWith('.node')).join())`], app, env);
      expect(where).toContain(join('node_modules', `${pkg.name}-${triple}`));
    });
  });
});

if (!built) {
  describe('built package', () => {
    // Locally the suite may run before a build; in CI (`npm run build` first) a missing dist fails.
    it.skipIf(!process.env.CI)('needs `npm run build` first', () => {
      expect.fail('dist/ is missing: run `npm run build` before `npm test`');
    });
  });
}
