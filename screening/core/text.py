"""Text every reader can encode (issue 16).

JSON lets a string hold a lone surrogate (``"\\ud800"``), which no UTF-8 encoder takes:
one such answer, stored by older code, would make every page, CSV and FHIR export that
shows it fail. The boundary now refuses them; what is already stored is read through
:func:`readable`, which puts U+FFFD (the replacement character) in their place."""

from __future__ import annotations

import re
from typing import Any

_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def readable_text(text: str) -> str:
    return _SURROGATE.sub(REPLACEMENT, text)


def readable(data: Any) -> Any:
    """``data`` (decoded JSON) with every lone surrogate replaced, in keys too."""
    if isinstance(data, str):
        return readable_text(data)
    if isinstance(data, list):
        return [readable(item) for item in data]
    if isinstance(data, dict):
        return {readable_text(str(k)): readable(v) for k, v in data.items()}
    return data
