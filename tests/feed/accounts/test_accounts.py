from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from feed.accounts import services
from feed.models import InviteCode, User
from sora_site.errors import DomainError
from tests.conftest import PASSWORD, years_ago


def signup_data(**overrides: str) -> dict[str, str]:
    data = {
        "username": "newbie",
        "display_name": "New Bee",
        "birth_date": years_ago(20).isoformat(),
        "password": PASSWORD,
        "invite_code": "",
    }
    data.update(overrides)
    return data


def png_bytes(size: tuple[int, int] = (64, 48), color: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


class TestSignUp:
    def test_adult_sign_up_logs_in_and_lands_on_profile(self, client: Client, db) -> None:
        response = client.post(reverse("signup"), signup_data())
        assert response.status_code == 302
        assert response.url == reverse("profile", args=["newbie"])
        user = User.objects.get(username="newbie")
        assert not user.is_teen
        assert client.get(reverse("home")).context["user"] == user

    def test_handle_is_lowercased(self, db) -> None:
        user = services.user_sign_up(username="  NewBee ", password=PASSWORD, birth_date=years_ago(20))
        assert user.username == "newbee"

    def test_13_to_17_becomes_a_teen_account(self, db) -> None:
        assert services.user_sign_up(username="teen13", password=PASSWORD, birth_date=years_ago(13)).is_teen
        assert services.user_sign_up(username="teen17", password=PASSWORD, birth_date=years_ago(18, days=-1)).is_teen
        assert not services.user_sign_up(username="adult18", password=PASSWORD, birth_date=years_ago(18)).is_teen

    def test_under_13_is_refused_with_a_clear_message(self, client: Client, db) -> None:
        response = client.post(reverse("signup"), signup_data(birth_date=years_ago(13, days=-1).isoformat()))
        assert response.status_code == 400
        assert "You must be at least 13 years old" in response.content.decode()
        assert not User.objects.filter(username="newbie").exists()

    def test_future_birth_date_is_refused(self, db) -> None:
        with pytest.raises(DomainError) as error:
            services.user_sign_up(
                username="future", password=PASSWORD, birth_date=dt.date.today() + dt.timedelta(days=2)
            )
        assert error.value.code == "invalid_birth_date"

    def test_duplicate_handle_is_refused(self, client: Client, alice: User) -> None:
        response = client.post(reverse("signup"), signup_data(username="Alice"))
        assert response.status_code == 400
        assert "That handle is taken." in response.content.decode()
        assert User.objects.filter(username="alice").count() == 1

    @pytest.mark.parametrize("handle", ["ab", "has space", "émoji", "x" * 31, "semi;colon"])
    def test_bad_handles_are_refused(self, db, handle: str) -> None:
        with pytest.raises(DomainError) as error:
            services.user_sign_up(username=handle, password=PASSWORD, birth_date=years_ago(20))
        assert error.value.code == "invalid_handle"

    def test_weak_password_is_refused(self, client: Client, db) -> None:
        response = client.post(reverse("signup"), signup_data(password="password"))
        assert response.status_code == 400
        assert "too common" in response.content.decode()

    def test_passwords_are_stored_with_argon2_in_production(self) -> None:
        import sora_site.settings as production

        assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"

    def test_sign_up_requires_csrf(self, db) -> None:
        client = Client(enforce_csrf_checks=True)
        response = client.post(reverse("signup"), signup_data())
        assert response.status_code == 403
        assert not User.objects.filter(username="newbie").exists()


class TestInvites:
    def test_invite_only_requires_a_code(self, db, settings) -> None:
        settings.INVITE_ONLY = True
        with pytest.raises(DomainError) as error:
            services.user_sign_up(username="nocode", password=PASSWORD, birth_date=years_ago(20))
        assert error.value.code == "invite_required"

    def test_single_use_code_works_once(self, db, settings, mod: User) -> None:
        settings.INVITE_ONLY = True
        invite = services.invite_code_create(created_by=mod)
        services.user_sign_up(username="first", password=PASSWORD, birth_date=years_ago(20), invite_code=invite.code)
        with pytest.raises(DomainError) as error:
            services.user_sign_up(
                username="second", password=PASSWORD, birth_date=years_ago(20), invite_code=invite.code
            )
        assert error.value.code == "invite_invalid"
        assert not User.objects.filter(username="second").exists()

    def test_multi_use_code_counts_uses(self, db, settings) -> None:
        settings.INVITE_ONLY = True
        invite = services.invite_code_create(created_by=None, max_uses=2)
        for name in ("one", "two"):
            services.user_sign_up(username=name, password=PASSWORD, birth_date=years_ago(20), invite_code=invite.code)
        invite.refresh_from_db()
        assert invite.uses == 2

    def test_expired_code_is_refused(self, db, settings) -> None:
        settings.INVITE_ONLY = True
        invite = InviteCode.objects.create(code="old", expires_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
        with pytest.raises(DomainError):
            services.user_sign_up(username="late", password=PASSWORD, birth_date=years_ago(20), invite_code=invite.code)

    def test_refused_sign_up_does_not_burn_the_code(self, db, settings) -> None:
        settings.INVITE_ONLY = True
        invite = services.invite_code_create(created_by=None)
        with pytest.raises(DomainError):
            services.user_sign_up(username="kid", password=PASSWORD, birth_date=years_ago(10), invite_code=invite.code)
        invite.refresh_from_db()
        assert invite.uses == 0


class TestLogin:
    def test_login_and_logout(self, client: Client, alice: User) -> None:
        response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
        assert response.status_code == 302
        assert client.get(reverse("home")).context["user"].username == "alice"
        client.post(reverse("logout"))
        assert not client.get(reverse("home")).context["user"].is_authenticated

    def test_wrong_password_is_refused(self, client: Client, alice: User) -> None:
        response = client.post(reverse("login"), {"username": "alice", "password": "nope-nope-nope"})
        assert response.status_code == 200
        assert "Wrong handle or password." in response.content.decode()


class TestProfile:
    def test_edit_profile_with_avatar(self, client: Client, alice: User) -> None:
        client.force_login(alice)
        avatar = SimpleUploadedFile("me.png", png_bytes((300, 200)), content_type="image/png")
        response = client.post(reverse("profile_edit"), {"display_name": "Alice L.", "bio": "Hi", "avatar": avatar})
        assert response.status_code == 302
        alice.refresh_from_db()
        assert alice.display_name == "Alice L."
        with alice.avatar.open("rb") as stored, Image.open(stored) as image:
            assert (image.format, image.size) == ("WEBP", (512, 512))

    def test_replacing_an_avatar_deletes_the_old_file(self, alice: User) -> None:
        services.profile_update(user=alice, display_name="", bio="", avatar=SimpleUploadedFile("a.png", png_bytes()))
        first = alice.avatar.name
        services.profile_update(user=alice, display_name="", bio="", avatar=SimpleUploadedFile("b.png", png_bytes()))
        assert alice.avatar.name != first
        assert not alice.avatar.storage.exists(first)

    @pytest.mark.parametrize(
        ("content", "code"),
        [
            (b"%PDF-1.4 not an image at all", "avatar_invalid"),
            (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "avatar_invalid"),  # a PNG header, then garbage
        ],
    )
    def test_non_images_are_refused_by_content(self, alice: User, content: bytes, code: str) -> None:
        upload = SimpleUploadedFile("innocent.png", content, content_type="image/png")
        with pytest.raises(DomainError) as error:
            services.profile_update(user=alice, display_name="", bio="", avatar=upload)
        assert error.value.code == code
        alice.refresh_from_db()
        assert not alice.avatar

    def test_oversized_avatar_is_refused(self, client: Client, alice: User, settings) -> None:
        settings.AVATAR_MAX_BYTES = 10_000
        client.force_login(alice)
        big = SimpleUploadedFile("big.png", b"\x00" * 20_000, content_type="image/png")
        response = client.post(reverse("profile_edit"), {"display_name": "A", "bio": "", "avatar": big})
        assert response.status_code == 400
        assert "at most" in response.content.decode()

    def test_too_many_pixels_is_refused(self, alice: User, settings) -> None:
        settings.AVATAR_MAX_PIXELS = 100 * 100
        upload = SimpleUploadedFile("wide.png", png_bytes((200, 200)))
        with pytest.raises(DomainError) as error:
            services.profile_update(user=alice, display_name="", bio="", avatar=upload)
        assert error.value.code == "avatar_too_large"

    def test_unknown_profile_is_a_404(self, client: Client, db) -> None:
        response = client.get(reverse("profile", args=["nobody"]))
        assert response.status_code == 404
        assert "There is no account @nobody." in response.content.decode()

    def test_profile_edit_requires_login(self, client: Client, db) -> None:
        response = client.get(reverse("profile_edit"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
