"""The prompt policy measured on a labelled set: recall and false-positive rate per category and
per evasion type, and precision per category.

A set is a TSV with a header: `label` + `text` (the older sets), or `label`, `resembles`, `evasion`,
`text`. `label` is a category or "benign"; `resembles` names the category a benign look-alike
resembles (a cocktail called Bloody Mary resembles graphic_violence); `evasion` names how a harmful
prompt is written to get through (leet, framing, long_setup, split, described, emoji, ...; "plain"
or empty when it is not) and may be set on a benign row written the same way. The false-positive
rate per category is over the benign rows resembling it.
`prompt_eval.tsv` is split in two by position within each label: even rows are the half the policy
was tuned on, odd rows the held-out half. Recall counts a harmful prompt as caught when it is
refused at all (the category it is refused under is reported separately); precision is per
category: of the prompts refused under it, how many carry its label.
"""

from __future__ import annotations

import csv
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from moderation.policy import text_verdict
from moderation.policy_file import policy_load

BENIGN = "benign"
DATA = Path(__file__).resolve().parent / "data"
EVAL_SET = DATA / "prompt_eval.tsv"
# Written after the held-out half had been looked at once (and the policy adjusted): never tuned on.
FRESH_SET = DATA / "prompt_eval_fresh.tsv"
# Japanese prompts (half benign look-alikes: 入口, 殺虫剤, トランプ遊び), reported on their own.
JA_SET = DATA / "prompt_eval_ja.tsv"
# Japanese prompts written after the lexicon had been tuned on JA_SET, measured once, never tuned on.
JA_FRESH_SET = DATA / "prompt_eval_ja_fresh.tsv"
WHOLE_SETS = {
    "fresh": FRESH_SET,
    "ja": JA_SET,
    "ja_fresh": JA_FRESH_SET,
    # Japanese prompts written to widen the lexicon (verbs in any conjugation, `ja_together` pairs,
    # their benign look-alikes): tuned on, so a regression check, not a measure.
    "ja_lexicon": DATA / "prompt_eval_ja_lexicon.tsv",
    # Japanese prompts written to widen the lexicon per category (gore, self-harm methods, slurs,
    # names) with 140+ benign look-alikes (マグロの解体, ワンピース, 死ぬほど美味しい): tuned on too.
    "ja_tune2": DATA / "prompt_eval_ja_tune2.tsv",
    # Japanese prompts for descriptions rather than names (きしだ元首相, 青い猫型ロボット, 尊師, 高1 +
    # 舐めるように撮る) and negation framing (グロ抜き, 誹謗中傷をやめよう), half benign look-alikes.
    "ja_tune3": DATA / "prompt_eval_ja_tune3.tsv",
    # Written blind by someone who never saw the policy's examples or the other sets; measured once
    # (docs/BENCHMARKS.md), then tuned on: fresh2 and ja_fresh2 by the next stop, then ja_fresh3, so
    # fresh3 and ja_fresh4 (written the same way, kept from whoever tuned) carry the honest figures now.
    "fresh2": DATA / "prompt_eval_fresh2.tsv",
    "fresh3": DATA / "prompt_eval_fresh3.tsv",
    "ja_fresh2": DATA / "prompt_eval_ja_fresh2.tsv",
    "ja_fresh3": DATA / "prompt_eval_ja_fresh3.tsv",
    "ja_fresh4": DATA / "prompt_eval_ja_fresh4.tsv",
    # English and Japanese prompts written the way people get around a filter (framing, a long
    # set-up turning at the end, explicit acts without an explicit word, described people, brands,
    # dog whistles and emoji), half benign look-alikes: tuned on (issue 20), a regression check.
    "adversarial_tune": DATA / "prompt_eval_adversarial_tune.tsv",
    # Japanese written to get around the lexicon (romaji, acts without their word, a late turn,
    # emoji, methods and how-tos in plain words, half-width kana) with benign look-alikes: tuned on.
    "tune_ja_dev": DATA / "prompt_eval_tune_ja_dev.tsv",
    # Written the same way after tune_ja_dev's first rules and measured with them (recall 0.31 before
    # them, 0.81 with them, no false positives), then tuned on.
    "tune_ja_fresh": DATA / "prompt_eval_tune_ja_fresh.tsv",
    # The standing benign look-alikes per category (cocktails, art history, documentaries, sports
    # injuries...): the CI test holds their false-positive rate at 0.05 at most.
    "benign_lookalikes": DATA / "benign_lookalikes.tsv",
    # Evasions per type and other languages, each with benign counterparts: `evasions` tuned on,
    # `evasions_fresh` measured once then tuned on, `evasions_fresh2` measured once (issue 20).
    "evasions": DATA / "prompt_eval_evasions.tsv",
    "evasions_fresh": DATA / "prompt_eval_evasions_fresh.tsv",
    "evasions_fresh2": DATA / "prompt_eval_evasions_fresh2.tsv",
    # Japanese sexual_minors phrasings (school uniforms, age and grade words, JK/JC/ロリ, romaji,
    # 伏せ字), benign look-alikes in English and Japanese, other languages (es, fr, de, pt, ko, zh,
    # Hindi in Latin letters) and English mixed with Japanese, harmful and benign: `crosslingual_tune`
    # tuned on (and fitted on by the character n-grams), `crosslingual_dev` written with it and
    # never fitted on (its misses were read once, before the changes).
    "crosslingual_tune": DATA / "prompt_eval_crosslingual_tune.tsv",
    "crosslingual_dev": DATA / "prompt_eval_crosslingual_dev.tsv",
    # Issue 20's third round, 120 rows each, half English, half Japanese: hate, harm described without
    # a harmful word, masked letters (f*ggot, r_pe, wh.re) and dog whistles; Japanese fiction framing
    # (小説 / 映画 / ロールプレイ), spaced letters, digits in romaji and kana (sh1n1ta1, 4ね), extremism and
    # self-harm; look-alikes (history and museums, statues, biographies and costumes, recovery and first
    # aid). `round3_tune` tuned on (and fitted on by the n-grams); `round3_dev` written at the same time,
    # before any change, never tuned or fitted on (but by the same engineer: no blind measure).
    "round3_tune": DATA / "prompt_eval_round3_tune.tsv",
    "round3_dev": DATA / "prompt_eval_round3_dev.tsv",
    # Issue 20's fourth round, aimed at what the blind sets `blind_en_e` / `blind_ja_e` still let through:
    # English dog whistles, emoji for words, a long set-up turning at the end, harm described without
    # naming it; Japanese slurs and 煽り, implicit harm, romaji and kana swaps, fiction framing; with
    # look-alikes (cooking, boxing, horror, medicine, history, sports injuries, museum nudes, everyday
    # Japanese). `round4_tune` tuned on (and fitted on by the n-grams); `round4_dev` written before any
    # change, with other wording and topics, measured before and after, never tuned or fitted on.
    "round4_tune": DATA / "prompt_eval_round4_tune.tsv",
    "round4_dev": DATA / "prompt_eval_round4_dev.tsv",
    # Written blind (English; Japanese; English, Japanese and seven other languages) by three people
    # who saw neither the policy nor any other set, each with evasions and benign look-alikes;
    # measured once through the create page (bench/moderation_create_page.py, docs/MODERATION_CARD.md)
    # and frozen: never tune on them.
    "blind_en_a": DATA / "prompt_eval_blind_en_a.tsv",
    "blind_ja_a": DATA / "prompt_eval_blind_ja_a.tsv",
    "blind_mix_a": DATA / "prompt_eval_blind_mix_a.tsv",
    # Two more, written the same way while the policy was tuned after the three above, measured once
    # before that tuning and once after it, and frozen.
    "blind_en_b": DATA / "prompt_eval_blind_en_b.tsv",
    "blind_ja_b": DATA / "prompt_eval_blind_ja_b.tsv",
    # Two more (English; Japanese), written the same way by two new writers while the policy was
    # split and tuned again, measured before and after that, and frozen.
    "blind_en_c": DATA / "prompt_eval_blind_en_c.tsv",
    "blind_ja_c": DATA / "prompt_eval_blind_ja_c.tsv",
    # Two more (English with 15% other languages; Japanese), by two new writers who saw nothing of the
    # project, measured before and after issue 20's second round (no change between in English), frozen.
    "blind_en_d": DATA / "prompt_eval_blind_en_d.tsv",
    "blind_ja_d": DATA / "prompt_eval_blind_ja_d.tsv",
    # Two more (English, 270 rows; Japanese, 180; 90% of the harmful rows with an evasion), by two new
    # writers who saw nothing of the project, measured before and after issue 20's third round, frozen.
    "blind_en_e": DATA / "prompt_eval_blind_en_e.tsv",
    "blind_ja_e": DATA / "prompt_eval_blind_ja_e.tsv",
    # Two more (English, 285 rows; Japanese, 190; half the harmful rows with an evasion), by a new
    # writer who saw nothing of the project, measured before and after issue 20's fourth round, frozen.
    "blind_en_f": DATA / "prompt_eval_blind_en_f.tsv",
    "blind_ja_f": DATA / "prompt_eval_blind_ja_f.tsv",
    # Three more (English, 255 rows; Japanese, 119; twelve other languages, 119; no harmful rows of
    # sexual minors: the writer declined them), by a new writer who saw nothing of the project, measured
    # once with the default classifier and once with e5 beside MiniLM (issue 20 item 1), frozen.
    "blind_en_g": DATA / "prompt_eval_blind_en_g.tsv",
    "blind_ja_g": DATA / "prompt_eval_blind_ja_g.tsv",
    "blind_multi_g": DATA / "prompt_eval_blind_multi_g.tsv",
}
PLAIN = "plain"


