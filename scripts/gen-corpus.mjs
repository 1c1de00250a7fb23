#!/usr/bin/env node
// Generates the shared benchmark corpus in benches/corpus/ from real text that ships with Debian
// packages and with Python, so that no input is hand-written and every peer (and the Rust benches)
// reads the very same bytes.
//
//   node scripts/gen-corpus.mjs [--force] [--out DIR]
//
// Sources: licence texts (base-files), man pages (manpages, manpages-ja, manpages-zh, manpages-ru),
// Chinese fortunes (fortunes-zh) and the Python standard library. Files are taken from `dpkg -L` of
// each package rather than from whatever happens to sit in /usr/share/man, so the output depends only
// on the package versions (recorded in manifest.json), not on what else a machine has installed.
// Selection and cutting use a fixed-seed PRNG: the same packages give byte-identical output.
//
// Outputs (sizes are printed at the end):
//   english.txt, code.txt, cjk.txt, russian.txt   ~1 MB each, UTF-8, cut at line boundaries
//   short.json            10 000 chat-sized strings (20-200 UTF-8 bytes), cut at line/sentence boundaries
//   conversations.json    conversations of 10 / 100 / 1000 messages in the reference JSON shape
//   completion.json       Harmony text of a ~100k-token completion of ~1 500 assistant messages,
//                         with the messages a parser must return for it
//   manifest.json         sources, versions, seed, sizes and SHA-256 of every output

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const SEED = 0x6a09e667;
const CORPUS_BYTES = 1_000_000;
const SHORT_COUNT = 10_000;
const SHORT_SHARES = { english: 0.4, code: 0.2, cjk: 0.2, russian: 0.2 };
const SHORT_MIN = 20;
const SHORT_MAX = 200;
const CONVERSATION_SIZES = [10, 100, 1000];
const COMPLETION_MESSAGES = 1500;
const PACKAGES = ['base-files', 'manpages', 'manpages-ja', 'manpages-zh', 'manpages-ru', 'fortunes-zh'];
const OUTPUTS = ['english.txt', 'code.txt', 'cjk.txt', 'russian.txt', 'short.json', 'conversations.json', 'completion.json', 'manifest.json'];

// ---------------------------------------------------------------------------------------------
// Deterministic randomness

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Rng {
  constructor(seed) { this.next = mulberry32(seed); }
  int(lo, hi) { return lo + Math.floor(this.next() * (hi - lo + 1)); } // inclusive bounds
  pick(items) { return items[Math.floor(this.next() * items.length)]; }
  chance(p) { return this.next() < p; }
  shuffle(items) {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }
  weighted(weights) { // weights: [[value, weight], ...]
    const total = weights.reduce((s, [, w]) => s + w, 0);
    let r = this.next() * total;
    for (const [value, w] of weights) if ((r -= w) < 0) return value;
    return weights.at(-1)[0];
  }
}

// ---------------------------------------------------------------------------------------------
// Sources

const utf8 = new TextDecoder('utf-8', { fatal: true });
const byteLength = (s) => Buffer.byteLength(s, 'utf8');

function readText(path) {
  let bytes = readFileSync(path);
  if (path.endsWith('.gz')) bytes = gunzipSync(bytes);
  try {
    return utf8.decode(bytes);
  } catch {
    return null; // a few pages are still in legacy encodings; skip them rather than guess
  }
}

function isRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function packageInstalled(pkg) {
  try {
    return execFileSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .includes('install ok installed');
  } catch {
    return false;
  }
}

function ensurePackages() {
  const missing = PACKAGES.filter((p) => !packageInstalled(p));
  if (missing.length === 0) return;
  if (!isRoot()) {
    throw new Error(`missing Debian packages: ${missing.join(' ')} (run as root, or: apt-get install -y ${missing.join(' ')})`);
  }
  console.log(`installing ${missing.join(' ')} ...`);
  const install = () => execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], {
    stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  try {
    install();
  } catch {
    // A fresh machine has no package lists yet.
    execFileSync('apt-get', ['update'], { stdio: ['ignore', 'ignore', 'inherit'] });
    install();
  }
}

