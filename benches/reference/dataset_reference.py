"""The reference (openai-harmony from PyPI) doing the dataset job of `gpt-oss-harmony render`:
read JSONL conversations (the reference's JSON), render each for training, write JSONL tokens.

Usage: dataset_reference.py MODE IN OUT [--keep-analysis]
MODE is training, completion or plain. It has no training mask: it writes {"tokens": [...]}.
Reads o200k_base.tiktoken from $TIKTOKEN_ENCODINGS_BASE.
"""

import json
import sys

from openai_harmony import (
    Conversation,
    HarmonyEncodingName,
    RenderConversationConfig,
    Role,
    load_harmony_encoding,
)


def main() -> None:
    mode, src, dst = sys.argv[1:4]
    config = RenderConversationConfig(auto_drop_analysis="--keep-analysis" not in sys.argv)
    enc = load_harmony_encoding(HarmonyEncodingName.HARMONY_GPT_OSS)
    with open(src, encoding="utf-8") as lines, open(dst, "w", encoding="utf-8") as out:
        for line in lines:
            record = json.loads(line)
            conversation = Conversation.from_json(json.dumps({"messages": record["messages"]}))
            if mode == "training":
                tokens = enc.render_conversation_for_training(conversation, config)
            elif mode == "completion":
                tokens = enc.render_conversation_for_completion(conversation, Role.ASSISTANT, config)
            else:
                tokens = enc.render_conversation(conversation, config)
            out.write(json.dumps({"tokens": tokens}, separators=(",", ":")))
            out.write("\n")


if __name__ == "__main__":
    main()
