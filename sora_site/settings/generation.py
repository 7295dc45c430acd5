"""Generation: the backend and its models, quotas and the stalled-job watchdog, finishing steps, voices."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from sora_site.env import env_choice, env_float, env_int, env_path

GENERATION_BACKEND = env_choice("GENERATION_BACKEND", "preview", ("preview", "diffusers"))
MODEL_PATHS = {
    "sora-2": env_path("MODEL_PATH_SORA_2"),
    "sora-2-pro": env_path("MODEL_PATH_SORA_2_PRO"),
}
if GENERATION_BACKEND == "diffusers" and not any(MODEL_PATHS.values()):
    raise ImproperlyConfigured("GENERATION_BACKEND=diffusers needs MODEL_PATH_SORA_2 and/or MODEL_PATH_SORA_2_PRO")

# --- Wan (generation/backends/diffusers_backend.py): a model path whose pipelines are not LTX2* -------
DIFFUSERS_STEPS = env_int("DIFFUSERS_STEPS", 50, minimum=1)
DIFFUSERS_MAX_AREA = env_int("DIFFUSERS_MAX_AREA", 480 * 832, minimum=16 * 16)  # generation pixels per frame
DIFFUSERS_MAX_FRAMES = env_int("DIFFUSERS_MAX_FRAMES", 81, minimum=5)

# --- LTX-2 (generation/backends/ltx2_backend.py) ----------------------------------------------
# A model path whose pipelines are LTX2* (model_index.json) is served by the LTX-2 backend (video
# with the model's own audio); any other by the Wan backend above. Modes: distilled | full | two_stage.
_LTX2_MODES = ("distilled", "full", "two_stage")
LTX2_MODES = {
    "sora-2": env_choice("LTX2_MODE_SORA_2", "distilled", _LTX2_MODES),
    "sora-2-pro": env_choice("LTX2_MODE_SORA_2_PRO", "two_stage", _LTX2_MODES),
}
LTX2_STEPS = env_int("LTX2_STEPS", 40, minimum=1)  # full mode, and two_stage's first stage (with guidance)
LTX2_DISTILLED_STEPS = env_int("LTX2_DISTILLED_STEPS", 8, minimum=1)  # of the 8-step distilled schedule
LTX2_REFINE_STEPS = env_int("LTX2_REFINE_STEPS", 3, minimum=1)  # of the 3-step stage-2 schedule
LTX2_GUIDANCE_SCALE = env_float("LTX2_GUIDANCE_SCALE", 3.0, minimum=1.0)
LTX2_MAX_AREA = env_int("LTX2_MAX_AREA", 704 * 1280, minimum=32 * 32)  # final generation pixels per frame
LTX2_MAX_FRAMES = env_int("LTX2_MAX_FRAMES", 121, minimum=9)  # per shot, at 24 fps
LTX2_MAX_SEQUENCE_LENGTH = env_int("LTX2_MAX_SEQUENCE_LENGTH", 1024, minimum=8)  # prompt tokens
LTX2_CAMEO_STRENGTH = env_float("LTX2_CAMEO_STRENGTH", 1.0, minimum=0.0, maximum=1.0)  # portrait keyframe
LTX2_DIALOGUE_STRENGTH = env_float("LTX2_DIALOGUE_STRENGTH", 0.8, minimum=0.0, maximum=1.0)  # share of steps held

# Voice-cloning TTS (generation/voice_tts.py): a local Sesame CSM checkpoint folder. Empty: dialogue is
# spoken by the pitch-matched espeak-ng voice. Only cameos whose owner keeps a voice sample are cloned.
GENERATION_TTS_MODEL_PATH = env_path("GENERATION_TTS_MODEL_PATH")

# --- Quotas and the stalled-job watchdog (its beat entry: settings/celery.py) --------------------
GENERATION_MAX_CONCURRENT = env_int("GENERATION_MAX_CONCURRENT", 2, minimum=1)
GENERATION_MAX_CONCURRENT_TEEN = env_int("GENERATION_MAX_CONCURRENT_TEEN", 1, minimum=1)
GENERATION_DAILY_SECONDS = env_int("GENERATION_DAILY_SECONDS", 240, minimum=4)
GENERATION_DAILY_SECONDS_TEEN = env_int("GENERATION_DAILY_SECONDS_TEEN", 60, minimum=4)
GENERATION_STALL_SECONDS = env_int("GENERATION_STALL_SECONDS", 180, minimum=10)
GENERATION_MAX_ATTEMPTS = env_int("GENERATION_MAX_ATTEMPTS", 3, minimum=1)
# A job queued longer than this whose message the broker does not hold is sent again (a Redis restart).
GENERATION_RESEND_SECONDS = env_int("GENERATION_RESEND_SECONDS", 60, minimum=0)
GENERATION_INPUT_IMAGE_MAX_BYTES = env_int("GENERATION_INPUT_IMAGE_MAX_BYTES", 20 * 1024 * 1024, minimum=1024)
GENERATION_INPUT_IMAGE_MAX_PIXELS = 50_000_000

# --- Finishing, in order (see generation/finishing.py): frame steps before encoding, file steps after.
GENERATION_FRAME_STEPS = [
    "generation.finishing.soundtrack_fill",
    "generation.safety.frames_check",  # moderation stage 2: nudity and likeness, before anything is stored
    "generation.safety.voice_check",  # stage 2 too: speech in a registered voice the job may not use
    "generation.provenance.steps.visible_watermark",
    "generation.provenance.steps.invisible_watermark",
]
GENERATION_FILE_STEPS: list[str] = ["generation.provenance.steps.c2pa_sign"]
