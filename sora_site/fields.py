"""Numbers read by hand from query strings, forms and JSON: one parser, finite and in range, or a clear error.

Why not `int()`/`float()`: `"²".isdigit()` is true but `int("²")` raises, `int("١٢")` is 12,
`float("nan")`, `float("1e400")` and JSON's `Infinity` are floats (PostgreSQL refuses them in JSON, and
`int(inf)` overflows), and an integer past a column's range fails in the database. Django forms do this
with IntegerField/FloatField and validators; these are for values read without a form.
"""

from __future__ import annotations

import enum
import math
import re
from typing import Final, overload

from django.utils.translation import gettext

from sora_site.errors import DomainError

ID_MAX: Final = 2**63 - 1  # a BigAutoField primary key

# ASCII digits only (`\d` would take any script's digits); no `_` separators, no "nan"/"inf".
_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_TEXT_MAX = 100  # characters: longer is out of any range used here (and int() refuses 4,301 digits)


class _Required(enum.Enum):
    REQUIRED = enum.auto()


REQUIRED: Final = _Required.REQUIRED  # `default` for a value that must be given


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _shown(number: float) -> str:
    return f"{int(number):,}" if float(number).is_integer() else f"{number:,}"


def int_parse(value: object) -> int | None:
    """The whole number `value` holds (an int, an integral finite float, ASCII digits), else None.
    For callers that word their own refusal; `int_field` also checks the range and says it."""
    if isinstance(value, bool):  # JSON true is not 1
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value.is_integer() else None
    if isinstance(value, str):
        text = value.strip()
        return int(text) if len(text) <= _TEXT_MAX and _INTEGER.fullmatch(text) else None
    return None


def float_parse(value: object) -> float | None:
    """The finite number `value` holds (an int, a float, ASCII decimal text such as "2.5" or "1e3"), else None."""
    number: float
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        try:
            number = float(value)
        except OverflowError:
            return None
    elif isinstance(value, float):
        number = value
    elif isinstance(value, str):
        text = value.strip()
        if len(text) > _TEXT_MAX or not _DECIMAL.fullmatch(text):
            return None
        number = float(text)  # "1e400" is inf: refused below
    else:
        return None
    return number if math.isfinite(number) else None


@overload
def int_field(
    value: object, *, name: str, minimum: int, maximum: int, default: int | _Required = ..., code: str = ...
) -> int: ...
@overload
def int_field(
    value: object, *, name: str, minimum: int, maximum: int, default: None, code: str = ...
) -> int | None: ...
def int_field(
    value: object,
    *,
    name: str,
    minimum: int,
    maximum: int,
    default: int | None | _Required = REQUIRED,
    code: str = "invalid_value",
) -> int | None:
    """A whole number from `minimum` to `maximum`: an int, an integral float (JSON) or ASCII digits.

    Absent or blank (None, "", spaces) gives `default`; without one it is refused like a bad value.
    Refused: DomainError(`code`, field=`name`) saying the range.
    """
    if _blank(value) and default is not REQUIRED:
        return default
    number = int_parse(value)
    if number is None or not minimum <= number <= maximum:
        raise DomainError(
            code,
            gettext("Enter a whole number from %(minimum)s to %(maximum)s.")
            % {"minimum": _shown(minimum), "maximum": _shown(maximum)},
            field=name,
        )
    return number


@overload
def float_field(
    value: object, *, name: str, minimum: float, maximum: float, default: float | _Required = ..., code: str = ...
) -> float: ...
@overload
def float_field(
    value: object, *, name: str, minimum: float, maximum: float, default: None, code: str = ...
) -> float | None: ...
def float_field(
    value: object,
    *,
    name: str,
    minimum: float,
    maximum: float,
    default: float | None | _Required = REQUIRED,
    code: str = "invalid_value",
) -> float | None:
    """A finite number from `minimum` to `maximum`: an int, a float (JSON) or ASCII decimal text ("2.5", "1e3").

    Never NaN or infinite. Absent or blank gives `default`; without one it is refused like a bad value.
    Refused: DomainError(`code`, field=`name`) saying the range.
    """
    if _blank(value) and default is not REQUIRED:
        return default
    number = float_parse(value)
    if number is None or not minimum <= number <= maximum:
        raise DomainError(
            code,
            gettext("Enter a number from %(minimum)s to %(maximum)s.")
            % {"minimum": _shown(minimum), "maximum": _shown(maximum)},
            field=name,
        )
    return number
