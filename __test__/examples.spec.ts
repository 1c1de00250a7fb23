// The TypeScript examples run as smoke tests against the built package (they import it by name),
// each as its README command does: `npx tsx examples/<name>.ts`.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');

const EXPECTED: Record<string, string[]> = {
  basic: ['[assistant/final] 2 + 2 = 4.', 'stop tokens: 200002, 200012'],
  tools: ['tool call to functions.get_weather (<|constrain|>json): {"location":"Tokyo, Japan"}', 'namespace functions {'],
  streaming: ['tool call: functions.lookup {"q":"hello"}', '2 messages'],
  channels: ['<|channel|>final<|message|>2 + 2 = 4<|return|>', 'show to user: 3 + 5 = 8'],
};

describe('examples', () => {
  for (const [name, lines] of Object.entries(EXPECTED)) {
    it(`examples/${name}.ts runs`, () => {
      const out = execFileSync(tsx, [join('examples', `${name}.ts`)], { cwd: root, encoding: 'utf8', timeout: 60_000 });
      for (const line of lines) expect(out).toContain(line);
    });
  }
});
