"""Types of the suite's command line options: checked when pytest parses them, with errors that
name the text given.

>>> seconds("2.5"), whole_number("32")
(2.5, 32)
>>> seconds("inf")
Traceback (most recent call last):
...
argparse.ArgumentTypeError: 'inf' must be a finite number of seconds more than 0
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from typing import Any


def positive(kind: type, what: str) -> Callable[[str], Any]:
    """An argparse type: a finite number of ``kind`` above 0 (``what`` names it in errors)."""

    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None
        if not (value > 0 and math.isfinite(value)):
            raise argparse.ArgumentTypeError(f"{text!r} must be a finite {what.removeprefix('a ')} more than 0")
        return value

    return parse


whole_number = positive(int, "a whole number")
seconds = positive(float, "a number of seconds")
hours = positive(float, "a number of hours")
