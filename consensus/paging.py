"""Pages of a long list (pure): which slice a ``?sida=N`` shows. A bad or out-of-range page
number shows the nearest page rather than an error."""

from dataclasses import dataclass

from .numbers import parse_id

PAGE_ARG = "sida"


@dataclass(frozen=True)
class Window:
    page: int  # 1-based
    pages: int
    total: int
    start: int  # slice of the whole list
    stop: int

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    def numbers(self, around: int = 2) -> list[int | None]:
        """Page numbers to link: the first, the last and ``around`` either side of this one;
        None where numbers are left out."""
        shown = {1, self.pages, *range(self.page - around, self.page + around + 1)}
        out: list[int | None] = []
        for n in sorted(n for n in shown if 1 <= n <= self.pages):
            if out and out[-1] is not None and n > out[-1] + 1:
                out.append(None)
            out.append(n)
        return out


def window(total: int, requested: str | None, per_page: int) -> Window:
    pages = max(1, -(-total // per_page))
    page = min(max(parse_id(requested) or 1, 1), pages)
    start = (page - 1) * per_page
    return Window(page, pages, total, start, min(start + per_page, total))
