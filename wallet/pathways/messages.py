"""Sentences the pure pathway modules return, marked for translation but not translated there.

The engine and the definition parser import no web code, so they cannot know the reader's
language. They return a :class:`Message`: an English sentence marked with ``N_`` (which the
catalogue extraction finds) and its parameters; a view renders it with ``message.text(_)``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


def N_(text: str) -> str:  # the name the catalogue extraction looks for
    """Mark ``text`` for translation without translating it here."""
    return text


@dataclass(frozen=True)
class Message:
    """A sentence to translate (``msgid`` with ``%(name)s`` placeholders) and its parameters."""

    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def text(self, translate: Callable[..., str] | None = None) -> str:
        """The sentence in the reader's language (``translate`` is ``gettext``), else English."""
        if translate is None:
            return self.msgid % dict(self.params) if self.params else self.msgid
        return translate(self.msgid, **dict(self.params))

    def __str__(self) -> str:
        return self.text()
