"""What the classifier reads of a text: its sentences (in English where a glossary reads another
language), a long sentence's clauses in runs, a sentence that refers back with the one before it,
and each with its make-believe framing (English or Japanese) taken out."""

from __future__ import annotations

import re

from moderation.languages import english_reading

_SENTENCE_SPLIT = re.compile(r"[.!?;\n。！？]+|\s/\s")
# Emoji written for words ("🔪🩸 my arm", "🔫 him in the head", "💊💊💊 + 🍷 = goodbye"): the encoder has no
# token for most of them, so the classifier reads each as its plain meaning, never its coded one (🍆 is an
# aubergine here; the emoji codes are the term rules' business). Keys are as the normaliser leaves them
# (no variation selectors or joiners: 🏳️‍🌈 reads 🏳🌈).
_EMOJI_WORDS = {
    "🔪": "knife",
    "🗡": "dagger",
    "🪓": "axe",
    "🔫": "gun",
    "💣": "bomb",
    "🧨": "explosive",
    "💥": "explosion",
    "🩸": "blood",
    "🧠": "brain",
    "💀": "death",
    "☠": "death",
    "⚰": "coffin",
    "🪦": "grave",
    "🪢": "rope",
    "⛓": "chains",
    "💊": "pills",
    "💉": "syringe",
    "🧪": "chemicals",
    "⚗": "chemistry",
    "🍷": "wine",
    "🍺": "beer",
    "🔥": "fire",
    "🐒": "monkey",
    "🐵": "monkey",
    "🙈": "monkey",
    "🦍": "gorilla",
    "🍌": "banana",
    "🐷": "pig",
    "🐖": "pig",
    "🐀": "rat",
    "🪳": "cockroach",
    "🤮": "vomit",
    "🤢": "disgusting",
    "🏳🌈": "gay pride flag",
    "🏳⚧": "transgender flag",
    "✡": "jewish star",
    "☪": "muslim crescent",
    "👃": "nose",
    "💰": "money",
    "卐": "swastika",
    "⚡⚡": "ss runes",
    "🍆": "aubergine",
    "🍑": "peach",
    "💦": "water drops",
    "👅": "tongue",
    "👙": "bikini",
    "🎒": "school bag",
    "👧": "girl",
    "👦": "boy",
    "🧒": "child",
    "👶": "baby",
    "🔞": "adults only",
    "❄": "snow",
    "🍄": "mushroom",
    "😵": "dazed",
    "😭": "crying",
    "😏": "smirking",
    "➡": "then",
}
_EMOJI = re.compile("|".join(re.escape(e) for e in sorted(_EMOJI_WORDS, key=len, reverse=True)))
_MENTION = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{3,30}\b")

# Framing that asks for a request to be read as make-believe: "for a film", "it's fiction",
# "role-play as", "hypothetically", "pretend you are". A film may show what a film may show, so the
# framing changes nothing: each sentence is also read with it taken out (`classifier_readings`), so it neither
# launders a harmful request nor pulls it towards the benign examples' film sets. A documentary is no
# make-believe: "a medieval execution in a history documentary" keeps its context.
_WORKS = (
    r"(?:film|movie|short|scene|drama|series|show|sketch|skit|parody|satire|music video|video game|game|"
    r"story|novel|play|comedy|thriller|project|art piece|art project|assignment|class|screenplay|script)s?"
)
_FRAMINGS = (
    # "for a film", "it's just for a horror movie", "in my novel", "as a parody scene"
    rf"(?:(?:this is|it'?s|it is|that'?s|purely|just|only)\s+)*(?:for|in|as|from|like)\s+(?:a|an|my|our|the|some)\s+"
    rf"(?:[a-z'-]+\s+){{0,3}}?{_WORKS}(?:\s+(?:project|scene|shoot))?",
    # "it's fiction", "this is just satire", "it's fine"
    r"(?:it'?s|this is|it is|that'?s)\s+(?:just\s+|only\s+|purely\s+|all\s+)?(?:fiction(?:al)?|satire|satirical|a joke|"
    r"art|parody|pretend|make[- ]believe|hypothetical|not real|a dream|for fun|fine|ok|okay|allowed|legal)",
    r"hypothetically(?: speaking)?|in theory|theoretically|imagine (?:that|if)",
    r"in a (?:fictional|made[- ]up|imaginary) world|in a parallel universe",
    r"pretend (?:that|you'?re|you are)|let'?s (?:role[- ]?play|pretend)|role[- ]?play(?:ing)?(?: as)?",
    r"you are (?:now )?(?:a|an|my) [a-z]+(?: [a-z]+)?|act(?:ing)? as (?:a|an|my)|as a joke",
    r"for (?:educational|research|artistic|academic|training) purposes(?: only)?",
    r"relax|don'?t worry|no one gets hurt|so it'?s (?:fine|ok|okay|allowed)|it'?s (?:fine|ok|okay) because",
)
_FRAMING = re.compile(rf"\b(?:{'|'.join(_FRAMINGS)})\b")
# The same in Japanese: 小説の一場面として, 映画の脚本なので, ロールプレイで, 小説という設定で, フィクションだから.
_JA_WORKS = (
    r"(?:小説|映画|ドラマ|アニメ|漫画|マンガ|脚本|台本|物語|フィクション|ゲーム|創作|舞台|お芝居|芝居|ショート動画)"
)
_JA_FRAMINGS = (
    rf"{_JA_WORKS}(?:の(?:中の話|中で|中の|一場面|ワンシーン|シーン|設定|ため|話|脚本|台本)|という設定|の設定)*"
    r"(?:として|なので|だから|なら|だし|では|で|に|用に|用)?",
    r"ロールプレイ(?:ング)?(?:として|して|で)?|(?:という|って)設定で|設定(?:として|だから|なので)|"
    r"架空の(?:話|世界)(?:として|で|なので)?|(?:ただの|あくまで)(?:創作|フィクション|演技)(?:なので|だから|として)?|"
    r"(?:役|キャラ)になりきって|役(?:を演じて|をやって|になって)",
)
_JA_FRAMING = re.compile(rf"(?:{'|'.join(_JA_FRAMINGS)})[、,:：]?")
# A long sentence is read as runs of clauses, so a long set-up does not drown its last turn.
_CLAUSE_SPLIT = re.compile(r",\s*|\s+(?:and then|then|until|before|after|while|when|where)\s+")
# Where a long set-up turns ("..., and then the man pulls out a rifle"): what follows starts a run of its
# own, so the turn is read without the last clauses of the set-up before it.
_TURN = re.compile(
    r"(?:,\s*|\s+)(?:and |but )?(?:then|suddenly|finally|at the (?:end|climax)|in the end|at night|later that night)\s+"
)
_LONG_SENTENCE_WORDS = 16
_CHUNK_WORDS = 14
_READINGS_MAX = 16  # the classifier's batch for one text: bounds the time of a very long prompt
_REFERS_BACK = re.compile(r"\b(?:he|she|they|it|him|her|them|his|their|its|then|this|that|these|those|there)\b")


