"""Embeddings of fixed texts kept on disk (`embed_kept`): the same vectors as `embed`, computed once."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sora_site.text_embeddings import DIMENSIONS, embed, embed_kept

TEXTS = ["a paper boat on a pond", "a fox in the snow"]


def kept_files(var_dir: Path) -> list[Path]:
    return sorted((var_dir / "cache").glob("embeddings-*.npy"))


def test_the_first_call_computes_and_keeps_what_embed_gives(settings, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path
    vectors = embed_kept(TEXTS)
    assert vectors is not None and vectors.shape == (2, DIMENSIONS)
    np.testing.assert_allclose(vectors, embed(TEXTS), atol=1e-6)
    [kept] = kept_files(tmp_path)
    np.testing.assert_array_equal(np.load(kept), vectors)


def test_later_calls_read_the_kept_vectors_and_other_texts_get_their_own(settings, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path
    embed_kept(TEXTS)
    [kept] = kept_files(tmp_path)
    marked = np.full((2, DIMENSIONS), 0.5, dtype=np.float32)
    np.save(kept, marked)  # what is on disk is what comes back: nothing was computed again
    np.testing.assert_array_equal(embed_kept(TEXTS), marked)
    embed_kept(TEXTS[:1])
    assert len(kept_files(tmp_path)) == 2


def test_an_unreadable_or_wrong_sized_file_is_computed_again(settings, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path
    expected = embed_kept(TEXTS)
    [kept] = kept_files(tmp_path)
    for damage in (b"not an array", None):
        if damage is None:
            np.save(kept, np.zeros((3, DIMENSIONS), dtype=np.float32))
        else:
            kept.write_bytes(damage)
        np.testing.assert_array_equal(embed_kept(TEXTS), expected)
        np.testing.assert_array_equal(np.load(kept), expected)  # and written again, whole


def test_a_cache_folder_that_cannot_be_written_only_costs_time(settings, tmp_path: Path) -> None:
    (tmp_path / "cache").write_text("a file where the folder would go")
    settings.VAR_DIR = tmp_path
    vectors = embed_kept(TEXTS)
    np.testing.assert_allclose(vectors, embed(TEXTS), atol=1e-6)
