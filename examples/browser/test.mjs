// Headless-Chromium test of the browser demo: serves the checkout on loopback, opens the page,
// edits the conversation, parses and streams a completion, checks what the page shows, and
// saves a screenshot (target/platform/browser-demo.png, or the path given as argument).
// Needs `npm run build`, the WASM build (scripts/platform/build.sh wasm32-wasip1) and Chromium
// (scripts/platform/install-deps.sh browser; CHROMIUM=path overrides /usr/bin/chromium).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serve } from './serve.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const screenshot = resolve(process.argv[2] ?? resolve(root, 'target', 'platform', 'browser-demo.png'));
const { server, url } = await serve(0);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  await page.goto(url);
  await page.waitForSelector('#status[data-ready="true"]', { timeout: 60_000 }).catch((e) => {
    throw new Error(`${e.message}\n${problems.join('\n')}`);
  });
  assert.match(await page.textContent('#status'), /HarmonyGptOss \(o200k_harmony\), running in WebAssembly/);

  // The default conversation renders; its first tokens are <|start|>system<|message|>.
  const ids = async (selector) => page.$$eval(`${selector} .tok .id`, (els) => els.map((e) => Number(e.textContent)));
  const text = async (selector) => (await page.$$eval(`${selector} .tok`, (els) => els.map((e) => e.firstChild.textContent))).join('');
  const first = await ids('#tokens');
  assert.deepEqual(first.slice(0, 3), [200006, 17360, 200008]);
  assert.equal(await page.textContent('#token-count'), `${first.length} tokens`);
  assert.match(await text('#tokens'), /type get_weather = \(_: \{↵location: string,↵\}\) => any;/, 'the developer tool is rendered');

  // Editing the user message re-renders: the new text appears as tokens, before <|end|><|start|>assistant.
  await page.fill('#user', 'Bonjour from a headless browser');
  const edited = await ids('#tokens');
  assert.notDeepEqual(edited, first);
  assert.ok((await text('#tokens')).includes('<|start|>user<|message|>Bonjour from a headless browser<|end|>'));
  assert.deepEqual(edited.slice(-3), [200007, 200006, 173781], 'ends with <|end|><|start|>assistant');
  // Bad tool JSON shows an error instead of tokens going stale silently.
  await page.fill('#tools', '[{"name": 1}]');
  assert.equal(await page.isVisible('#render-error'), true);
  await page.fill('#tools', '');
  assert.equal(await page.isVisible('#render-error'), false);

  // Parse the default completion: an analysis message and a tool call.
  await page.click('#parse');
  const messages = await page.$$eval('#messages li', (els) => els.map((e) => e.textContent));
  assert.equal(messages.length, 2);
  assert.match(messages[0], /^assistant · channel=analysis/);
  assert.match(messages[1], /channel=commentary · to=functions\.get_weather · <\|constrain\|>json\{"location": "Tokyo"\}$/);
  const events = await page.$$eval('#events li', (els) => els.map((e) => JSON.parse(e.textContent)));
  assert.deepEqual(events.filter((e) => e.type === 'tool-call'), [
    { type: 'tool-call', recipient: 'functions.get_weather', contentType: '<|constrain|>json', arguments: '{"location": "Tokyo"}' },
  ]);

  // Stream a final answer token by token: the deltas add up to the text, and the message appears.
  await page.fill('#completion-text', '<|channel|>final<|message|>Arr, 22 degrees in Tokyo.<|return|>');
  await page.fill('#delay', '5');
  await page.click('#stream');
  await page.waitForFunction(() => globalThis.document.querySelector('#status')?.textContent?.startsWith('Streamed'));
  const streamed = await page.$$eval('#events li', (els) => els.map((e) => JSON.parse(e.textContent)));
  const deltas = streamed.filter((e) => e.type === 'content-delta');
  assert.ok(deltas.length > 3, 'one delta per content token');
  assert.equal(deltas.map((e) => e.delta).join(''), 'Arr, 22 degrees in Tokyo.');
  assert.deepEqual(streamed.at(-1), { type: 'message-end', message: 'Arr, 22 degrees in Tokyo.', stopToken: 'return' });
  assert.match(await page.textContent('#messages'), /assistant · channel=final.*Arr, 22 degrees in Tokyo\./);

  assert.deepEqual(problems, []);
  mkdirSync(dirname(screenshot), { recursive: true });
  await page.fill('#tools', '[{"name": "get_weather", "description": "Gets the weather.", "parameters": {"type": "object", "properties": {"location": {"type": "string"}}}}]');
  await page.fill('#completion-text', '<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>{"location": "Tokyo"}<|call|>');
  await page.click('#parse');
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(`browser demo: all checks passed in ${(await browser.version())}; screenshot ${screenshot}`);
} finally {
  await browser.close();
  server.close();
}
