"""A tiny random-weight LTX-2 model, built in code, in the on-disk layout LTX2Backend loads.

    python -m tests.builders.tiny_ltx2 /tmp/tiny-ltx2     # t2v/, i2v/, condition/ and upsample/

For tests, smoke runs and `bench/gpu_generation.py --ltx2 --tiny` (which times the components of
`tiny_components`). Every component the real LTX-2 ships is here at toy size: the joint
audio-video transformer, the video VAE, the audio VAE (mel spectrograms), the vocoder (mel ->
waveform), the text connectors, a Gemma 3 text encoder (with its SigLIP vision tower, as
`Gemma3ForConditionalGeneration` has one) and a word-level tokenizer, plus the latent upsampler of
the two-stage path. Each pipeline is written with `save_pretrained`, so the backend loads them
through the same `from_pretrained(path)` code as real weights. Nothing is downloaded. The output is
noise-like video and noise-like audio, of course: but it is the model's audio.

All kinds share one text encoder, tokenizer, connectors, VAEs, vocoder and transformer (saved once
per kind, byte-identical), like the real LTX-2 checkpoint, so the backend's component sharing is
exercised too.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import torch

from tests.builders.tiny_wan import build_tokenizer, checked_kinds

KINDS = ("t2v", "i2v", "condition", "upsample")
TEXT_HIDDEN = 32  # Gemma hidden size == the connectors width (4 heads x 8) == caption_channels
TEXT_LAYERS = 2
LATENT_CHANNELS = 4
AUDIO_SAMPLE_RATE = 16_000  # the tiny vocoder's output rate (the real one: 24 kHz)

# The tiny LTX-2 denoiser (LTX2VideoTransformer3DModel kwargs), the one definition of the tiny dims.
TINY_LTX2_TRANSFORMER: dict[str, Any] = dict(
    in_channels=LATENT_CHANNELS,
    out_channels=LATENT_CHANNELS,
    patch_size=1,
    patch_size_t=1,
    num_attention_heads=2,
    attention_head_dim=8,
    cross_attention_dim=16,
    audio_in_channels=4,
    audio_out_channels=4,
    audio_num_attention_heads=2,
    audio_attention_head_dim=4,
    audio_cross_attention_dim=8,
    num_layers=2,
    qk_norm="rms_norm_across_heads",
    caption_channels=TEXT_HIDDEN,
    rope_double_precision=False,
    rope_type="split",
)


def _text_encoder() -> Any:  # a transformers Gemma3ForConditionalGeneration
    from transformers import Gemma3Config, Gemma3ForConditionalGeneration

    vocab_size = len(build_tokenizer())
    config = Gemma3Config(
        text_config=dict(
            vocab_size=vocab_size,
            hidden_size=TEXT_HIDDEN,
            intermediate_size=32,
            num_hidden_layers=TEXT_LAYERS,
            num_attention_heads=2,
            num_key_value_heads=1,
            head_dim=8,
            max_position_embeddings=256,
            sliding_window=16,
            pad_token_id=0,
            eos_token_id=1,
            bos_token_id=1,
        ),
        vision_config=dict(
            hidden_size=16,
            intermediate_size=32,
            num_hidden_layers=1,
            num_attention_heads=2,
            image_size=16,
            patch_size=8,
        ),
        mm_tokens_per_image=4,
        image_token_index=vocab_size - 1,
        boi_token_index=vocab_size - 2,
        eoi_token_index=vocab_size - 3,
    )
    return Gemma3ForConditionalGeneration(config).eval()


def tiny_components(seed: int = 0) -> dict[str, Any]:
    """The components every tiny LTX-2 pipeline shares (bench/gpu_generation.py --ltx2 --tiny times them)."""
    from diffusers import (
        AutoencoderKLLTX2Audio,
        AutoencoderKLLTX2Video,
        FlowMatchEulerDiscreteScheduler,
        LTX2VideoTransformer3DModel,
    )
    from diffusers.pipelines.ltx2 import LTX2TextConnectors
    from diffusers.pipelines.ltx2.vocoder import LTX2Vocoder

    torch.manual_seed(seed)
    text_encoder = _text_encoder()
    torch.manual_seed(seed)
    transformer = LTX2VideoTransformer3DModel(**TINY_LTX2_TRANSFORMER)
    torch.manual_seed(seed)
    connectors = LTX2TextConnectors(
        caption_channels=TEXT_HIDDEN,
        text_proj_in_factor=TEXT_LAYERS + 1,
        video_connector_num_attention_heads=4,
        video_connector_attention_head_dim=8,
        video_connector_num_layers=1,
        video_connector_num_learnable_registers=None,
        audio_connector_num_attention_heads=4,
        audio_connector_attention_head_dim=8,
        audio_connector_num_layers=1,
        audio_connector_num_learnable_registers=None,
        connector_rope_base_seq_len=32,
        rope_theta=10000.0,
        rope_double_precision=False,
        causal_temporal_positioning=False,
        rope_type="split",
    )
    torch.manual_seed(seed)
    vae = AutoencoderKLLTX2Video(
        in_channels=3,
        out_channels=3,
        latent_channels=LATENT_CHANNELS,
        block_out_channels=(8,),
        decoder_block_out_channels=(8,),
        layers_per_block=(1,),
        decoder_layers_per_block=(1, 1),
        spatio_temporal_scaling=(True,),
        decoder_spatio_temporal_scaling=(True,),
        decoder_inject_noise=(False, False),
        downsample_type=("spatial",),
        upsample_residual=(False,),
        upsample_factor=(1,),
        timestep_conditioning=False,
        patch_size=1,
        patch_size_t=1,
        encoder_causal=True,
        decoder_causal=False,
    )
    torch.manual_seed(seed)
    audio_vae = AutoencoderKLLTX2Audio(
        base_channels=4,
        output_channels=2,
        ch_mult=(1, 2, 4),  # two downsamples: x4 in time and mel bins, what the pipelines assume
        num_res_blocks=1,
        attn_resolutions=None,
        in_channels=2,
        resolution=32,
        latent_channels=2,
        norm_type="pixel",
        causality_axis="height",
        dropout=0.0,
        mid_block_add_attention=False,
        sample_rate=AUDIO_SAMPLE_RATE,
        mel_hop_length=160,
        is_causal=True,
        mel_bins=8,
    )
    torch.manual_seed(seed)
    vocoder = LTX2Vocoder(
        in_channels=2 * 8,  # audio VAE output channels x mel bins
        hidden_channels=32,
        out_channels=2,
        # x160 in all = the mel hop at the same rate, so the waveform is as long as the clip (the real
        # vocoder: x240, 16 kHz mels to 24 kHz audio)
        upsample_kernel_sizes=[8, 10, 16],
        upsample_factors=[4, 5, 8],
        resnet_kernel_sizes=[3],
        resnet_dilations=[[1, 3, 5]],
        leaky_relu_negative_slope=0.1,
        output_sampling_rate=AUDIO_SAMPLE_RATE,
    )
    return dict(
        transformer=transformer.eval(),
        vae=vae.eval(),
        audio_vae=audio_vae.eval(),
        scheduler=FlowMatchEulerDiscreteScheduler(),
        text_encoder=text_encoder,
        tokenizer=build_tokenizer(),
        connectors=connectors.eval(),
        vocoder=vocoder.eval(),
    )


@contextmanager
def inputs_of(module: torch.nn.Module) -> Iterator[list[torch.Tensor]]:
    """Collects the first positional input of every forward call of `module` while the block runs:
    how tests see what reaches a pipeline's encoders (keyframes, dialogue mels) without mocking."""
    seen: list[torch.Tensor] = []
    handle = module.register_forward_pre_hook(lambda _m, args: seen.append(args[0].detach().clone()))
    try:
        yield seen
    finally:
        handle.remove()


