"""A prompt naming a cameo owner by a Japanese display name (no spaces between the words, any kana
script or width) uses that cameo and goes through the consent check; a given name alone does not."""

from __future__ import annotations

import pytest

from cameos.models import Cameo, CameoUsage
from feed.models import User
from generation import services
from generation.models import GenerationJob
from sora_site.errors import DomainError
from tests.builders.cameos import active_cameo


def named(user: User, display_name: str, **cameo_fields: object) -> Cameo:
    user.display_name = display_name
    user.save(update_fields=["display_name"])
    return active_cameo(user, **cameo_fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("display_name", "prompt"),
    [
        ("山田花子", "山田花子が踊る"),
        ("山田 花子", "夕暮れの海辺で山田花子が歌う"),  # a space in the name, none in the prompt
        ("山田ハナコ", "山田はなこがダンスする"),  # hiragana for the katakana
        ("山田ハナコ", "山田ﾊﾅｺが走る"),  # half-width katakana
        ("やまだはなこ", "公園でヤマダハナコが手を振る"),
    ],
)
def test_a_japanese_display_name_is_a_use_of_the_cameo(
    alice: User, charlie: User, display_name: str, prompt: str
) -> None:
    named(alice, display_name)  # approved people only: charlie is a stranger
    with pytest.raises(DomainError) as error:
        services.job_create(owner=charlie, prompt=prompt)
    assert error.value.code == "cameo_permission_denied"
    assert not GenerationJob.objects.filter(owner=charlie).exists()


def test_someone_allowed_uses_it_and_it_reaches_the_owners_ledger(alice: User, bob: User) -> None:
    cameo = named(alice, "山田花子", access=Cameo.Access.EVERYONE)
    job, _ = services.job_create(owner=bob, prompt="山田花子が桜の下で踊る")
    assert CameoUsage.objects.filter(cameo=cameo, job=job).exists()


@pytest.mark.parametrize(
    ("display_name", "prompt"),
    [
        ("山田花子", "花子という女の子が踊る"),  # the given name of a full name, alone
        ("花子", "花子が踊る"),  # a display name that is one common given name
        ("花子さん", "花子さんが踊る"),  # with an honorific it is still one name
        ("佐藤", "佐藤が走る"),  # a family name alone
        ("ゆうき", "ゆうきを出して走る"),  # a short kana name (勇気, courage, in kana)
    ],
)
def test_a_single_common_name_does_not_count(alice: User, charlie: User, display_name: str, prompt: str) -> None:
    cameo = named(alice, display_name)
    job, _ = services.job_create(owner=charlie, prompt=prompt)
    assert not CameoUsage.objects.filter(cameo=cameo, job=job).exists()


def test_english_names_still_match_in_a_japanese_prompt(alice: User, charlie: User) -> None:
    named(alice, "Alice Liddell")
    with pytest.raises(DomainError) as error:
        services.job_create(owner=charlie, prompt="alice liddellが銀行を襲う")
    assert error.value.code == "cameo_permission_denied"
