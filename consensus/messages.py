"""One way to turn codes into words (a pure module: no Flask).

Pure logic returns codes and parameters (``Problem("too_large", {"size": ...})``), never
sentences. Each feature keeps **one catalogue**: its codes mapped to Swedish templates marked
with :func:`N_` (``gettext_noop``: pybabel extracts them, see ``babel.cfg``), rendered by
:meth:`Catalogue.render`. The caller chooses the language by passing a ``gettext`` function:

- pages pass Flask-Babel's ``gettext`` (the ``message`` template filter in ``consensus/i18n.py``
  does this), so an English page shows the English problem;
- the command line and logs pass nothing and get the Swedish text (the msgids are Swedish).

Parameters are turned into text by the catalogue's ``display`` function, which also receives
``gettext`` so that joining words ("och", "eller") follow the page's language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

#: A gettext function: msgid (Swedish) in, text in the reader's language out.
Gettext = Callable[[str], str]
#: Turns a message's parameters into the texts its template shows.
Display = Callable[[Mapping[str, Any], Gettext], Mapping[str, str]]


def N_(text: str) -> str:
    """Mark a Swedish template for extraction without translating it now (``gettext_noop``)."""
    return text


def swedish(text: str) -> str:
    """The identity ``gettext``: the msgids are Swedish."""
    return text


def plain_display(params: Mapping[str, Any], gettext: Gettext) -> Mapping[str, str]:
    """Every parameter as ``str(value)``."""
    return {key: str(value) for key, value in params.items()}


def join(items: Iterable[object], last: str, gettext: Gettext = swedish) -> str:
    """``a, b och c``: ``last`` is a Swedish msgid such as ``"och"`` or ``"eller"``."""
    texts = [str(item) for item in items]
    if len(texts) <= 1:
        return "".join(texts)
    return ", ".join(texts[:-1]) + f" {gettext(last)} " + texts[-1]


def quoted(items: Iterable[object]) -> list[str]:
    """Swedish typographic quotes (”x”), which read well in English too."""
    return [f"”{item}”" for item in items]


@dataclass(frozen=True)
class Catalogue:
    """A feature's messages: ``code -> Swedish template`` plus how to show parameters."""

    name: str
    messages: Mapping[str, str]
    display: Display = plain_display

    def __contains__(self, code: object) -> bool:
        return code in self.messages

    def render(
        self, code: str, params: Mapping[str, Any] | None = None, gettext: Gettext = swedish
    ) -> str:
        """The sentence for ``code`` in the language of ``gettext``. An unknown code renders as
        itself and a template whose parameters don't fit renders unfilled: a message must never
        break a page."""
        template = self.messages.get(code)
        if template is None:
            return code
        text = gettext(template)
        if not params:
            return text
        try:
            return text.format(**self.display(params, gettext))
        except (KeyError, IndexError, ValueError, TypeError):
            return text

    def merged(self, other: Catalogue, name: str | None = None) -> Catalogue:
        """One catalogue with both message sets (codes must not clash)."""
        clash = set(self.messages) & set(other.messages)
        if clash:
            raise ValueError(f"codes in both catalogues: {sorted(clash)}")
        return Catalogue(name or self.name, {**self.messages, **other.messages}, self.display)


class Renderable(Protocol):
    """Anything a page or command shows as a message: a problem, a refusal, a note."""

    def render(self, gettext: Gettext = swedish) -> str: ...


@dataclass(frozen=True)
class Message:
    """A code with its parameters in a catalogue; ``str()`` and :attr:`text` are Swedish."""

    catalogue: Catalogue
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, gettext: Gettext = swedish) -> str:
        return self.catalogue.render(self.code, self.params, gettext)

    @property
    def text(self) -> str:
        return self.render()

    def __str__(self) -> str:
        return self.render()


def render(item: object, gettext: Gettext = swedish) -> str:
    """Render a :class:`Renderable`; anything else (a plain string) is shown as it is."""
    method = getattr(item, "render", None)
    if callable(method):
        return str(method(gettext))
    return str(item)


def render_all(items: Sequence[object], gettext: Gettext = swedish) -> list[str]:
    return [render(item, gettext) for item in items]