def build_tiny_ltx2(dest: Path, kinds: Iterable[str] = KINDS, *, seed: int = 0) -> Path:
    """Build tiny LTX-2 pipelines and `save_pretrained` each to dest/<kind>; returns dest."""
    from diffusers import (
        LTX2ConditionPipeline,
        LTX2ImageToVideoPipeline,
        LTX2LatentUpsamplePipeline,
        LTX2Pipeline,
    )
    from diffusers.pipelines.ltx2.latent_upsampler import LTX2LatentUpsamplerModel

    kinds = checked_kinds(kinds, KINDS)
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    classes = {"t2v": LTX2Pipeline, "i2v": LTX2ImageToVideoPipeline, "condition": LTX2ConditionPipeline}
    with torch.random.fork_rng(devices=[]):
        shared = tiny_components(seed)
        for kind in kinds:
            if kind == "upsample":
                torch.manual_seed(seed + 1)
                upsampler = LTX2LatentUpsamplerModel(
                    in_channels=LATENT_CHANNELS, mid_channels=32, num_blocks_per_stage=1
                ).eval()
                pipe = LTX2LatentUpsamplePipeline(vae=shared["vae"], latent_upsampler=upsampler)
            else:
                pipe = classes[kind](**shared)
            pipe.save_pretrained(dest / kind)
    return dest


def _main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dest", type=Path)
    parser.add_argument("--kinds", default=",".join(KINDS), help="comma-separated: " + ",".join(KINDS))
    args = parser.parse_args()
    print(build_tiny_ltx2(args.dest, [k for k in re.split(r"[,\s]+", args.kinds) if k]))


if __name__ == "__main__":
    _main()