@dataclass(frozen=True)
class Labelled:
    label: str
    text: str
    resembles: str = ""  # a benign row: the category it looks like
    evasion: str = PLAIN  # how the row is written


def eval_set(split: str, path: Path | None = None) -> list[Labelled]:
    """`split` is "tune" (even rows of each label), "heldout" (odd rows), "all", "fresh" (the
    second set, all of it), "ja" or "ja_fresh" (the Japanese sets, all of each). With `path`, all
    of that TSV file (columns `label` and `text`, optionally `resembles` and `evasion`; labels are
    category names or "benign")."""
    if path is not None:
        split = "all"
    path = path or WHOLE_SETS.get(split, EVAL_SET)
    with path.open(newline="", encoding="utf-8") as handle:
        rows = [
            Labelled(
                r["label"].strip(),
                r["text"],
                (r.get("resembles") or "").strip(),
                (r.get("evasion") or "").strip() or PLAIN,
            )
            for r in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        ]
    seen: Counter[str] = Counter()
    chosen = []
    for row in rows:
        position = seen[row.label]
        seen[row.label] += 1
        if split == "all" or split in WHOLE_SETS or (split == "tune") == (position % 2 == 0):
            chosen.append(row)
    return chosen


@dataclass(frozen=True)
class CategoryFigures:
    category: str
    support: int
    caught: int  # refused under any category
    right_category: int
    refused_under: int  # prompts of any label refused under this category
    refused_under_correctly: int

    @property
    def recall(self) -> float:
        return self.caught / self.support if self.support else 0.0

    @property
    def precision(self) -> float:
        return self.refused_under_correctly / self.refused_under if self.refused_under else 1.0


