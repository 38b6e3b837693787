"""Test sentences: the reference set (edge cases) and a larger deterministic set for FP16/INT8 checks."""

EDGE_CASES = [
    "",
    " ",
    "   \t\n  ",
    "a",
    "Hello, world!",
    "The quick brown fox jumps over the lazy dog.",
    "Kafka records become embeddings stored in Milvus.",
    "What is the capital of France?",
    "Paris is the capital and most populous city of France.",
    "深度学习是机器学习的一个分支。",
    "今天天气很好，我们去公园散步吧。",
    "東京は日本の首都です。",
    "서울은 대한민국의 수도입니다.",
    "Привет, как дела?",
    "مرحبا بالعالم",
    "שלום עולם",
    "Γειά σου Κόσμε",
    "नमस्ते दुनिया",
    "🙂",
    "I love pizza 🍕🍕🍕 and tacos 🌮!",
    "👨‍👩‍👧‍👦 family emoji with zero-width joiners",
    "🇫🇷🇩🇪🇯🇵 flags",
    "Ünïcödé àccents çà et là, naïve café.",
    "Tabs\tand\nnewlines\r\nmixed",
    "    leading and trailing spaces    ",
    "UPPER CASE TEXT",
    "lower case text",
    "MiXeD cAsE tExT",
    "1234567890",
    "3.14159 2.71828 1.41421",
    "user@example.com https://example.com/path?q=1&r=2#frag",
    "def f(x):\n    return x * 2",
    "SELECT * FROM memories WHERE tenant = 'acme';",
    "{\"json\": [1, 2, 3], \"nested\": {\"k\": null}}",
    "<|endoftext|>",
    "<|im_start|>user\nhi<|im_end|>",
    "[CLS] [SEP] [PAD] [UNK]",
    "antidisestablishmentarianism",
    "Pneumonoultramicroscopicsilicovolcanoconiosis is a long word.",
    "!!!???...,,,;;;",
    "a b c d e f g h i j k l m n o p q r s t u v w x y z",
    "The meeting is at 10:30 AM on 2026-11-24 (UTC).",
    "Mixed 中文 and English in one sentence.",
    "Emoji at the end 🚀",
    "🚀 Emoji at the start",
    # Longer than 32 tokens: truncation at max_length.
    "Stream processing systems such as Kafka Streams let applications transform records as they arrive, "
    "keeping state in local stores that are backed by changelog topics for fault tolerance and recovery.",
    "Vector databases index high-dimensional embeddings with graph-based structures like HNSW, trading a "
    "small amount of recall for search latency that grows roughly logarithmically with collection size.",
    "机器学习模型可以将文本转换为向量表示，这些向量可以存储在向量数据库中，用于语义搜索和推荐系统，"
    "从而在大量文档中快速找到与查询最相关的内容。",
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty twenty-one twenty-two twenty-three twenty-four twenty-five",
    "🙂🙃😉😊😇🥰😍🤩😘😗😚😙🥲😋😛😜🤪😝🤑🤗🤭🫢🫣🤫🤔🫡🤐🤨😐😑😶🫥😶‍🌫️😏😒🙄😬😮‍💨🤥",
    "word " * 40,
    # Exactly max_length (32) tokens, and one more: the truncation boundary.
    " ".join(["word"] * 32),
    " ".join(["word"] * 33),
    "Exactly how many tokens does this sentence have? Enough to sit near the limit of thirty-two, maybe.",
]

_SUBJECTS = ["The service", "A user", "Our team", "The model", "This record", "The broker", "A tenant",
             "The search", "My cat", "The weather", "Il sistema", "Der Server", "La base de données", "系统"]
_VERBS = ["stores", "rejects", "embeds", "indexes", "replays", "forgets", "describes", "compresses",
          "requests", "returns"]
_OBJECTS = ["the latest offsets", "a JSON document", "every tombstone", "short questions", "long answers",
            "vectors of 1024 floats", "metadata about invoices", "emoji 🎉 in messages", "中文文本",
            "texte français", "a batch of thirty-two records", "nothing at all"]
_TAILS = ["", " quickly.", " after a restart.", " for each partition.", " when the queue is full.",
          " — and then it waits.", " (see the design notes).", "?"]


def sentences(count):
    """count deterministic, varied sentences: the edge cases first, then generated ones."""
    out = list(EDGE_CASES)
    i = 0
    while len(out) < count:
        s = _SUBJECTS[i % len(_SUBJECTS)]
        v = _VERBS[(i // 3) % len(_VERBS)]
        o = _OBJECTS[(i * 7) % len(_OBJECTS)]
        t = _TAILS[(i * 5) % len(_TAILS)]
        out.append(f"{s} {v} {o}{t}")
        i += 1
    return out[:count]