def _sentences(text: str) -> list[str]:
    """The normalised sentences the classifier reads (in English where a glossary read another
    language), @mentions as "a person" (replaced before normalising: leetspeak would read "@alice"
    as "aalice")."""
    # Line by line: normalising joins whitespace, and a line break ends a sentence (a shot, a caption).
    lines = [line for line in text.splitlines() if line.strip()] or [text]
    neutral = [_emoji_words(english_reading(_MENTION.sub("a person", line)).text) for line in lines]
    parts = [p.strip() for line in neutral for p in _SENTENCE_SPLIT.split(line)]
    return [p for p in parts if len(p) > 2] or [" ".join(neutral)]


def _emoji_words(text: str) -> str:
    return " ".join(_EMOJI.sub(lambda match: f" {_EMOJI_WORDS[match.group(0)]} ", text).split())


def _chunks(sentence: str) -> list[str]:
    """A long sentence's clauses grouped in order into runs of about `_CHUNK_WORDS` words, each
    clause whole, a turn (`_TURN`) starting a new run: its turns read without the set-up around them."""
    chunks: list[list[str]] = [[]]
    for part in _TURN.split(sentence):
        if chunks[-1]:
            chunks.append([])
        for clause in (c.strip() for c in _CLAUSE_SPLIT.split(part) if len(c.strip()) > 2):
            if chunks[-1] and sum(len(c.split()) for c in chunks[-1]) + len(clause.split()) > _CHUNK_WORDS:
                chunks.append([])
            chunks[-1].append(clause)
    return [", ".join(chunk) for chunk in chunks if chunk]


def classifier_readings(text: str) -> list[str]:
    """What the classifier reads of `text`: each short sentence, a long one as its clauses in runs
    (`_chunks`: read whole, a long set-up diluted its turn); a sentence that refers back ("they",
    "her", "then") together with the one before it (a meaning split across sentences or shots); and
    each of these with its framing taken out. The encoder's time grows with the words it reads, so a
    plain prompt of one sentence is read once and a long one about once."""
    sentences = _sentences(text)
    short = [len(s.split()) < _LONG_SENTENCE_WORDS for s in sentences]
    readings = [r for s, is_short in zip(sentences, short, strict=True) for r in ([s] if is_short else _chunks(s))]
    readings += [
        f"{a}. {b}"
        for a, b, a_short, b_short in zip(sentences, sentences[1:], short, short[1:], strict=False)
        if a_short and b_short and _REFERS_BACK.search(b)
    ]
    unframed = [" ".join(_JA_FRAMING.sub("", _FRAMING.sub(" ", r)).split()).strip(" ,:;-、") for r in readings]
    readings += [u for u, r in zip(unframed, readings, strict=True) if u != r]
    readings = [r for r in dict.fromkeys(readings) if len(r) > 2]
    # A very long text: its start and its end (where a turn comes), and the unframed readings.
    if len(readings) > _READINGS_MAX:
        readings = readings[: _READINGS_MAX // 2] + readings[-(_READINGS_MAX // 2) :]
    return readings
