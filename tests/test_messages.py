"""consensus/messages.py: one way to turn codes into words, in the reader's language."""

from consensus.messages import N_, Catalogue, Message, join, render, swedish

ENGLISH = {
    "Filen är för stor ({size}).": "The file is too large ({size}).",
    "och": "and",
    "eller": "or",
}


def english(text: str) -> str:
    return ENGLISH.get(text, text)


def _display(params, gettext):
    out = dict(params)
    if "rows" in params:
        out["rows"] = join(params["rows"], N_("och"), gettext)
    return out


CATALOGUE = Catalogue(
    "test",
    {
        "too_large": N_("Filen är för stor ({size})."),
        "rows": N_("Rad {rows}."),
        "bare": N_("Ingen parameter."),
    },
    _display,
)


def test_n_marks_without_translating():
    assert N_("och") == "och"


def test_render_in_swedish_by_default_and_english_with_gettext():
    assert CATALOGUE.render("too_large", {"size": "3 MB"}) == "Filen är för stor (3 MB)."
    assert CATALOGUE.render("too_large", {"size": "3 MB"}, english) == (
        "The file is too large (3 MB)."
    )


def test_display_receives_gettext_for_joining_words():
    assert CATALOGUE.render("rows", {"rows": [2, 3, 4]}) == "Rad 2, 3 och 4."
    assert CATALOGUE.render("rows", {"rows": [2, 3, 4]}, english) == "Rad 2, 3 and 4."
    assert join([1], "och") == "1"
    assert join([], "och") == ""


def test_unknown_code_and_unfitting_params_never_break():
    assert CATALOGUE.render("nope", {}) == "nope"
    assert CATALOGUE.render("too_large", {"other": 1}) == "Filen är för stor ({size})."
    assert CATALOGUE.render("bare") == "Ingen parameter."


def test_message_and_render_helper():
    message = Message(CATALOGUE, "too_large", {"size": "1 kB"})
    assert str(message) == message.text == "Filen är för stor (1 kB)."
    assert render(message, english) == "The file is too large (1 kB)."
    assert render("plain text", english) == "plain text"
    assert render(message, swedish) == message.text


def test_merged_catalogues_refuse_clashing_codes():
    other = Catalogue("other", {"new": N_("Ny.")})
    merged = CATALOGUE.merged(other)
    assert merged.render("new") == "Ny." and merged.render("bare") == "Ingen parameter."
    try:
        CATALOGUE.merged(CATALOGUE)
    except ValueError as error:
        assert "too_large" in str(error)
    else:
        raise AssertionError("a clash must be refused")
