"""Times one operation of the reference implementation (openai-harmony from PyPI) on one bench input.

Run by the JS harness (lib/python.mjs) as a separate process, with TIKTOKEN_ENCODINGS_BASE pointing
at a folder holding o200k_base.tiktoken:

    bench_reference.py --op OP --input SPEC_JSON [--min-samples N] [--min-time-ms MS] [--case-budget-ms B]

It reads the same files in benches/corpus as the JS cases, builds the input described by SPEC_JSON,
runs the operation until both N samples and MS milliseconds are reached (after two warm-up calls;
like the JS harness, a call so slow that N samples would exceed B ms gets fewer, at least 3),
and prints {"samples_ms": [...], "digest": sha256 of the output's canonical form}. The canonical
forms are those of lib/canonical.mjs, so the harness can check the output against the other cases.

`--op coldstart` is the exception: it imports and loads the encoding, encodes one sentence, and
prints the tokens and peak RSS as soon as that first encode is done (the harness times the process).
"""

import json
import os
import sys
import time

CORPUS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "corpus")
COLDSTART_TEXT = "Hello, world! This is the first encode of a fresh process."


def peak_rss_kb():
    # VmHWM, not ru_maxrss, which Linux carries across execve from the process that spawned us.
    try:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def coldstart():
    from openai_harmony import HarmonyEncodingName, load_harmony_encoding

    encoding = load_harmony_encoding(HarmonyEncodingName.HARMONY_GPT_OSS)
    tokens = encoding.encode(COLDSTART_TEXT, disallowed_special=())
    print(json.dumps({"tokens": tokens, "rss_kb": peak_rss_kb()}), flush=True)


def main(argv):
    args = dict(zip(argv[::2], argv[1::2]))
    op = args["--op"]
    if op == "coldstart":
        coldstart()
        return

    import gc
    import hashlib

    from openai_harmony import (
        Conversation,
        HarmonyEncodingName,
        RenderConversationConfig,
        Role,
        StreamableParser,
        load_harmony_encoding,
    )

    spec = json.loads(args.get("--input", "{}"))
    min_samples = int(args.get("--min-samples", "5"))
    min_time_ms = float(args.get("--min-time-ms", "1000"))
    case_budget_ms = float(args.get("--case-budget-ms", "6000"))
    encoding = load_harmony_encoding(HarmonyEncodingName.HARMONY_GPT_OSS)

    def read(name):
        with open(f"{CORPUS_DIR}/{name}", encoding="utf-8") as f:
            return f.read()

    # Ordinary text skips the special-token scan, as the JS cases do (lib/peers.mjs ENCODERS); the
    # Harmony completion is encoded with every special token allowed.
    def encode(text, special):
        return encoding.encode(text, allowed_special="all") if special else encoding.encode(text, disallowed_special=())

    def input_text():
        if spec.get("completion"):
            return json.loads(read("completion.json"))["text"], True
        return read(f"{spec['corpus']}.txt"), False

    tokens_form = lambda tokens: ",".join(map(str, tokens))

    def messages_form(messages):
        rows = []
        for m in messages:
            d = m.to_dict()
            text = "".join(c["text"] for c in d["content"])
            rows.append([d["role"], d.get("name"), d.get("channel"), d.get("recipient"), d.get("content_type"), text])
        return json.dumps(rows, ensure_ascii=False, separators=(",", ":"))

    # Each op: (the timed call, canonical form of its output).
    if op == "encode":
        text, special = input_text()
        run, form = (lambda: encode(text, special)), tokens_form
    elif op == "decode":
        tokens = encode(*input_text())
        run, form = (lambda: encoding.decode_utf8(tokens)), (lambda s: s)
    elif op == "short":
        strings = json.loads(read("short.json"))
        run = lambda: [encode(s, False) for s in strings]
        form = lambda lists: "\n".join(map(tokens_form, lists))
    elif op == "render":
        entry = json.loads(read("conversations.json"))[spec["conversation"]]
        conversation = Conversation.from_json(json.dumps(entry["conversation"]))
        config = RenderConversationConfig(auto_drop_analysis=entry["render"]["config"]["auto_drop_analysis"])
        role = Role(entry["render"]["next_turn_role"])
        run, form = (lambda: encoding.render_conversation_for_completion(conversation, role, config)), tokens_form
    elif op in ("parse", "stream"):
        tokens = encode(*input_text())
        if op == "parse":
            run = lambda: encoding.parse_messages_from_completion_tokens(tokens, role=Role.ASSISTANT)
            form = messages_form
        else:
            size = spec["chunk"]
            chunks = [tokens[i : i + size] for i in range(0, len(tokens), size)]

            def run():
                parser = StreamableParser(encoding, role=Role.ASSISTANT)
                out = []
                for chunk in chunks:
                    for token in chunk:
                        parser.process(token)
                        delta = parser.last_content_delta
                        if delta:
                            out.append(delta)
                return "".join(out)

            form = lambda s: s
    else:
        raise SystemExit(f"unknown op {op}")

    t0 = time.perf_counter()
    output = run()  # first warm-up call; its output is the one checked
    first_ms = (time.perf_counter() - t0) * 1000
    if first_ms * min_samples > case_budget_ms:
        min_samples = max(3, int(case_budget_ms // first_ms))
    else:
        run()
    gc.collect()
    samples = []
    started = time.perf_counter()
    while len(samples) < min_samples or (time.perf_counter() - started) * 1000 < min_time_ms:
        t0 = time.perf_counter_ns()
        run()
        samples.append((time.perf_counter_ns() - t0) / 1e6)
    digest = hashlib.sha256(form(output).encode("utf-8")).hexdigest()
    print(json.dumps({"samples_ms": samples, "digest": digest}))


if __name__ == "__main__":
    main(sys.argv[1:])