function packageVersion(pkg) {
  return execFileSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8' }).trim();
}

function packageFiles(pkg, pattern) {
  return execFileSync('dpkg', ['-L', pkg], { encoding: 'utf8', maxBuffer: 64 << 20 })
    .split('\n')
    .filter((p) => pattern.test(p) && existsSync(p) && statSync(p).isFile())
    .sort();
}

function pythonStdlib() {
  const out = execFileSync('python3', ['-c', 'import sys,sysconfig;print(sysconfig.get_paths()["stdlib"]);print(sys.version.split()[0])'], { encoding: 'utf8' });
  const [dir, version] = out.trim().split('\n');
  return { dir, version };
}

function walkPython(root) {
  const skip = new Set(['test', 'tests', 'idle_test', 'site-packages', 'dist-packages', '__pycache__']);
  const files = [];
  const visit = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!skip.has(entry.name)) visit(full);
      } else if (entry.isFile() && entry.name.endsWith('.py')) {
        files.push(full);
      }
    }
  };
  visit(root);
  return files;
}

// ---------------------------------------------------------------------------------------------
// troff → plain text. `man` output would depend on groff's version, the terminal width and the
// locale (CJK needs extra groff setup), so the sources are stripped here instead: requests are
// dropped, text-carrying macros keep their arguments, escapes become the characters they stand for.

const NAMED_GLYPHS = {
  em: '—', en: '–', hy: '-', bu: '•', co: '©', rg: '®', tm: '™', lq: '“', rq: '”', oq: '‘', cq: '’',
  aq: "'", dq: '"', mu: '×', di: '÷', ge: '≥', le: '≤', ne: '≠', '->': '→', '<-': '←', ha: '^', ti: '~',
  rs: '\\', dg: '†', de: '°', pl: '+', mi: '−', eq: '=', sl: '/', ba: '|', or: '|', bv: '|', at: '@',
  sh: '#', Fo: '«', Fc: '»', fo: '‹', fc: '›', ga: '`', aa: '´', ua: '↑', da: '↓', pd: '∂', ss: 'ß',
  R: '®', Tm: '™',
};
// Macros whose arguments are running text (font changes, headings, list tags, mdoc names).
const TEXT_MACROS = new Set(['B', 'I', 'SM', 'SB', 'SH', 'SS', 'UR', 'MT', 'OP', 'Nm', 'Nd', 'Sh', 'Ss']);
const ALTERNATING_MACROS = new Set(['BR', 'BI', 'IB', 'IR', 'RB', 'RI']); // arguments joined without spaces
const PARAGRAPH_MACROS = new Set(['PP', 'LP', 'P', 'SH', 'SS', 'TP', 'TQ', 'IP', 'HP', 'sp', 'Pp', 'Sh', 'Ss', 'RS', 'RE', 'EX', 'EE', 'nf', 'fi', 'in']);
const HEADING_MACROS = new Set(['SH', 'SS', 'Sh', 'Ss']);

function glyph(name) {
  if (name.startsWith('u') && /^u[0-9A-Fa-f]{4,6}$/.test(name)) return String.fromCodePoint(parseInt(name.slice(1), 16));
  return NAMED_GLYPHS[name] ?? '';
}

