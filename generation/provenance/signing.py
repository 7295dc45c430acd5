"""C2PA manifests: signed onto every finished MP4, read back by the verify page.

A new video is `c2pa.created`; a remix is `c2pa.edited` with its parent's MP4 as a `parentOf`
ingredient, so the lineage travels with the file; a stitch is `c2pa.created` as a composite whose drafts'
MP4s are `componentOf` ingredients, each `c2pa.placed`. They say `trainedAlgorithmicMedia` (a stitch
`compositeWithTrainedAlgorithmicMedia`) and carry our
own assertion (`ASSERTION`) with the job id, model and a hash of the prompt: no names, no prompt text.
A video carrying the invisible watermark also has a `c2pa.soft-binding` assertion naming it, so a copy
stripped of its manifest can be led back to this one by the watermark.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from c2pa import Builder, C2paError, C2paSignerInfo, C2paSigningAlg, Context, Reader, Settings, Signer

from generation.backends.base import Ingredient
from generation.provenance.invisible import SOFT_BINDING_ALG
from generation.provenance.keys import signing_material, trust_anchors_pem

SOFTWARE = "OpenReel"
SOFTWARE_VERSION = "1.0"
ASSERTION = "org.openreel.generation"
TRAINED = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
COMPOSITE = "http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia"
MP4 = "video/mp4"
PARENT = "parent"
SOFT_BINDING = "c2pa.soft-binding"


@dataclass(frozen=True)
class GenerationClaim:
    """What a manifest says about the job that made the video."""

    job: str  # the job's public id
    model: str
    prompt: str  # hashed before it goes in
    parent_path: Path | None = None  # the remixed video's MP4, signed itself
    parent_job: str | None = None
    soft_binding: str | None = None  # the invisible watermark's value (`invisible.soft_binding_value`)
    components: tuple[Ingredient, ...] = ()  # a stitch's drafts, in order


def _component_label(index: int) -> str:
    return f"part-{index + 1}"


def manifest_for(claim: GenerationClaim) -> dict[str, Any]:
    agent = {"name": SOFTWARE, "version": SOFTWARE_VERSION}
    if claim.components:  # joined from existing videos, each placed in it
        labels = [_component_label(index) for index in range(len(claim.components))]
        actions = [
            {"action": "c2pa.created", "digitalSourceType": COMPOSITE, "softwareAgent": agent},
            {"action": "c2pa.placed", "parameters": {"ingredientIds": labels}, "softwareAgent": agent},
        ]
    elif claim.parent_path is None:
        actions = [{"action": "c2pa.created", "digitalSourceType": TRAINED, "softwareAgent": agent}]
    else:  # C2PA wants an edit to open its parent first; the parent is the ingredient labelled PARENT
        actions = [
            {"action": "c2pa.opened", "parameters": {"ingredientIds": [PARENT]}, "softwareAgent": agent},
            {"action": "c2pa.edited", "digitalSourceType": TRAINED, "softwareAgent": agent},
        ]
    ours: dict[str, Any] = {
        "job": claim.job,
        "model": claim.model,
        "prompt_sha256": hashlib.sha256(claim.prompt.encode()).hexdigest(),
    }
    if claim.parent_job:
        ours["remix_of"] = claim.parent_job
    if claim.components:
        ours["stitched_from"] = [component.job for component in claim.components]
    assertions: list[dict[str, Any]] = [
        {"label": "c2pa.actions.v2", "data": {"actions": actions}},
        {"label": ASSERTION, "data": ours},
    ]
    if claim.soft_binding:
        # The watermark over the whole video (empty scope), so a stripped copy leads back to this manifest.
        blocks = [{"scope": {}, "value": claim.soft_binding}]
        assertions.append({"label": SOFT_BINDING, "data": {"alg": SOFT_BINDING_ALG, "blocks": blocks}})
    return {
        "claim_generator_info": [{"name": SOFTWARE, "version": SOFTWARE_VERSION}],
        "title": f"{claim.job}.mp4",
        "format": MP4,
        "assertions": assertions,
    }


def mp4_sign(path: Path, claim: GenerationClaim) -> None:
    """Sign `path` in place."""
    material = signing_material()
    signer = Signer.from_info(
        C2paSignerInfo(
            alg=C2paSigningAlg.ES256, sign_cert=material.chain_pem, private_key=material.key_pem, ta_url=None
        )
    )
    signed = path.with_suffix(".signed.mp4")
    with Builder(manifest_for(claim)) as builder:
        if claim.parent_path is not None:
            with claim.parent_path.open("rb") as parent:
                builder.add_ingredient(
                    {"title": f"{claim.parent_job or PARENT}.mp4", "relationship": "parentOf", "label": PARENT},
                    MP4,
                    parent,
                )
        for index, component in enumerate(claim.components):
            with component.path.open("rb") as part:
                label = _component_label(index)
                builder.add_ingredient(
                    {"title": f"{component.job}.mp4", "relationship": "componentOf", "label": label}, MP4, part
                )
        with path.open("rb") as source, signed.open("wb") as dest:
            builder.sign(signer, MP4, source, dest)
    signed.replace(path)


@dataclass
class ManifestSummary:
    state: str  # "Trusted" | "Valid" | "Invalid" | "none"
    claim_generator: str = ""
    actions: list[str] = field(default_factory=list)
    digital_source_type: str = ""
    generation: dict[str, Any] = field(default_factory=dict)  # our assertion
    ingredients: list[dict[str, Any]] = field(default_factory=list)  # title, relationship, job
    issuer: str = ""
    soft_bindings: list[dict[str, str]] = field(default_factory=list)  # alg, value (one per block)
    errors: list[str] = field(default_factory=list)  # validation failure codes


def manifest_read(path: Path) -> ManifestSummary:
    """The C2PA state and a summary of the active manifest of a video file."""
    context = Context(settings=Settings.from_dict({"trust": {"user_anchors": trust_anchors_pem().decode()}}))
    try:
        with path.open("rb") as stream, Reader(MP4, stream, context=context) as reader:
            report = json.loads(reader.json())
            state = reader.get_validation_state() or "Invalid"
    except C2paError as exc:
        # No manifest at all reads as "none"; one the SDK cannot even parse is broken, so Invalid.
        if "ManifestNotFound" in type(exc).__name__ or "JumbfNotFound" in str(exc) or "not found" in str(exc).lower():
            return ManifestSummary(state="none")
        return ManifestSummary(state="Invalid", errors=[str(exc)[:200]])
    active = report.get("manifests", {}).get(report.get("active_manifest", ""), {})
    summary = ManifestSummary(state=state)
    summary.claim_generator = ", ".join(info.get("name", "") for info in active.get("claim_generator_info", []))
    summary.issuer = active.get("signature_info", {}).get("issuer", "")
    for assertion in active.get("assertions", []):
        label, data = assertion.get("label", ""), assertion.get("data", {})
        if label.startswith("c2pa.actions"):
            for action in data.get("actions", []):
                summary.actions.append(action.get("action", ""))
                summary.digital_source_type = summary.digital_source_type or action.get("digitalSourceType", "")
        elif label == ASSERTION:
            summary.generation = data
        elif label == SOFT_BINDING:
            for block in data.get("blocks", []):
                summary.soft_bindings.append({"alg": str(data.get("alg", "")), "value": str(block.get("value", ""))})
    for ingredient in active.get("ingredients", []):
        parent = report.get("manifests", {}).get(ingredient.get("active_manifest", ""), {})
        parent_job = next(
            (a["data"].get("job") for a in parent.get("assertions", []) if a.get("label") == ASSERTION), None
        )
        summary.ingredients.append(
            {
                "title": ingredient.get("title", ""),
                "relationship": ingredient.get("relationship", ""),
                "job": parent_job,
            }
        )
    failures = report.get("validation_results", {}).get("activeManifest", {}).get("failure", [])
    summary.errors = [item.get("code", "") for item in failures] or [
        status.get("code", "") for status in report.get("validation_status", []) or []
    ]
    return summary
