"""Moderation's prompt stage measured the way a person meets it: through the real create page.

Each prompt of a labelled set (a TSV with a `label` and a `text` column, optionally `resembles` and
`evasion`) is POSTed to `/create/` by a signed-in adult account, inside a savepoint that is rolled
back, so nothing is queued or kept and quotas never fill. A prompt counts as refused when the page
answers with one of the moderation codes below; other errors (a prompt too long, say) are counted.
Prints recall and false-positive rate overall, per label and per evasion kind, and the time per
request. Needs a migrated database (DATABASE_URL, or the embedded one `make run` keeps). Usage:

    HF_HUB_OFFLINE=1 .venv/bin/python bench/moderation_create_page.py moderation/data/blind_en_a.tsv
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sora_site.settings")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import django

django.setup()

from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from feed.models import User  # noqa: E402

REFUSALS = {"prompt_blocked", "likeness_blocked", "prompt_language_unsupported", "prompt_held"}
BENIGN = "benign"


class _Rollback(Exception):
    pass


def rows_read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    for row in rows:
        row.setdefault("evasion", "plain")
        row["evasion"] = row.get("evasion") or "plain"
    return rows


def verdicts(rows: list[dict[str, str]]) -> tuple[list[str | None], float]:
    """The refusal code (None: accepted) of each row, and the mean seconds per request."""
    codes: list[str | None] = []
    started = time.perf_counter()
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                username="blind_eval", password="x", display_name="Blind eval", birth_date=dt.date(1990, 1, 1)
            )
            client = Client()
            client.force_login(user)
            for row in rows:
                try:
                    with transaction.atomic():  # each job is undone, so quotas never fill up
                        response = client.post("/create/", {"prompt": row["text"], "seconds": "4", "model": "sora-2"})
                        raise _Rollback
                except _Rollback:
                    pass
                if response.status_code == 302:
                    codes.append(None)
                    continue
                error = response.context["error"] if response.context else None
                codes.append(getattr(error, "code", f"http_{response.status_code}"))
            raise _Rollback
    except _Rollback:
        pass
    return codes, (time.perf_counter() - started) / max(len(rows), 1)


def _rates(pairs: list[tuple[dict[str, str], bool]]) -> str:
    harmful = [refused for row, refused in pairs if row["label"] != BENIGN]
    benign = [refused for row, refused in pairs if row["label"] == BENIGN]
    recall = f"{sum(harmful) / len(harmful):.2f} ({sum(harmful)}/{len(harmful)})" if harmful else "-"
    fpr = f"{sum(benign) / len(benign):.2f} ({sum(benign)}/{len(benign)})" if benign else "-"
    return f"| {recall} | {fpr} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--misses", action="store_true", help="also print the rows decided wrongly")
    args = parser.parse_args()
    setup_test_environment()  # the test client then keeps the page's context (the error's code)
    for path in args.paths:
        rows = rows_read(path)
        codes, seconds = verdicts(rows)
        others = [(row, code) for row, code in zip(rows, codes, strict=True) if code and code not in REFUSALS]
        pairs = [(row, code in REFUSALS) for row, code in zip(rows, codes, strict=True)]
        print(f"\n### {path.name}: {len(rows)} prompts through /create/, {seconds * 1000:.0f} ms each\n")
        print("| group | recall | false-positive rate |\n|---|---|---|")
        print(f"| all {_rates(pairs)}")
        for key in ("label", "evasion"):
            groups: dict[str, list[tuple[dict[str, str], bool]]] = defaultdict(list)
            for row, refused in pairs:
                group = row["resembles"] if key == "label" and row["label"] == BENIGN and row.get("resembles") else None
                groups[f"{key}={group or row[key]}"].append((row, refused))
            for name in sorted(groups):
                print(f"| {name} {_rates(groups[name])}")
        for code in sorted({code for _row, code in others if code}):
            print(f"other errors: {code} x{sum(1 for _row, c in others if c == code)}")
        if args.misses:
            for row, refused in pairs:
                if refused != (row["label"] != BENIGN):
                    print(f"{'missed' if not refused else 'refused'}\t{row['label']}\t{row['evasion']}\t{row['text']}")


if __name__ == "__main__":
    main()