function unescapeTroff(line) {
  let out = '';
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch !== '\\') { out += ch; continue; }
    const e = line[++i];
    if (e === undefined) break;
    const bracketed = (start) => { // \X[...] or \X(xx or \Xx; returns [name, nextIndex]
      if (line[start] === '[') { const end = line.indexOf(']', start); return end < 0 ? ['', line.length] : [line.slice(start + 1, end), end + 1]; }
      if (line[start] === '(') return [line.slice(start + 1, start + 3), start + 3];
      return [line[start] ?? '', start + 1];
    };
    switch (e) {
      case '"': case '#': return out; // comment to end of line
      case 'f': case 'F': case 'n': case 'g': case 'k': case 'm': case 'M': case 'V': case 'Y': {
        const [, next] = bracketed(i + 1); i = next - 1; break;
      }
      case '*': { const [name, next] = bracketed(i + 1); out += glyph(name); i = next - 1; break; }
      case '(': { out += glyph(line.slice(i + 1, i + 3)); i += 2; break; }
      case '[': { const end = line.indexOf(']', i); out += glyph(end < 0 ? '' : line.slice(i + 1, end)); i = end < 0 ? line.length : end; break; }
      case 's': { // \s+1, \s-1, \s0, \s(12, \s[12]
        let j = i + 1;
        if (line[j] === '+' || line[j] === '-') j++;
        if (line[j] === '(') j += 3; else if (line[j] === '[') j = line.indexOf(']', j) + 1 || line.length; else while (/[0-9]/.test(line[j] ?? '')) j++;
        i = j - 1; break;
      }
      case 'X': case 'h': case 'v': case 'w': case 'l': case 'L': case 'o': case 'Z': case 'b': case 'x': case 'D': case 'A': case 'B': case 'C': case 'N': case 'R': case 'S': {
        const delim = line[i + 1];
        const end = delim === undefined ? -1 : line.indexOf(delim, i + 2);
        i = end < 0 ? i + 1 : end; break;
      }
      case '-': out += '-'; break;
      case 'e': case '\\': out += '\\'; break;
      case ' ': case '~': case '0': case '_': out += ' '; break;
      case "'": out += '´'; break;
      case '`': out += '`'; break;
      case '.': out += '.'; break;
      case 't': out += '\t'; break;
      case '&': case '|': case '^': case ':': case '%': case '/': case ',': case 'c': case 'd': case 'u': case 'p': case 'r': case 'z': case 'a': case '{': case '}': case ')': case '!': case '?':
        break;
      default: out += e;
    }
  }
  return out;
}

function macroArgs(rest) {
  const args = [];
  const re = /"((?:[^"]|"")*)"?|(\S+)/g;
  let m;
  while ((m = re.exec(rest))) args.push(m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2]);
  return args;
}

