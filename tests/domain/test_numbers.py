import pytest

from smschat.domain.numbers import InvalidNumber, national, normalize, parse_number, pretty, same_number


@pytest.mark.parametrize(
    "raw",
    ["2435678910", "12435678910", "+1 (243) 567-8910", "243.567.8910", "1-243-567-8910", " 243 567 8910 "],
)
def test_one_us_number_in_every_form_normalises_the_same(raw):
    assert normalize(raw) == "12435678910"


def test_ten_and_eleven_digit_forms_are_the_same_person():
    assert same_number("2435678910", "12435678910")
    assert not same_number("2435678910", "2435678911")


def test_international_numbers_keep_their_digits():
    assert normalize("+44 20 7946 0000") == "442079460000"
    assert pretty("442079460000") == "+442079460000"


def test_national_is_what_plum_expects_for_to():
    assert national("+1 243 567 8910") == "2435678910"
    assert national("442079460000") == "442079460000"


def test_pretty_formats_nanp():
    assert pretty("12435678910") == "(243) 567-8910"


def test_parse_accepts_short_codes():
    assert parse_number("12345") == "12345"


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("", "required"),
        ("   ", "required"),
        ("243-567-891O", "unexpected character 'O'"),
        ("call me", "not a phone number"),
        ("2435678", "too short"),
        ("1234567890123456", "too long"),
        ("1 043 567 8910", "area code"),
    ],
)
def test_parse_rejects_bad_input_with_a_reason(text, needle):
    with pytest.raises(InvalidNumber) as err:
        parse_number(text)
    assert needle in str(err.value)


def test_normalize_ignores_non_ascii_digits():
    # Arabic-Indic digits are not accepted as phone digits.
    assert normalize("٢٤٣") == ""
