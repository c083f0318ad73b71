from smschat.domain.sanitize import sanitize, sanitize_line


def test_escape_sequences_are_made_visible_not_executed():
    out = sanitize("\x1b[31mred\x1b[0m \x1b]52;c;ZXZpbA==\x07 \x1bP1$qm\x1b\\")
    assert "\x1b" not in out and "\x07" not in out
    assert out.startswith("␛[31mred␛[0m ␛]52;c;ZXZpbA==␇")


def test_c1_controls_and_del_are_replaced():
    out = sanitize("a\x9b31mb\x7fc")
    assert out == "a\ufffd31mb\u2421c"


def test_bidi_overrides_are_neutralised():
    out = sanitize("abc\u202edcba\u2066x\u2069")
    assert not any(ch in out for ch in "\u202e\u2066\u2069")
    assert "⎆" in out


def test_newlines_and_tabs_kept_in_bodies_but_folded_in_lines():
    assert sanitize("a\nb\tc") == "a\nb\tc"
    assert "\n" not in sanitize_line("a\nb") and "⏎" in sanitize_line("a\nb")


def test_emoji_zwj_and_combining_marks_are_kept():
    text = "👩‍👩‍👧 e\u0301 🇫🇷"
    assert sanitize(text) == text


def test_markup_is_left_as_literal_characters():
    assert sanitize("[bold]x[/] [@click=app.quit]") == "[bold]x[/] [@click=app.quit]"


def test_huge_bodies_are_cut_with_a_note():
    out = sanitize("x" * 30_000)
    assert len(out) < 21_000 and "10000 more characters" in out


def test_none_and_non_strings():
    assert sanitize(None) == "" and sanitize_line(12) == "12"


def test_lone_surrogates_replaced():
    assert sanitize("a\ud800b") == "a\ufffdb"
