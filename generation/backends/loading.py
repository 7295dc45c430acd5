"""Loading and residency of diffusers pipelines: what a model folder can do, each pipeline loaded once
per process and kept, and the components several pipelines share loaded once between them.

On-disk layout of a model path: a directory with one sub-folder per capability ("kind"), each a
diffusers pipeline folder (a `model_index.json` plus one folder per component) as written by
`save_pretrained` or published on the Hub in diffusers form. Every sub-folder is optional; symlinks
are fine. A model path may instead *be* a single pipeline folder (a `model_index.json` at the top);
its kind then comes from `_class_name`. Each backend names its kinds and their pipeline classes in a
`PipelineSet`.

Residency: pipelines load lazily with `from_pretrained(folder, dtype=...)` (bf16 on CUDA, with the
set's fp32 components kept in fp32; fp32 on CPU) into a module-level cache keyed by (folder, kind,
device, dtype). Components that are the same files in several sub-folders (same config, same
weight-file sizes and head/tail bytes: Wan's UMT5-XXL text encoder, LTX-2's transformer) are loaded
once and passed to every pipeline that has them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sora_site.errors import DomainError

if TYPE_CHECKING:
    import torch

log = logging.getLogger(__name__)

_LOCK = threading.RLock()
_PIPELINES: dict[tuple[str, str, str, str], Any] = {}
_COMPONENTS: dict[tuple[str, str, str, str], Any] = {}  # (component, fingerprint, device, dtype)
LOAD_COUNT = 0  # pipelines actually loaded from disk in this process (tests watch it)


def clear_pipeline_cache() -> None:
    """Drop every resident pipeline (tests, benches between models; a worker never needs this)."""
    with _LOCK:
        _PIPELINES.clear()
        _COMPONENTS.clear()


def resident_pipelines() -> list[tuple[str, str, str, str]]:
    with _LOCK:
        return list(_PIPELINES)


@dataclass(frozen=True)
class PipelineSet:
    """The pipelines one model family's folders hold, and how their components load."""

    classes: Mapping[str, str]  # kind -> diffusers pipeline class name
    shareable: tuple[str, ...]  # components loaded once and shared between kinds
    fp32_components: tuple[str, ...] = ()  # kept in fp32 on CUDA
    # Called on each pipeline once it is loaded (LTX-2 lets its step callback see the audio latents).
    after_load: Callable[[Any, str], None] | None = None

    def capabilities(self, path: Path) -> dict[str, Path]:
        """{kind: pipeline folder} for a model path: the folders whose model_index.json declares this
        set's pipeline class for that kind."""
        path = Path(path)
        if (path / "model_index.json").is_file():
            kind = next((k for k, name in self.classes.items() if name == _declared_class(path)), None)
            return {kind: path} if kind else {}
        return {kind: path / kind for kind, name in self.classes.items() if _declared_class(path / kind) == name}


def _declared_class(folder: Path) -> str:
    index = folder / "model_index.json"
    return str(json.loads(index.read_text()).get("_class_name", "")) if index.is_file() else ""


def _fingerprint(folder: Path) -> str:
    """Identity of a component folder: small files in full, big ones by size + first/last MiB."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode())
        size = path.stat().st_size
        digest.update(str(size).encode())
        with path.open("rb") as fh:
            if size <= 2 << 20:
                digest.update(fh.read())
            else:
                digest.update(fh.read(1 << 20))
                fh.seek(-(1 << 20), 2)
                digest.update(fh.read())
    return digest.hexdigest()


class Loader:
    """Resident pipelines of one `PipelineSet` on one device."""

    def __init__(self, pipelines: PipelineSet, *, device: str | None = None, share_components: bool = True) -> None:
        import torch

        self.pipelines = pipelines
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self.is_cuda = self.device.startswith("cuda")
        self.dtype = torch.bfloat16 if self.is_cuda else torch.float32
        self.share_components = share_components

    def capabilities(self, path: Path) -> dict[str, Path]:
        return self.pipelines.capabilities(path)

    def dtype_for(self, component: str) -> torch.dtype:
        import torch

        if self.is_cuda and component in self.pipelines.fp32_components:
            return torch.float32
        return self.dtype

    def sync(self) -> None:
        """Wait for the device's queued work (CUDA runs asynchronously); nothing on CPU."""
        if self.is_cuda:
            import torch

            torch.cuda.synchronize(self.device)

    def pipeline(self, folder: Path, kind: str) -> tuple[Any, float]:
        """The resident pipeline for (folder, kind): (pipeline, seconds spent loading it now)."""
        global LOAD_COUNT
        key = (str(Path(folder).resolve()), kind, self.device, str(self.dtype))
        with _LOCK:
            pipe = _PIPELINES.get(key)
            if pipe is not None:
                return pipe, 0.0
            started = time.perf_counter()
            pipe = self.load(Path(folder), kind)
            if self.pipelines.after_load is not None:
                self.pipelines.after_load(pipe, kind)
            _PIPELINES[key] = pipe
            LOAD_COUNT += 1
            seconds = time.perf_counter() - started
            log.info("diffusers: loaded %s pipeline from %s in %.1f s", kind, folder, seconds)
            return pipe, seconds

    def pipelines_for(self, kinds: Iterable[str], available: Mapping[str, Path]) -> tuple[dict[str, Any], float]:
        """{kind: resident pipeline} in the order asked, and the seconds spent loading now."""
        pipes: dict[str, Any] = {}
        seconds = 0.0
        for kind in dict.fromkeys(kinds):
            pipes[kind], loading = self.pipeline(available[kind], kind)
            seconds += loading
        return pipes, seconds

    def load(self, folder: Path, kind: str) -> Any:  # a diffusers pipeline
        """`from_pretrained` of one pipeline folder, with the components already resident passed in."""
        import diffusers
        import torch

        declared = json.loads((folder / "model_index.json").read_text())
        expected = self.pipelines.classes[kind]
        if declared.get("_class_name") != expected:
            raise DomainError(
                "model_misconfigured",
                f"{folder} holds a {declared.get('_class_name')}, expected {expected}.",
                status=503,
            )
        cls = getattr(diffusers, expected)
        shared: dict[str, Any] = {}
        prints: dict[str, tuple[str, str, str, str]] = {}
        if self.share_components:
            for comp in self.pipelines.shareable:
                if (folder / comp).is_dir() and declared.get(comp, [None])[0] is not None:
                    prints[comp] = (comp, _fingerprint(folder / comp), self.device, str(self.dtype_for(comp)))
                    if prints[comp] in _COMPONENTS:
                        shared[comp] = _COMPONENTS[prints[comp]]
        dtype = {"default": self.dtype}
        if self.is_cuda:
            dtype.update({comp: torch.float32 for comp in self.pipelines.fp32_components})
        pipe = cls.from_pretrained(folder, dtype=dtype, local_files_only=True, **shared)
        pipe.to(self.device)
        pipe.set_progress_bar_config(disable=True)
        for comp, fp in prints.items():
            _COMPONENTS.setdefault(fp, getattr(pipe, comp))
        return pipe
