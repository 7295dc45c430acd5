"""LTX-2's sound: a shot's dialogue held on the model's audio stream, and the vocoder's waveform cut to
the shot.

The dialogue (spoken by `generation.audio.dialogue`) becomes the audio VAE's log-mel input, is
encoded to audio latents and packed and normalised like the pipeline's own; for the first
`strength` share of a stage's steps the step callback resets the model's audio latents to those
latents noised to the current sigma, then the model finishes alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import torch

    from generation.backends.stepping import StepHook

MEL_FLOOR = 1e-5  # log-mel of silence: log(1e-5), LTX-2's audio front-end clamp


def log_mel(samples: np.ndarray, sample_rate: int, hop_length: int, mel_bins: int) -> np.ndarray:
    """frames x mel_bins natural-log magnitude mel spectrogram, the LTX-2 audio VAE's input: 1024-point
    STFT, `hop_length` hop, Slaney mel filters 0 .. Nyquist, clamped at 1e-5 before the log."""
    import librosa

    mel = librosa.feature.melspectrogram(
        y=np.asarray(samples, np.float32),
        sr=sample_rate,
        n_fft=1024,
        hop_length=hop_length,
        win_length=1024,
        n_mels=mel_bins,
        fmin=0.0,
        fmax=sample_rate / 2,
        power=1.0,
        htk=False,
        norm="slaney",
    )
    result: np.ndarray = np.log(np.maximum(mel, MEL_FLOOR)).T.astype(np.float32)
    return result


def dialogue_target(
    pipe: Any, speech: np.ndarray, seconds: float, seed: int, device: str
) -> tuple[torch.Tensor, torch.Tensor]:
    """(clean, noise): `seconds` of `speech` (mono, at the audio VAE's rate) as the pipeline's
    packed, normalised audio latents, and seeded noise of the same shape, for the hold to mix."""
    import torch

    vae = pipe.audio_vae
    config = vae.config
    per_second = config.sample_rate / config.mel_hop_length / float(pipe.audio_vae_temporal_compression_ratio)
    length = round(seconds * per_second)
    padded = np.zeros(int(round(seconds * config.sample_rate)), np.float32)
    padded[: min(padded.size, speech.size)] = speech[: padded.size]
    mel = log_mel(padded, config.sample_rate, config.mel_hop_length, config.mel_bins)  # frames x bins
    mel_frames = length * pipe.audio_vae_temporal_compression_ratio
    mel = np.pad(mel[:mel_frames], ((0, max(0, mel_frames - len(mel))), (0, 0)), constant_values=np.log(MEL_FLOOR))
    batch = torch.from_numpy(np.ascontiguousarray(mel)).to(device, vae.dtype)
    batch = batch[None, None].expand(1, config.in_channels, *mel.shape)  # the same mel on each channel
    with torch.inference_mode():
        z = vae.encode(batch).latent_dist.mode()[:, :, :length]
    if z.shape[2] < length:
        z = torch.nn.functional.pad(z, (0, 0, 0, length - z.shape[2]))
    packed = pipe._pack_audio_latents(z.float())
    clean = pipe._normalize_audio_latents(packed, vae.latents_mean, vae.latents_std).to(device, torch.float32)
    generator = torch.Generator(device="cpu").manual_seed(seed + 1)
    noise = torch.randn(clean.shape, generator=generator, dtype=torch.float32).to(device)
    return clean, noise


def dialogue_hold(target: tuple[torch.Tensor, torch.Tensor], held_steps: int) -> StepHook:
    """The step hook that resets the audio latents to the target at the next sigma after each of the
    first `held_steps` steps."""
    clean, noise = target

    def hold(pipe: Any, step: int, tensors: dict[str, Any]) -> None:
        if step + 1 <= held_steps:
            sigma = float(pipe.scheduler.sigmas[step + 1])
            tensors["audio_latents"].copy_(sigma * noise + (1.0 - sigma) * clean)

    return hold


def shot_audio(audio: Any, seconds: float, sample_rate: int) -> np.ndarray:
    """The vocoder's (1, channels, samples) output as samples x channels float32 in [-1, 1],
    cut or zero-padded to exactly the shot's length."""
    waveform = audio[0].float().cpu().numpy().T if hasattr(audio, "float") else np.asarray(audio[0]).T
    n = int(round(seconds * sample_rate))
    out = np.zeros((n, waveform.shape[1]), np.float32)
    out[: min(n, len(waveform))] = waveform[:n]
    clipped: np.ndarray = np.clip(out, -1.0, 1.0)
    return clipped
