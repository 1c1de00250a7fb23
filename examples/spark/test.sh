#!/usr/bin/env bash
# The Spark example against the single-machine run: the same JSONL (both input formats, a bad
# line, 4000 records) through `gpt-oss-harmony render` directly and as the map stage of a local
# Spark job with 8 partitions on 2 executor threads; the outputs must be byte-identical.
# Needs `npm run build`, python3, Java 17 (java on PATH) and PyPI (first run: a venv in .venv).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv="$here/.venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

node - "$work/input.jsonl" <<'JS'
const { writeFileSync } = require('node:fs');
const lines = [];
for (let i = 0; i < 4000; i++) {
  if (i === 1234) { lines.push('{"broken": '); continue; }
  const text = `question ${i} ${'about spark '.repeat(i % 17)}`;
  lines.push(JSON.stringify(i % 2 === 0
    ? { id: i, messages: [{ role: 'user', content: text }, { role: 'assistant', thinking: `think ${i}`, content: `answer ${i}` }] }
    : { id: i, messages: [{ role: 'system', content: [{ type: 'system_content', knowledge_cutoff: '2024-06' }] }, { role: 'user', content: text }, { role: 'assistant', channel: 'analysis', content: `think ${i}` }, { role: 'assistant', channel: 'final', content: `answer ${i}` }] }));
}
writeFileSync(process.argv[2], `${lines.join('\n')}\n`);
JS

command="node $repo/dist/esm/cli/main.js render -q -j 1 --keep-analysis"
start=$(date +%s.%N)
$command "$work/input.jsonl" > "$work/single.jsonl" 2> "$work/single.errors" || true
single=$(echo "$(date +%s.%N) - $start" | bc)
start=$(date +%s.%N)
"$venv/bin/python" "$here/render_with_spark.py" "$work/input.jsonl" "$work/spark-out" \
  --master 'local[2]' --partitions 8 --command "$command" 2> "$work/spark.log" \
  || { tail -40 "$work/spark.log"; exit 1; }
spark=$(echo "$(date +%s.%N) - $start" | bc)
cat "$work"/spark-out/part-* > "$work/spark.jsonl"

lines=$(wc -l < "$work/single.jsonl")
echo "single machine: $lines records in ${single}s; Spark (local[2], 8 partitions): $(wc -l < "$work/spark.jsonl") records in ${spark}s"
grep -c '"line":1235' "$work/single.errors" > /dev/null
if cmp -s "$work/single.jsonl" "$work/spark.jsonl" && [ "$lines" -eq 3999 ]; then
  echo "1 passed, 0 failed"
else
  echo "outputs differ"; echo "0 passed, 1 failed"; exit 1
fi
