"""A tiny random-weight BERT encoder with its own tokenizer, saved as a transformers folder.

Stands in for an operator's multilingual sentence encoder (MODERATION_CLASSIFIER_PATH) in tests: it
exercises the real loading path (sentence-transformers over a plain `save_pretrained` folder, mean
pooled) without a download. Its vectors mean nothing.
"""

from __future__ import annotations

import string
from pathlib import Path

SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
# Single characters are enough for WordPiece to split anything into known pieces (English letters,
# digits, and a few kana and kanji so Japanese text is not all [UNK]).
CHARACTERS = list(string.ascii_lowercase + string.digits) + list(
    "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわをんアイウエオカキクケコサシスセソタチツテトナニヌネノロ人子女男海犬殺爆"
)


def tiny_bert_save(folder: Path) -> Path:
    """Write a 2-layer, 32-wide BERT and a character WordPiece tokenizer to `folder`."""
    import torch
    from transformers import BertConfig, BertModel, BertTokenizerFast

    folder.mkdir(parents=True, exist_ok=True)
    vocab = folder / "vocab.txt"
    vocab.write_text("\n".join(SPECIAL + CHARACTERS + [f"##{c}" for c in CHARACTERS]) + "\n", encoding="utf-8")
    tokenizer = BertTokenizerFast(vocab_file=str(vocab), do_lower_case=True, tokenize_chinese_chars=True)
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
    )
    BertModel(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder
