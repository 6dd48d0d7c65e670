"""Text bound for the terminal, made harmless.

Record text, file names, author names and commit messages come from people other than the one
reading the terminal (a co-author's commit, a file received from someone else). A control
character in them could retitle the terminal, clear it, move the cursor or hide a line, and a
bidirectional-override character can reorder what is shown. Every such character is printed as a
visible escape (``\\x1b``, ``\\u202e``) instead; line breaks and tabs are kept.
"""

from __future__ import annotations

import re

# C0 controls but tab and newline, DEL, C1 controls, and Unicode's invisible reordering marks.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe(text: str) -> str:
    """``text`` with every control character shown as an escape, never acted on."""
    return _UNSAFE.sub(_escape, text)
