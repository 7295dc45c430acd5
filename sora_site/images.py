"""Opening user-uploaded images safely: by content, with byte and pixel limits checked first."""

from __future__ import annotations

import io

from django.core.files.base import File
from django.utils.translation import gettext
from PIL import Image, ImageOps

from sora_site.errors import DomainError


def image_open_checked(
    upload: File, *, formats: tuple[str, ...], max_bytes: int, max_pixels: int, code_prefix: str, field: str
) -> Image.Image:
    """Decode an upload as RGB, never trusting its name or MIME type.

    The pixel limit is checked from the header before decoding, so a small file that claims
    30,000 x 30,000 pixels is refused without allocating gigabytes.
    Error codes: <prefix>_too_large, <prefix>_bad_format, <prefix>_invalid.
    """
    if upload.size is not None and upload.size > max_bytes:
        raise DomainError(
            f"{code_prefix}_too_large",
            gettext("Images can be at most %(mb).0f MB.") % {"mb": max_bytes / 2**20},
            field=field,
        )
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in formats:
                raise DomainError(
                    f"{code_prefix}_bad_format",
                    gettext("Use a %(formats)s image.") % {"formats": ", ".join(formats)},
                    field=field,
                )
            if probe.width * probe.height > max_pixels:
                raise DomainError(
                    f"{code_prefix}_too_large",
                    gettext("That image is %(width)dx%(height)d: too many pixels.")
                    % {"width": probe.width, "height": probe.height},
                    field=field,
                )
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            return ImageOps.exif_transpose(image).convert("RGB")
    except Image.DecompressionBombError:
        raise DomainError(
            f"{code_prefix}_too_large", gettext("That image has far too many pixels."), field=field
        ) from None
    except DomainError:
        raise
    except Exception:
        # Pillow's decoders refuse a hostile file with many exception types: ValueError for a text or
        # ICC chunk that inflates past PngImagePlugin.MAX_TEXT_CHUNK, OSError when truncated,
        # SyntaxError, struct.error, EOFError... Django's ImageField catches Exception for the same reason.
        raise DomainError(
            f"{code_prefix}_invalid", gettext("That file is not an image we can read."), field=field
        ) from None


def cover_crop(image: Image.Image, width: int, height: int) -> Image.Image:
    """Scale to cover width x height and centre-crop: keeps the aspect ratio, never adds bars."""
    if image.size == (width, height):
        return image
    return ImageOps.fit(image, (width, height), Image.Resampling.LANCZOS)
