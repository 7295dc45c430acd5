"""The head turns of a liveness challenge, as words: the stored moves are codes ("left", "right")."""

from __future__ import annotations

from django.utils.translation import pgettext_lazy

from sora_site.texts import sentence

# "left" as a direction to turn to (not the verb "leave"): its own sense in the catalog.
MOVE_WORDS = {"left": pgettext_lazy("head turn", "left"), "right": pgettext_lazy("head turn", "right")}
# The same inside a stored sentence (a failed check's "turn left, then right").
MOVES_SAID = {move: sentence(f"head_turn_{move}", word) for move, word in MOVE_WORDS.items()}
