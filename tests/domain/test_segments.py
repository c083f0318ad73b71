import pytest

from smschat.domain.segments import count_segments, is_gsm7, plivo_limit_error


def test_empty_body_is_zero_parts():
    info = count_segments("")
    assert (info.parts, info.units, info.encoding) == (0, 0, "GSM-7")


@pytest.mark.parametrize(("n", "parts"), [(1, 1), (160, 1), (161, 2), (306, 2), (307, 3), (459, 3), (460, 4)])
def test_gsm7_boundaries(n, parts):
    assert count_segments("a" * n).parts == parts


def test_extension_characters_count_two_septets():
    info = count_segments("€" * 80)
    assert (info.units, info.parts, info.encoding) == (160, 1, "GSM-7")
    assert count_segments("€" * 81).parts == 2


def test_two_septet_character_is_never_split_across_parts():
    # 152 plain + one extension char = 154 septets: the second part starts with the extension char.
    text = "a" * 152 + "{" + "b" * 10
    info = count_segments(text)
    assert info.parts == 2
    # first part holds 152 septets (the '{' does not fit in the one left), second: 2 + 10
    assert info.remaining == 153 - 12


@pytest.mark.parametrize(("n", "parts"), [(70, 1), (71, 2), (134, 2), (135, 3)])
def test_ucs2_boundaries(n, parts):
    assert count_segments("é" * 0 + "ж" * n).parts == parts


def test_one_non_gsm_character_switches_the_whole_message():
    info = count_segments("a" * 100 + "ж")
    assert info.encoding == "UCS-2"
    assert info.parts == 2


def test_emoji_outside_bmp_takes_two_units():
    info = count_segments("😀" * 35)
    assert (info.units, info.parts) == (70, 1)
    assert count_segments("😀" * 36).parts == 2


def test_surrogate_pair_not_split():
    text = "a" * 66 + "😀" + "a"  # 69 units; fits in one message
    assert count_segments(text).parts == 1
    text = "a" * 66 + "😀" + "a" * 5  # 73 units: part 1 = 66 (emoji does not fit), part 2 = 2 + 5
    info = count_segments(text)
    assert info.parts == 2
    assert info.remaining == 67 - 7


def test_accented_latin_in_gsm_basic_set():
    assert is_gsm7("Ça va? é è ù ì ò Ñ ü ß")
    assert not is_gsm7("á")  # á is not in GSM-7


def test_label_is_readable():
    assert count_segments("hi").label() == "2 chars · 1 part · GSM-7"


def test_plivo_limits():
    assert plivo_limit_error("a" * 1600) is None
    assert "1600" in plivo_limit_error("a" * 1601)
    assert plivo_limit_error("ж" * 737) is None
    assert "737" in plivo_limit_error("ж" * 738)