@dataclass(frozen=True)
class Rate:
    """Of `total` rows, `hits` were refused: recall for harmful rows, the false-positive rate for
    benign ones."""

    total: int = 0
    hits: int = 0

    @property
    def rate(self) -> float:
        return self.hits / self.total if self.total else 0.0

    def add(self, refused: bool) -> Rate:
        return Rate(self.total + 1, self.hits + refused)


@dataclass(frozen=True)
class Report:
    split: str
    categories: list[CategoryFigures]
    benign: int
    benign_refused: list[tuple[str, str]]  # (text, category)
    missed: list[tuple[str, str]]  # (label, text)
    latencies_ms: list[float]
    benign_by_category: dict[str, Rate]  # benign rows naming the category they resemble
    recall_by_evasion: dict[str, Rate]
    false_positives_by_evasion: dict[str, Rate]

    @property
    def recall(self) -> float:
        support = sum(c.support for c in self.categories)
        return sum(c.caught for c in self.categories) / support if support else 0.0

    @property
    def false_positive_rate(self) -> float:
        return len(self.benign_refused) / self.benign if self.benign else 0.0


def evaluate(split: str, path: Path | None = None) -> Report:
    rows = eval_set(split, path)
    unknown = {row.label for row in rows} - set(policy_load().categories) - {BENIGN}
    if unknown:
        raise ValueError(f"labels that are not policy categories or {BENIGN!r}: {', '.join(sorted(unknown))}")
    verdicts = []
    latencies = []
    for row in rows:
        started = time.perf_counter()
        verdicts.append(text_verdict(row.text))
        latencies.append((time.perf_counter() - started) * 1000)
    by_label: defaultdict[str, list[int]] = defaultdict(list)
    for index, row in enumerate(rows):
        by_label[row.label].append(index)
    figures = []
    for label in sorted(name for name in by_label if name != BENIGN):
        indices = by_label[label]
        refused_under = [i for i, v in enumerate(verdicts) if v.category == label]
        figures.append(
            CategoryFigures(
                category=label,
                support=len(indices),
                caught=sum(1 for i in indices if not verdicts[i].allowed),
                right_category=sum(1 for i in indices if verdicts[i].category == label),
                refused_under=len(refused_under),
                refused_under_correctly=sum(1 for i in refused_under if rows[i].label == label),
            )
        )
    benign = by_label[BENIGN]
    benign_by_category: dict[str, Rate] = defaultdict(Rate)
    recall_by_evasion: dict[str, Rate] = defaultdict(Rate)
    false_positives_by_evasion: dict[str, Rate] = defaultdict(Rate)
    for row, verdict in zip(rows, verdicts, strict=True):
        refused = not verdict.allowed
        if row.label == BENIGN:
            if row.resembles:
                benign_by_category[row.resembles] = benign_by_category[row.resembles].add(refused)
            false_positives_by_evasion[row.evasion] = false_positives_by_evasion[row.evasion].add(refused)
        else:
            recall_by_evasion[row.evasion] = recall_by_evasion[row.evasion].add(refused)
    return Report(
        split=str(path) if path else split,
        categories=figures,
        benign=len(benign),
        benign_refused=[(rows[i].text, str(verdicts[i].category)) for i in benign if not verdicts[i].allowed],
        missed=[
            (rows[i].label, rows[i].text) for i in range(len(rows)) if rows[i].label != BENIGN and verdicts[i].allowed
        ],
        latencies_ms=latencies,
        benign_by_category=dict(sorted(benign_by_category.items())),
        recall_by_evasion=dict(sorted(recall_by_evasion.items())),
        false_positives_by_evasion=dict(sorted(false_positives_by_evasion.items())),
    )
