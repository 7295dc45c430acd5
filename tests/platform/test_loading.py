"""Loading once per process (`LoadedOnce`: a caller arriving while another thread loads waits for that
load) and results kept on disk between processes (`kept_on_disk`), as the web's warm-up thread and the
prompt stage's policy, head and n-grams use them."""

from __future__ import annotations

import threading
from pathlib import Path

from sora_site.loading import LoadedOnce, kept_on_disk


def test_a_caller_arriving_during_the_load_waits_for_it_and_nothing_loads_twice() -> None:
    started, release = threading.Event(), threading.Event()
    loads: list[str] = []

    @LoadedOnce
    def model() -> str:
        loads.append(threading.current_thread().name)
        started.set()
        release.wait(10)
        return "the model"

    got: dict[str, str] = {}
    warm = threading.Thread(target=lambda: got.update(warm=model()), name="warm-up")
    warm.start()
    assert started.wait(10)
    request = threading.Thread(target=lambda: got.update(request=model()), name="request")
    request.start()
    request.join(0.3)
    assert request.is_alive() and not model.is_loaded()  # waiting for the load under way
    release.set()
    warm.join(10)
    request.join(10)
    assert got == {"warm": "the model", "request": "the model"}
    assert loads == ["warm-up"]
    assert model() == "the model" and loads == ["warm-up"]


def test_a_failed_load_is_tried_again_by_the_next_caller() -> None:
    attempts: list[int] = []

    @LoadedOnce
    def model() -> int:
        attempts.append(1)
        if len(attempts) == 1:
            raise OSError("the disk hiccuped")
        return len(attempts)

    try:
        model()
    except OSError:
        pass
    assert not model.is_loaded()
    assert model() == 2 and model() == 2


def kept(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "cache").glob("thing-*.pickle"))


def test_a_kept_result_is_built_once_and_read_back_while_its_inputs_stay_the_same(settings, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path
    builds: list[int] = []

    def build() -> dict[str, int]:
        builds.append(1)
        return {"built": len(builds)}

    assert kept_on_disk("thing", [b"policy v1", "scikit-learn==1"], build) == {"built": 1}
    assert kept_on_disk("thing", [b"policy v1", "scikit-learn==1"], build) == {"built": 1}  # from disk
    assert builds == [1] and len(kept(tmp_path)) == 1
    assert kept_on_disk("thing", [b"policy v2", "scikit-learn==1"], build) == {"built": 2}  # changed input
    assert len(kept(tmp_path)) == 2


def test_a_damaged_or_unwritable_cache_only_costs_a_build(settings, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path
    kept_on_disk("thing", ["x"], lambda: [1, 2])
    [file] = kept(tmp_path)
    file.write_bytes(b"\x80\x05not a pickle")
    assert kept_on_disk("thing", ["x"], lambda: [3]) == [3]
    assert kept_on_disk("thing", ["x"], lambda: [4]) == [3]  # written again, whole
    settings.VAR_DIR = tmp_path / "file"
    (tmp_path / "file").write_text("a file where the folder would go")
    assert kept_on_disk("thing", ["x"], lambda: [5]) == [5]
