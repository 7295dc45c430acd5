"""`manage.py moderation_eval [--split heldout]`: the prompt policy's recall, false-positive rate and
precision per category, and recall and false-positive rate per evasion type (sets with the
`resembles` and `evasion` columns; see moderation/evaluation.py).

`--split fresh3` / `--split ja_fresh4` are the blind sets (measured once, never tuned on; fresh2,
ja_fresh2 and ja_fresh3 were, until tuned on); `--split ja` / `--split ja_fresh`
/ `--split ja_lexicon` measure the other Japanese sets (moderation/data/prompt_eval_ja*.tsv) on
their own; `--split adversarial_tune` and `--split benign_lookalikes` the evasion dev set and the
standing benign look-alikes; `--file PATH` measures any TSV with `label` and `text` columns.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from moderation.evaluation import WHOLE_SETS, evaluate


class Command(BaseCommand):
    help = "Evaluate the prompt policy on the labelled set (moderation/data/prompt_eval.tsv)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--split", choices=sorted(["tune", "heldout", "all", *WHOLE_SETS]), default="heldout")
        parser.add_argument(
            "--file", type=Path, help="Evaluate this TSV (label, text; or label, resembles, evasion, text) instead."
        )
        parser.add_argument("--show-errors", action="store_true", help="List missed and wrongly refused prompts.")

    def handle(self, *args: Any, **options: Any) -> None:
        evaluate("tune")  # warm: loads the model and embeds the example sets outside the figures
        path: Path | None = options["file"]
        if path is not None and not path.is_file():
            raise CommandError(f"no such file: {path}")
        try:
            report = evaluate(options["split"], path)
        except (KeyError, ValueError) as error:  # a missing column, an unknown label
            raise CommandError(f"{path or options['split']}: {error}") from error
        out = self.stdout.write
        out(f"split: {report.split}")
        header = f"{'category':22} {'n':>3} {'recall':>7} {'precision':>9} {'right category':>15}"
        out(f"{header} {'look-alikes':>11} fp rate")
        lookalikes = report.benign_by_category
        for name in sorted({c.category for c in report.categories} | set(lookalikes)):
            c = next((c for c in report.categories if c.category == name), None)
            harmful = " " * 37
            if c:
                harmful = f"{c.support:3} {c.recall:7.2f} {c.precision:9.2f} {c.right_category:>9}/{c.support:<5}"
            benign = f"{lookalikes[name].total:11} {lookalikes[name].rate:7.2f}" if name in lookalikes else ""
            out(f"{name:22} {harmful} {benign}".rstrip())
        evasions = sorted(set(report.recall_by_evasion) | set(report.false_positives_by_evasion))
        if evasions != ["plain"]:
            out(f"{'evasion':22} {'n':>3} {'recall':>7} {'benign n':>9} {'fp rate':>7}")
            for name in evasions:
                caught, fp = report.recall_by_evasion.get(name), report.false_positives_by_evasion.get(name)
                harmful = f"{caught.total:3} {caught.rate:7.2f}" if caught else " " * 11
                benign = f"{fp.total:9} {fp.rate:7.2f}" if fp else ""
                out(f"{name:22} {harmful} {benign}".rstrip())
        out(f"harmful overall recall: {report.recall:.3f}")
        out(
            f"benign: {report.benign}, refused: {len(report.benign_refused)}, false-positive rate: "
            f"{report.false_positive_rate:.3f}"
        )
        if options["show_errors"]:
            for label, text in report.missed:
                out(f"  missed [{label}] {text}")
            for text, category in report.benign_refused:
                out(f"  refused benign [{category}] {text}")
