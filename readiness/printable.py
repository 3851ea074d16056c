"""Host text made safe to print: every control character shown as a visible escape.

What a host says (a registry value, an event's text, a fault's reason) ends up in CI logs. A
newline there starts a line of the host's choosing, and CI services run some lines as commands
(``::warning ...`` in GitHub Actions, ``##vso[...]`` in Azure Pipelines); ESC starts ANSI and
OSC sequences that move the cursor, clear the screen or retitle the terminal. So every C0 and C1
control character, DEL, and the Unicode line and paragraph separators are printed as escapes.
Machine formats (JSON, JUnit XML) keep the value as it is; the HTML report escapes it itself.

>>> printable("wsus\\n::warning title=x::All hosts passed")
'wsus\\\\n::warning title=x::All hosts passed'
>>> printable("\\x1b]0;owned\\x07\\x1b[2J") == r"\\x1b]0;owned\\x07\\x1b[2J"
True
>>> printable("http://wsus.contoso.local:8530")
'http://wsus.contoso.local:8530'
"""

from __future__ import annotations

import re

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with its control characters escaped, everything else as it is."""
    return _CONTROL.sub(_escape, text)
