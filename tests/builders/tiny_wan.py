"""A tiny random-weight Wan 2.1 model, built in code, in the on-disk layout DiffusersBackend loads.

    python -m tests.builders.tiny_wan /tmp/tiny-wan          # t2v/, i2v/ and vace/

It exists for tests, smoke runs and `bench/gpu_generation.py --tiny` (which builds its denoiser and
VAE from TINY_TRANSFORMER and TINY_VAE below, the one definition of the tiny dims). The same
`from_pretrained(path)` code that loads real weights loads these, so the whole production path
(configs, tokenizer, dtype handling, the three pipelines) runs on a laptop in well under a second per
clip. Nothing is downloaded: the tokenizer is a word-level `tokenizers` model wrapped in
`PreTrainedTokenizerFast`, every model is built from a config. The output is noise-like video, of
course.

All kinds share one text encoder, tokenizer and VAE (saved once per kind, byte-identical), like the
real Wan 2.1 family, so the backend's component sharing is exercised too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerFast

import argparse
import re
from collections.abc import Iterable
from pathlib import Path

import torch

KINDS = ("t2v", "i2v", "vace")

# A small English vocabulary; anything else maps to <unk>, which is fine for random weights.
_WORDS = """
a an the and or of in on at to with from by for over under into through near behind
is are was be being walking running flying dancing jumping sitting standing talking smiling
cat dog bird fish horse person man woman child people robot dragon car boat city street beach
forest mountain river ocean sky sun moon rain snow night day light dark red blue green yellow
white black golden small big tiny huge slow fast camera shot close up wide pan zoom cinematic
film style video scene background portrait face hands happy sad old young beautiful ugly
bright overexposed static blurred details subtitles worst low quality jpeg compression ugly
incomplete extra fingers poorly drawn deformed disfigured messy still picture three legs
""".split()

SPECIAL = ("<pad>", "</s>", "<unk>")
TEXT_DIM = 32  # d_model of the tiny text encoder == the transformer's text_dim
CLIP_DIM = 16

# The tiny Wan 2.1 denoiser (WanTransformer3DModel kwargs) and VAE (AutoencoderKLWan kwargs): the one
# definition, used by build_tiny_wan and by bench/gpu_generation.py --tiny.
TINY_TRANSFORMER = dict(
    patch_size=(1, 2, 2),
    num_attention_heads=2,
    attention_head_dim=12,
    in_channels=16,
    out_channels=16,
    text_dim=TEXT_DIM,
    freq_dim=32,
    ffn_dim=32,
    num_layers=2,
    cross_attn_norm=True,
    qk_norm="rms_norm_across_heads",
    rope_max_seq_len=1024,
)
TINY_VAE = dict(base_dim=8, z_dim=16, dim_mult=[1, 1, 1, 1], num_res_blocks=1, temperal_downsample=[False, True, True])


def build_tokenizer() -> PreTrainedTokenizerFast:
    from tokenizers import Tokenizer, normalizers, pre_tokenizers, processors
    from tokenizers.models import WordLevel
    from transformers import PreTrainedTokenizerFast

    vocab: dict[str, int] = {}
    for word in (*SPECIAL, *_WORDS, *".,!?'\""):
        vocab.setdefault(word, len(vocab))
    tok = Tokenizer(WordLevel(vocab=vocab, unk_token="<unk>"))
    tok.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase()])
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.post_processor = processors.TemplateProcessing(
        single="$A </s>", pair="$A </s> $B </s>", special_tokens=[("</s>", vocab["</s>"])]
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tok, pad_token="<pad>", eos_token="</s>", unk_token="<unk>", model_max_length=512
    )


def _components(seed: int) -> dict[str, Any]:
    from diffusers import AutoencoderKLWan, UniPCMultistepScheduler
    from transformers import UMT5Config, UMT5EncoderModel

    tokenizer = build_tokenizer()
    torch.manual_seed(seed)
    text_encoder = UMT5EncoderModel(
        UMT5Config(
            vocab_size=len(tokenizer),
            d_model=TEXT_DIM,
            d_kv=8,
            d_ff=64,
            num_layers=2,
            num_heads=4,
            relative_attention_num_buckets=8,
            relative_attention_max_distance=32,
            feed_forward_proj="gated-gelu",
            pad_token_id=0,
            eos_token_id=1,
            decoder_start_token_id=0,
        )
    ).eval()
    torch.manual_seed(seed)
    vae = AutoencoderKLWan(**TINY_VAE).eval()
    # The scheduler Wan 2.1 ships with (flow-matching UniPC, shift 3.0 for 480p).
    scheduler = UniPCMultistepScheduler(
        prediction_type="flow_prediction", use_flow_sigmas=True, flow_shift=3.0, num_train_timesteps=1000
    )
    return tokenizer, text_encoder, vae, scheduler


def _transformer_kwargs(**overrides: Any) -> dict[str, Any]:
    return {**TINY_TRANSFORMER, **overrides}


def checked_kinds(kinds: Iterable[str], known: tuple[str, ...]) -> tuple[str, ...]:
    """The pipeline kinds asked for, refusing any a builder does not make."""
    kinds = tuple(kinds)
    unknown = set(kinds) - set(known)
    if unknown:
        raise ValueError(f"unknown kinds {sorted(unknown)}; choose from {known}")
    return kinds


def build_tiny_wan(dest: Path, kinds: Iterable[str] = KINDS, *, seed: int = 0) -> Path:
    """Build tiny Wan pipelines and `save_pretrained` each to dest/<kind>; returns dest."""
    from diffusers import (
        WanImageToVideoPipeline,
        WanPipeline,
        WanTransformer3DModel,
        WanVACEPipeline,
        WanVACETransformer3DModel,
    )

    kinds = checked_kinds(kinds, KINDS)
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    with torch.random.fork_rng(devices=[]):
        tokenizer, text_encoder, vae, scheduler = _components(seed)
        shared = dict(tokenizer=tokenizer, text_encoder=text_encoder, vae=vae, scheduler=scheduler)
        for kind in kinds:
            torch.manual_seed(seed + 1)
            if kind == "t2v":
                pipe = WanPipeline(transformer=WanTransformer3DModel(**_transformer_kwargs()), **shared)
            elif kind == "i2v":
                # Wan 2.1 I2V: 16 noise + 4 mask + 16 first-frame latent channels, CLIP image tokens
                # through extra cross-attention projections (added_kv_proj_dim == inner dim).
                from transformers import CLIPImageProcessor, CLIPVisionConfig, CLIPVisionModel

                transformer = WanTransformer3DModel(
                    **_transformer_kwargs(in_channels=36, image_dim=CLIP_DIM, added_kv_proj_dim=24)
                )
                torch.manual_seed(seed + 2)
                image_encoder = CLIPVisionModel(
                    CLIPVisionConfig(
                        hidden_size=CLIP_DIM,
                        intermediate_size=32,
                        num_hidden_layers=2,
                        num_attention_heads=2,
                        image_size=32,
                        patch_size=8,
                        projection_dim=CLIP_DIM,
                    )
                ).eval()
                image_processor = CLIPImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32})
                pipe = WanImageToVideoPipeline(
                    transformer=transformer,
                    image_encoder=image_encoder,
                    image_processor=image_processor,
                    **shared,
                )
            else:  # vace
                transformer = WanVACETransformer3DModel(
                    **_transformer_kwargs(), vace_layers=[0, 1], vace_in_channels=96
                )
                pipe = WanVACEPipeline(transformer=transformer, **shared)
            pipe.save_pretrained(dest / kind)
    return dest


def _main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dest", type=Path)
    parser.add_argument("--kinds", default=",".join(KINDS), help="comma-separated: t2v,i2v,vace")
    args = parser.parse_args()
    kinds = [k for k in re.split(r"[,\s]+", args.kinds) if k]
    print(build_tiny_wan(args.dest, kinds))


if __name__ == "__main__":
    _main()
