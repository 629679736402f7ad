"""The one place retort writes to stdout / stderr."""

from __future__ import annotations

import re
import sys
from typing import TextIO

_URL_PASSWORD_PATTERN = r"(?P<head>[a-zA-Z][\w+.-]*://[^:/@\s]+:)(?P<pw>[^@\s]+)(?P<tail>@)"


def mask_password(text: str) -> str:
    """Replace the password in any database URL inside ``text`` with ``***``."""
    if "://" not in text:
        return text  # no URL: skip the regular expression (history prints thousands of lines)
    # re.compile's own cache: compiled the first time a URL is printed, not at import
    return re.compile(_URL_PASSWORD_PATTERN).sub(r"\g<head>***\g<tail>", text)


def msg(text: str, *, quiet: bool = False, newline: bool = True, stream: TextIO | None = None) -> None:
    """Write a line of normal output unless ``quiet``."""
    if quiet:
        return
    out = stream or sys.stdout
    out.write(mask_password(text) + ("\n" if newline else ""))
    out.flush()


def err(text: str, *, stream: TextIO | None = None) -> None:
    """Write one line to stderr (user-facing error text)."""
    out = stream or sys.stderr
    out.write(mask_password(text) + "\n")
    out.flush()


def warn(text: str) -> None:
    """Issue a Python warning (visible in tests and logs) for something non-fatal."""
    import warnings

    warnings.warn(text, UserWarning, stacklevel=3)