// Fills lines into paragraphs the way troff does (joined with a space), except in no-fill blocks
// (.nf/.EX), which keep their line breaks. Headings and list tags get a line of their own.
function troffToText(src) {
  const out = [];
  let paragraph = [];
  let noFill = false;
  let tagNext = false; // the line after .TP is the tag of a list item
  let tableHeader = false; // between .TS and the format line that ends with '.'
  let skipUntil = null; // inside .EQ/.EN, .de/.., .ig/..
  const flush = () => {
    if (paragraph.length) out.push(paragraph.join(' '));
    paragraph = [];
  };
  const addText = (t) => {
    if (noFill) { out.push(t); return; }
    if (t.trim() === '') { flush(); out.push(''); return; }
    paragraph.push(t.trim());
    if (tagNext) { flush(); tagNext = false; }
  };
  for (const raw of src.split('\n')) {
    if (skipUntil) { if (raw.startsWith(skipUntil)) skipUntil = null; continue; }
    if (tableHeader) { if (/\.\s*$/.test(raw)) tableHeader = false; continue; }
    if (/^[.']\s*\\"/.test(raw) || raw.startsWith('\\"')) continue;
    if (raw.startsWith('.') || raw.startsWith("'")) {
      const m = /^[.']\s*(\S+)\s*(.*)$/.exec(raw);
      if (!m) continue;
      const [, req, rest] = m;
      if (req === 'TS') { flush(); tableHeader = true; continue; }
      if (req === 'EQ') { skipUntil = '.EN'; continue; }
      if (req === 'de' || req === 'ig' || req === 'am') { skipUntil = '..'; continue; }
      if (PARAGRAPH_MACROS.has(req) || req === 'br') { flush(); if (req !== 'br') out.push(''); }
      if (req === 'nf' || req === 'EX') noFill = true;
      if (req === 'fi' || req === 'EE') noFill = false;
      if (req === 'TP' || req === 'TQ') tagNext = true;
      if (req === 'IP' || req === 'HP') {
        const tag = unescapeTroff(macroArgs(rest)[0] ?? '').trim();
        if (tag) out.push(tag);
      } else if (TEXT_MACROS.has(req)) {
        const t = macroArgs(rest).map(unescapeTroff).join(' ');
        if (t.trim()) addText(t);
        if (HEADING_MACROS.has(req)) flush();
      } else if (ALTERNATING_MACROS.has(req)) {
        const t = macroArgs(rest).map(unescapeTroff).join('');
        if (t.trim()) addText(t);
      }
      continue;
    }
    if (!noFill && /^\s/.test(raw)) flush(); // a leading space breaks the line in troff
    addText(unescapeTroff(raw.replace(/T[{}]/g, '')).replace(/\s+$/, ''));
  }
  flush();
  return out.map((l) => l.replace(/\s+$/, '')).join('\n').replace(/\n{3,}/g, '\n\n').trim();
}

function manPage(path) {
  const src = readText(path);
  if (src === null || (src.length < 200 && /^\.so\s/m.test(src))) return null; // `.so` aliases of other pages
  const text = troffToText(src);
  return text.length > 0 ? text : null;
}

function fortunes(path) {
  const src = readText(path);
  if (src === null) return [];
  return src
    // eslint-disable-next-line no-control-regex -- the files colour titles with ANSI escapes, which start with ESC
    .replace(/\x1b\[[0-9;]*m/g, '')
    .split(/^%$/m)
    .map((s) => s.trim())
    .filter(Boolean);
}

// Joins whole documents until the budget is met; the last one is cut at a line boundary so the total
// stays ≤ budget and no character is split.
function fill(docs, budget, separator = '\n\n') {
  const parts = [];
  let size = 0;
  for (const doc of docs) {
    const sep = parts.length ? byteLength(separator) : 0;
    const room = budget - size - sep;
    if (room <= 0) break;
    const docBytes = byteLength(doc);
    if (docBytes <= room) { parts.push(doc); size += sep + docBytes; continue; }
    let cut = '';
    for (const line of doc.split('\n')) {
      const next = cut ? `${cut}\n${line}` : line;
      if (byteLength(next) > room) break;
      cut = next;
    }
    if (cut) parts.push(cut);
    break;
  }
  return parts.join(separator);
}

// Sections of several sources, each filling its share of the budget (separators included).
function mix(parts, budget, separator = '\n\n') {
  const room = budget - byteLength(separator) * (parts.length - 1);
  return parts.map(([docs, share]) => fill(docs, Math.floor(share * room))).join(separator);
}

// ---------------------------------------------------------------------------------------------
// Snippets: consecutive lines of a corpus, cut at a line or sentence boundary, within a byte range.

const SENTENCE_END = /(?<=[.!?;:])\s+|(?<=[。！？；])/u;

class SnippetSource {
  constructor(name, text, rng) {
    this.name = name;
    this.rng = rng;
    this.code = name === 'code';
    this.lines = text.split('\n').map((l) => l.replace(/\s+$/, ''));
  }

  // Returns a snippet of minBytes..maxBytes bytes, or null if the random start did not give one.
  tryTake(minBytes, maxBytes) {
    let i = this.rng.int(0, this.lines.length - 1);
    while (i < this.lines.length && this.lines[i].trim() === '') i++;
    let text = '';
    for (; i < this.lines.length; i++) {
      const line = this.code ? this.lines[i] : this.lines[i].trim();
      if (line === '' && !this.code) break; // stay inside one paragraph
      const next = text ? `${text}\n${line}` : line;
      if (byteLength(next) > maxBytes) {
        if (!text) text = this.cutSentences(line, maxBytes);
        break;
      }
      text = next;
      if (byteLength(text) >= minBytes && this.rng.chance(0.5)) break;
    }
    text = text.replace(/\s+$/, '');
    if (byteLength(text) < minBytes || byteLength(text) > maxBytes || text.includes('<|')) return null;
    return text;
  }

  // The longest run of whole sentences from the start of an over-long line that fits.
  cutSentences(line, maxBytes) {
    let out = '';
    for (const sentence of line.split(SENTENCE_END)) {
      const next = out ? `${out} ${sentence}` : sentence;
      if (byteLength(next) > maxBytes) break;
      out = next;
    }
    return out;
  }

  take(minBytes, maxBytes) {
    for (let attempt = 0; attempt < 10_000; attempt++) {
      const s = this.tryTake(minBytes, maxBytes);
      if (s !== null) return s;
    }
    throw new Error(`no ${minBytes}-${maxBytes} byte snippet found in ${this.name}`);
  }

  // Several snippets joined into paragraphs, aiming at a random length within the range.
  paragraphs(minBytes, maxBytes) {
    const target = this.rng.int(minBytes, maxBytes);
    const parts = [this.take(Math.min(minBytes, 200), Math.min(maxBytes, 600))];
    while (byteLength(parts.join('\n\n')) < target) parts.push(this.take(40, 600));
    let text = parts.join('\n\n');
    while (byteLength(text) > maxBytes && parts.length > 1) { parts.pop(); text = parts.join('\n\n'); }
    return text;
  }
}

// ---------------------------------------------------------------------------------------------
// Harmony content shared by the conversations and the completion

const FUNCTION_TOOLS = [
  {
    name: 'search_manual',
    description: 'Searches the installed manual pages and returns matching passages.',
    parameters: {
      type: 'object',
      properties: {
        query: { type: 'string', description: 'Words to look for.' },
        section: { type: 'string', enum: ['1', '2', '3', '4', '5', '6', '7', '8'], description: 'Manual section to restrict the search to.' },
        language: { type: 'string', enum: ['en', 'ja', 'zh', 'ru'], default: 'en' },
        limit: { type: 'integer', minimum: 1, maximum: 20, default: 5 },
      },
      required: ['query'],
    },
  },
  {
    name: 'run_python',
    description: 'Runs a Python snippet in a sandbox and returns what it printed.',
    parameters: {
      type: 'object',
      properties: {
        code: { type: 'string', description: 'Source code to execute.' },
        timeout_seconds: { type: 'number', description: 'Wall-clock limit.', default: 10 },
        packages: { type: 'array', items: { type: 'string' }, description: 'Extra modules to import first.' },
      },
      required: ['code'],
    },
  },
];

const LANGUAGE_MIX = [['english', 0.55], ['code', 0.15], ['cjk', 0.15], ['russian', 0.15]];

class HarmonyContent {
  constructor(sources, rng) {
    this.sources = sources;
    this.rng = rng;
  }

  source(name = this.rng.weighted(LANGUAGE_MIX)) { return this.sources[name]; }
  prose(minBytes, maxBytes) { return this.source().paragraphs(minBytes, maxBytes); }

  toolCall() {
    const tool = this.rng.pick(FUNCTION_TOOLS);
    const args = tool.name === 'search_manual'
      ? { query: this.source(this.rng.weighted([['english', 0.7], ['cjk', 0.15], ['russian', 0.15]])).take(20, 90), limit: this.rng.int(1, 10) }
      : { code: this.sources.code.take(40, 300) };
    return { recipient: `functions.${tool.name}`, args: JSON.stringify(args) };
  }

  toolResult(recipient) {
    const results = Array.from({ length: this.rng.int(1, 3) }, () => this.source().take(40, 300));
    return JSON.stringify(recipient.endsWith('run_python') ? { stdout: results.join('\n'), exit_code: 0 } : { results });
  }
}

const text = (t) => [{ type: 'text', text: t }];

function systemMessage() {
  return {
    role: 'system',
    name: null,
    content: [{
      type: 'system_content',
      model_identity: 'You are ChatGPT, a large language model trained by OpenAI.',
      reasoning_effort: 'Medium',
      conversation_start_date: '2025-06-28',
      knowledge_cutoff: '2024-06',
      channel_config: { valid_channels: ['analysis', 'commentary', 'final'], channel_required: true },
    }],
  };
}

function developerMessage(content) {
  return {
    role: 'developer',
    name: null,
    content: [{
      type: 'developer_content',
      instructions: content.sources.english.take(80, 400),
      tools: { functions: { name: 'functions', tools: FUNCTION_TOOLS } },
    }],
  };
}

// One user turn and the assistant's answer: analysis, sometimes a tool call and its result, final.
function* conversationTurns(content) {
  const rng = content.rng;
  for (;;) {
    const turn = [{ role: 'user', name: null, content: text(content.source().take(SHORT_MIN, SHORT_MAX)) }];
    turn.push({ role: 'assistant', name: null, content: text(content.prose(100, 800)), channel: 'analysis' });
    if (rng.chance(0.35)) {
      const call = content.toolCall();
      turn.push({ role: 'assistant', name: null, content: text(call.args), channel: 'commentary', recipient: call.recipient, content_type: '<|constrain|>json' });
      turn.push({ role: 'tool', name: call.recipient, content: text(content.toolResult(call.recipient)), channel: 'commentary', recipient: 'assistant' });
      turn.push({ role: 'assistant', name: null, content: text(content.prose(60, 400)), channel: 'analysis' });
    }
    turn.push({ role: 'assistant', name: null, content: text(content.prose(80, 1200)), channel: 'final' });
    yield* turn;
  }
}

function conversation(content, size) {
  const messages = [systemMessage(), developerMessage(content)];
  for (const message of conversationTurns(content)) {
    if (messages.length >= size) break;
    messages.push(message);
  }
  return { messages };
}

// A long sampled completion as the model writes it: the text starts right after `<|start|>assistant`,
// and messages end with <|end|> (analysis), <|call|> (tool calls) or <|return|> (final answers).
function completion(content) {
  const rng = content.rng;
  const messages = [];
  let body = '';
  const add = (message, header, stop) => {
    body += `${messages.length ? '<|start|>assistant' : ''}${header}<|message|>${message.content[0].text}${stop}`;
    messages.push(message);
  };
  while (messages.length < COMPLETION_MESSAGES) {
    const analysis = (minBytes, maxBytes) => add(
      { role: 'assistant', name: null, content: text(content.prose(minBytes, maxBytes)), channel: 'analysis' },
      '<|channel|>analysis', '<|end|>');
    analysis(60, 450);
    if (rng.chance(0.4)) {
      const call = content.toolCall();
      add({ role: 'assistant', name: null, content: text(call.args), channel: 'commentary', recipient: call.recipient, content_type: '<|constrain|>json' },
        `<|channel|>commentary to=${call.recipient} <|constrain|>json`, '<|call|>');
      if (messages.length < COMPLETION_MESSAGES) analysis(40, 280);
    }
    if (messages.length < COMPLETION_MESSAGES) {
      add({ role: 'assistant', name: null, content: text(content.prose(60, 560)), channel: 'final' }, '<|channel|>final', '<|return|>');
    }
  }
  return {
    description: 'Harmony completion text of assistant messages, as sampled after `<|start|>assistant`.',
    tokenize: { allowed_special: 'all' },
    parse: { role: 'assistant', strict: true },
    message_count: messages.length,
    text: body,
    messages,
  };
}

// ---------------------------------------------------------------------------------------------

function shortStrings(sources, rng) {
  const seen = new Set();
  const out = [];
  for (const [name, share] of Object.entries(SHORT_SHARES)) {
    const count = Math.round(share * SHORT_COUNT);
    let added = 0;
    for (let attempt = 0; added < count; attempt++) {
      if (attempt > count * 200) throw new Error(`could not cut ${count} short strings from ${name}`);
      const s = sources[name].tryTake(SHORT_MIN, SHORT_MAX);
      if (s === null || seen.has(s)) continue;
      seen.add(s);
      out.push(s);
      added++;
    }
  }
  return rng.shuffle(out); // interleave languages so no peer sees one script in a long run
}

function parseArgs(argv) {
  const args = { force: false, out: resolve(dirname(fileURLToPath(import.meta.url)), '..', 'benches', 'corpus') };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--force') args.force = true;
    else if (argv[i] === '--out') args.out = resolve(argv[++i]);
    else throw new Error(`unknown argument ${argv[i]} (usage: gen-corpus.mjs [--force] [--out DIR])`);
  }
  return args;
}

function printSizes(out) {
  for (const name of OUTPUTS) {
    const bytes = statSync(join(out, name)).size;
    console.log(`${name.padEnd(20)} ${bytes.toLocaleString('en-US').padStart(12)} bytes`);
  }
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  if (!args.force && OUTPUTS.every((f) => existsSync(join(args.out, f)))) {
    console.log(`corpus present in ${relative(process.cwd(), args.out) || '.'} (use --force to regenerate)`);
    printSizes(args.out);
    return;
  }
  ensurePackages();
  const rng = new Rng(SEED);
  const py = pythonStdlib();

  const licences = [...new Set(readdirSync('/usr/share/common-licenses').sort().map((f) => realpathSync(join('/usr/share/common-licenses', f))))]
    .map(readText).filter(Boolean);
  const pages = (pkg, dirs) => rng.shuffle(packageFiles(pkg, dirs)).map(manPage).filter(Boolean);
  const manEnglish = pages('manpages', /^\/usr\/share\/man\/man\d\/.*\.gz$/);
  const manJa = pages('manpages-ja', /^\/usr\/share\/man\/ja\/man\d\/.*\.gz$/);
  const manZh = pages('manpages-zh', /^\/usr\/share\/man\/zh_(CN|TW)\/man\d\/.*\.gz$/);
  const manRu = pages('manpages-ru', /^\/usr\/share\/man\/ru\/man\d\/.*\.gz$/);
  const fortunesZh = rng.shuffle(packageFiles('fortunes-zh', /^\/usr\/share\/games\/fortunes\/[a-z0-9]+$/).flatMap(fortunes));
  const python = rng.shuffle(walkPython(py.dir)).map(readText).filter(Boolean);

  const corpora = {
    english: fill([...licences, ...manEnglish], CORPUS_BYTES),
    code: fill(python, CORPUS_BYTES),
    cjk: mix([[manJa, 0.4], [manZh, 0.3], [fortunesZh, 0.3]], CORPUS_BYTES),
    russian: fill(manRu, CORPUS_BYTES),
  };
  for (const [name, text] of Object.entries(corpora)) {
    // An image whose dpkg config drops man pages (path-exclude) installs the packages without them.
    if (byteLength(text) < 0.9 * CORPUS_BYTES) throw new Error(`only ${byteLength(text)} bytes of ${name} text found; are man pages excluded by /etc/dpkg/dpkg.cfg.d?`);
  }
  const sources = Object.fromEntries(Object.entries(corpora).map(([name, t]) => [name, new SnippetSource(name, t, rng)]));
  const content = new HarmonyContent(sources, rng);

  const render = { op: 'render_conversation_for_completion', next_turn_role: 'assistant', config: { auto_drop_analysis: false } };
  const files = {
    'english.txt': corpora.english,
    'code.txt': corpora.code,
    'cjk.txt': corpora.cjk,
    'russian.txt': corpora.russian,
    'short.json': JSON.stringify(shortStrings(sources, rng)),
    'conversations.json': JSON.stringify(CONVERSATION_SIZES.map((size) => ({ name: `${size} messages`, message_count: size, render, conversation: conversation(content, size) }))),
    'completion.json': JSON.stringify(completion(content)),
  };

  mkdirSync(args.out, { recursive: true });
  for (const [name, data] of Object.entries(files)) writeFileSync(join(args.out, name), data);
  const manifest = {
    generator: 'scripts/gen-corpus.mjs',
    seed: SEED,
    sources: {
      debian_packages: Object.fromEntries(PACKAGES.map((p) => [p, packageVersion(p)])),
      python_stdlib: py.version,
    },
    files: Object.fromEntries(Object.entries(files).map(([name, data]) => [name, {
      bytes: byteLength(data),
      sha256: createHash('sha256').update(data).digest('hex'),
    }])),
  };
  writeFileSync(join(args.out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`corpus written to ${relative(process.cwd(), args.out) || '.'}`);
  printSizes(args.out);
}

main();
