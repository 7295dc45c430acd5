"""The public-figure words check (`cameos.figures`): recall and false-positive rate on its dev set, and
time per prompt.

Builds the index from the shipped starter registry (cameos/data/public_figures.toml, as
`manage.py public_figures_load` stores it), then:
- runs it over moderation/data/public_figures_dev.tsv, or `--dev` another set such as
  public_figures_fresh.tsv (harmful `public_figures` rows and benign look-alikes), and prints recall,
  false-positive rate and every mistake;
- times `Index.search` (as written, then with the evasions undone, as the selector runs it) over that
  set and every prompt of the moderation evaluation sets (--repeat times) and prints p50/p95/max in
  milliseconds. The selector adds one small query (count and latest change) per check; the index
  itself is built once per registry version. Usage:

    .venv/bin/python bench/public_figures.py [--repeat 3] [--dev moderation/data/public_figures_fresh.tsv]
"""

from __future__ import annotations

import argparse
import csv
import platform
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cameos import figures  # noqa: E402

REGISTRY = ROOT / "cameos" / "data" / "public_figures.toml"
DATA = ROOT / "moderation" / "data"


def starter_index() -> figures.Index:
    items = tomllib.loads(REGISTRY.read_text(encoding="utf-8"))["figure"]
    return figures.Index(
        [
            figures.entry_build(
                figure_id=number,
                name=item["name"],
                kind=item.get("kind", "person"),
                aliases=item.get("aliases", []),
                ambiguous_names=item.get("ambiguous_names", []),
                cues=item.get("cues", []),
                descriptions=item.get("descriptions", []),
            )
            for number, item in enumerate(items, start=1)
        ]
    )


def rows(path: Path) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return [(row["label"], row["text"]) for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dev", default=str(DATA / "public_figures_dev.tsv"))
    args = parser.parse_args()
    started = time.perf_counter()
    index = starter_index()
    print(f"index of {len(index.entries)} entries built in {(time.perf_counter() - started) * 1000:.0f} ms")

    dev = rows(Path(args.dev))
    harmful = [text for label, text in dev if label == "public_figures"]
    benign = [text for label, text in dev if label != "public_figures"]
    missed = [text for text in harmful if index.search([text]) is None]
    refused = [(text, index.search([text])) for text in benign]
    refused = [(text, mention) for text, mention in refused if mention is not None]
    print(
        f"dev set {Path(args.dev).name}: recall {1 - len(missed) / len(harmful):.3f} ({len(harmful)} harmful), "
        f"false-positive rate {len(refused) / len(benign):.3f} ({len(benign)} benign)"
    )
    for text in missed:
        print(f"  missed: {text}")
    for text, mention in refused:
        print(f"  refused: {text}  <- {mention.name} ({mention.how}: {mention.phrase})")

    prompts = [text for _, text in dev] + [
        text for path in sorted(DATA.glob("prompt_eval*.tsv")) for _, text in rows(path)
    ]
    timings = []
    for _ in range(args.repeat):
        for prompt in prompts:
            began = time.perf_counter()
            index.search([prompt])
            timings.append((time.perf_counter() - began) * 1000)
    timings.sort()
    p50, p95 = timings[len(timings) // 2], timings[int(len(timings) * 0.95)]
    print(
        f"search over {len(prompts)} prompts x {args.repeat}: p50 {p50:.2f} ms, p95 {p95:.2f} ms, "
        f"max {timings[-1]:.2f} ms ({platform.processor() or platform.machine()})"
    )


if __name__ == "__main__":
    main()
