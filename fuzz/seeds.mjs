// Writes the seed corpus of the fuzz targets, fuzz/seeds/<target>/<fixture id>, from the
// conformance fixtures (fixtures/conformance/*.jsonl): each seed is the input bytes that make a
// target rebuild that fixture's tokens, text or conversation.
//
//   node fuzz/seeds.mjs          the annotated fixtures (those with a `note`: the hand-picked edge
//                                cases) and every 8th of the others, a spread over the fixture
//                                files' themes — what is committed
//   node fuzz/seeds.mjs --all    every fixture (about 500 seeds), for a longer campaign
//
// The byte layouts follow how the targets read their input through `arbitrary::Unstructured`
// (fuzz/src/lib.rs, fuzz/fuzz_targets/*.rs); change both together.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const fuzzDir = dirname(fileURLToPath(import.meta.url));
const fixturesDir = join(fuzzDir, '..', 'fixtures', 'conformance');
const all = process.argv.includes('--all');

// `Role::ALL` in crates/harmony-core/src/chat/role.rs; byte 0 is "no role".
const ROLES = ['user', 'assistant', 'system', 'developer', 'tool'];
// `SPECIAL_LIKE` in fuzz/fuzz_targets/encode.rs.
const SPECIAL_LIKE = [
  '<|start|>', '<|end|>', '<|message|>', '<|channel|>', '<|constrain|>', '<|call|>', '<|return|>', '<|endoftext|>',
  '<|startoftext|>', '<|reserved_200013|>', '<|reserved_201088|>', '<|reserved_201089|>', '<|refusal|>', '<|', '',
];

const u32le = (n) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};
const roleByte = (role) => Buffer.from([role === null ? 0 : ROLES.indexOf(role) + 1]);
// `token()` in fuzz/src/lib.rs: selector byte 0xff, then the id as a little-endian u32.
const token = (id) => Buffer.concat([Buffer.from([0xff]), u32le(id)]);

/** `special_set()` of the encode target: 0 none, 1 all, 2 a list of up to 4 `SPECIAL_LIKE` texts. */
function specialSet(set) {
  if (set === 'all') return Buffer.from([1]);
  const listed = (set ?? []).map((text) => SPECIAL_LIKE.indexOf(text)).filter((i) => i >= 0).slice(0, 4);
  return listed.length === 0 ? Buffer.from([0]) : Buffer.from([2, listed.length, ...listed]);
}

/** `text()` of the encode target: runs of at most 32 bytes, each behind "no special here" (1) and its length. */
function text(s) {
  const bytes = Buffer.from(s, 'utf8');
  const parts = [];
  for (let at = 0; at < bytes.length; at += 32) {
    const run = bytes.subarray(at, at + 32);
    parts.push(Buffer.from([1, run.length]), run);
  }
  return Buffer.concat(parts);
}

const seeds = {
  parse: (c) => Buffer.concat([roleByte(c.role), ...c.tokens.map(token)]),
  // The stream target reads the strict flag and batches of 0..=8 tokens; one batch of up to 8 each.
  stream: (c) => {
    const batches = [];
    for (let at = 0; at < c.tokens.length; at += 8) {
      const batch = c.tokens.slice(at, at + 8);
      batches.push(Buffer.from([batch.length]), ...batch.map(token));
    }
    return Buffer.concat([roleByte(c.role), Buffer.from([c.strict ? 1 : 0]), ...batches]);
  },
  encode: (c) =>
    c.op === 'encode' ? Buffer.concat([specialSet(c.allowed_special), specialSet(c.disallowed_special), text(c.text)]) : null,
  // The decode target reads little-endian u32 ids.
  decode: (c) => (c.tokens && c.op !== 'encode' ? Buffer.concat(c.tokens.map(u32le)) : null),
  // Input starting with `{` is read as a conversation (or a message) in JSON.
  render: (c) => Buffer.from(JSON.stringify(c.conversation ?? c.message), 'utf8'),
};
const fixtureOf = { parse: 'parse', stream: 'stream', encode: 'encode', decode: 'encode', render: 'render' };

for (const [target, seed] of Object.entries(seeds)) {
  const dir = join(fuzzDir, 'seeds', target);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const lines = readFileSync(join(fixturesDir, `${fixtureOf[target]}.jsonl`), 'utf8').split('\n').filter(Boolean);
  const written = new Set();
  let unannotated = 0;
  for (const line of lines) {
    const fixture = JSON.parse(line);
    const bytes = seed(fixture);
    if (bytes === null) continue;
    if (!fixture.note && unannotated++ % 8 !== 0 && !all) continue;
    const key = bytes.toString('base64');
    if (written.has(key)) continue;
    written.add(key);
    writeFileSync(join(dir, fixture.id), bytes);
  }
  console.log(`fuzz/seeds/${target}: ${written.size} seeds`);
}
