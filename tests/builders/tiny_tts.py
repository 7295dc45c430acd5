"""A tiny random-weight Sesame CSM (backbone, depth decoder, Mimi codec) and its processor, built in code.

Same classes and file layout as `sesame/csm-1b` (`CsmForConditionalGeneration` + `CsmProcessor`:
an Encodec feature extractor and a fast tokenizer with CSM's special tokens and chat template), so the
production loader reads it exactly as it reads the real checkpoint. The codec keeps Mimi's real
strides (24 kHz, 1920 samples a frame), which the processor assumes when it counts audio frames;
everything else is a few units wide. The speech it makes is noise shaped by random weights.
"""

from __future__ import annotations

from pathlib import Path

import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers
from transformers import (
    CsmConfig,
    CsmForConditionalGeneration,
    CsmProcessor,
    EncodecFeatureExtractor,
    MimiConfig,
    PreTrainedTokenizerFast,
)

CODEBOOKS = 4
CODEBOOK_SIZE = 64
# CSM's template (as sesame/csm-1b ships it): "[speaker]text" between bos/eos, then that turn's audio.
CHAT_TEMPLATE = (
    "{%- for message in messages -%}"
    "{{- bos_token + '[' + message['role'] + ']' -}}"
    "{%- for item in message['content'] if item['type'] == 'text' -%}{{- item['text'] | trim -}}{%- endfor -%}"
    "{{- eos_token -}}"
    "{%- for item in message['content'] if item['type'] == 'audio' -%}{{- '<|AUDIO|><|audio_eos|>' -}}{%- endfor -%}"
    "{%- endfor -%}"
)
SPECIALS = ("<|begin_of_text|>", "<|end_of_text|>", "<|AUDIO|>", "<|audio_eos|>")


def _tokenizer() -> PreTrainedTokenizerFast:
    """Byte-level BPE with no merges (every byte is a token) plus CSM's special tokens after them."""
    alphabet = pre_tokenizers.ByteLevel.alphabet()
    vocab = {char: index for index, char in enumerate(sorted(alphabet))}
    core = Tokenizer(models.BPE(vocab=vocab, merges=[]))
    core.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    core.decoder = decoders.ByteLevel()
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=core, bos_token=SPECIALS[0], eos_token=SPECIALS[1], pad_token=SPECIALS[2]
    )
    tokenizer.add_special_tokens({"additional_special_tokens": list(SPECIALS[2:])})
    return tokenizer


def build_tiny_csm(directory: Path, *, seed: int = 0) -> Path:
    """Write a tiny CSM checkpoint + processor to `directory` (what GENERATION_TTS_MODEL_PATH points at)."""
    torch.manual_seed(seed)
    tokenizer = _tokenizer()
    ids = {token: tokenizer.convert_tokens_to_ids(token) for token in SPECIALS}
    codec = MimiConfig(
        hidden_size=16,
        num_filters=4,
        num_residual_layers=1,
        upsampling_ratios=[8, 6, 5, 4],
        codebook_size=CODEBOOK_SIZE,
        codebook_dim=8,
        vector_quantization_hidden_dimension=8,
        num_quantizers=CODEBOOKS,
        num_semantic_quantizers=1,
        upsample_groups=16,
        num_hidden_layers=1,
        intermediate_size=32,
        num_attention_heads=2,
        num_key_value_heads=2,
        head_dim=8,
        frame_rate=12.5,
    )
    config = CsmConfig(
        num_codebooks=CODEBOOKS,
        vocab_size=CODEBOOK_SIZE,  # real CSM: 2048 codes + 3 specials; random weights would emit those
        text_vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=1024,
        pad_token_id=ids["<|AUDIO|>"],
        bos_token_id=ids["<|begin_of_text|>"],
        audio_token_id=ids["<|AUDIO|>"],
        audio_eos_token_id=ids["<|audio_eos|>"],
        codebook_pad_token_id=CODEBOOK_SIZE - 1,
        codebook_eos_token_id=0,
        depth_decoder_config={
            "num_codebooks": CODEBOOKS,
            "backbone_hidden_size": 32,
            "vocab_size": CODEBOOK_SIZE,
            "hidden_size": 16,
            "intermediate_size": 32,
            "num_hidden_layers": 1,
            "num_attention_heads": 2,
            "num_key_value_heads": 1,
            "max_position_embeddings": CODEBOOKS + 1,
        },
        codec_config=codec.to_dict(),
        tie_codebooks_embeddings=True,
    )
    model = CsmForConditionalGeneration(config).eval()
    # Mimi's codebooks start as zeros (real ones are learned), which would map every sound to code 0
    # and make the voice prompt meaningless: give each random code vectors.
    with torch.no_grad():
        for module in model.codec_model.modules():
            if type(module).__name__ == "MimiEuclideanCodebook":
                module.embed_sum.copy_(torch.randn_like(module.embed_sum) * 0.5)
                module._embed = None
    model.save_pretrained(directory)
    processor = CsmProcessor(
        feature_extractor=EncodecFeatureExtractor(feature_size=1, sampling_rate=24_000),
        tokenizer=tokenizer,
        chat_template=CHAT_TEMPLATE,
    )
    processor.save_pretrained(directory)
    return directory
