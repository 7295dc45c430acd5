"""Fixtures the generation tests share."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.builders.tiny_ltx2 import build_tiny_ltx2


@pytest.fixture(scope="session")
def tiny_ltx2(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Tiny random-weight LTX-2 text-to-video and condition pipelines, saved once per run: the job and TTS
    tests load them read-only through the backend (each built copy cost seconds of CPU)."""
    return build_tiny_ltx2(tmp_path_factory.mktemp("ltx2") / "tiny-ltx2", kinds=("t2v", "condition"))
