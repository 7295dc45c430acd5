"""Recall and false-positive rate of the prompt stage per evasion type (and per language).

Reads a labelled set with an `evasion` column (moderation/data/prompt_eval_evasions.tsv: label,
resembles, evasion, text) and runs `moderation.policy.text_verdict` on each row, as
`manage.py moderation_eval --file` does, but grouped by the kind of evasion. Usage:

    DJANGO_SETTINGS_MODULE=sora_site.settings .venv/bin/python bench/prompt_evasions.py [--show-errors]
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sora_site.settings")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import django

django.setup()

from moderation.evaluation import BENIGN, DATA  # noqa: E402
from moderation.policy import text_verdict  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--file", type=Path, default=DATA / "prompt_eval_evasions.tsv")
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()
    with args.file.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    # evasion -> [harmful, caught, benign, refused]
    counts: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    errors = []
    for row in rows:
        verdict = text_verdict(row["text"])
        harmful = row["label"] != BENIGN
        figures = counts[row["evasion"]]
        figures[0 if harmful else 2] += 1
        if not verdict.allowed:
            figures[1 if harmful else 3] += 1
        if harmful == verdict.allowed:
            outcome = "missed" if harmful else "refused"
            errors.append(f"  {outcome} [{row['evasion']}] [{verdict.category or row['label']}] {row['text']}")
    print(f"{'evasion':20} {'harmful':>7} {'recall':>7} {'benign':>7} {'fp rate':>8}")
    total = [0, 0, 0, 0]
    for evasion, (harmful, caught, benign, refused) in sorted(counts.items()):
        total = [a + b for a, b in zip(total, (harmful, caught, benign, refused), strict=True)]
        recall = f"{caught / harmful:.2f}" if harmful else "-"
        fp_rate = f"{refused / benign:.2f}" if benign else "-"
        print(f"{evasion:20} {harmful:7} {recall:>7} {benign:7} {fp_rate:>8}")
    print(f"{'all':20} {total[0]:7} {total[1] / total[0]:7.2f} {total[2]:7} {total[3] / total[2]:8.2f}")
    if args.show_errors:
        print("\n".join(errors))


if __name__ == "__main__":
    main()
