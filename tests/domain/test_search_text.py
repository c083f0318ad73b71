"""domain.search: folding, queries, where a query matches (highlights), snippets."""

from __future__ import annotations

import pytest

from smschat.domain.search import collapse_digits, find_spans, fold, fold_map, matches, parse_query, snippet


def test_fold_drops_case_and_accents():
    assert fold("Crème BRÛLÉE") == "creme brulee"
    assert fold("Straße") == "strasse"
    assert fold("ＦＵＬＬ") == "full"  # compatibility forms
    assert fold("ascii Only") == "ascii only"


def test_fold_map_points_back_to_the_original():
    folded, origin = fold_map("aßé")
    assert folded == "asse" and origin == [0, 1, 1, 2]


def test_collapse_digits_joins_numbers_only():
    assert collapse_digits("(617) 555-0123") == "(6175550123"
    assert collapse_digits("+1 617.555.0123") == "+16175550123"
    assert collapse_digits("call 5 or 6") == "call 5 or 6"  # words between: not a number
    assert collapse_digits("order 12    34") == "order 12    34"  # too far apart


@pytest.mark.parametrize("typed", ["617-555-0123", "(617) 555 0123", "+1 617 555 0123", " 6175550123 "])
def test_number_queries(typed):
    query = parse_query(typed)
    assert query.digits and query.words == ()


def test_word_queries_fold_and_dedup():
    query = parse_query("  Café  cafe  12b ")
    assert query.words == ("cafe", "12b") and query.digits == ""
    assert parse_query("").empty and parse_query(" \t ").empty
    assert parse_query("a\x00b").words == ("a", "b")


def test_matches_needs_every_word():
    assert matches("Le Café est ouvert", parse_query("cafe OUVERT"))
    assert not matches("Le Café", parse_query("cafe ferme"))
    assert matches("ring 617 555 0123 now", parse_query("617-555-0123"))
    assert not matches("617 then 5550123", parse_query("6175550123"))


def test_spans_are_in_the_original_text():
    text = "Crème brûlée and more crème"
    assert find_spans(text, parse_query("creme")) == [(0, 5), (22, 27)]
    assert find_spans("aßa", parse_query("ss")) == [(1, 2)]
    assert find_spans("abcabc", parse_query("bc ab")) == [(0, 6)]  # overlapping spans merge


def test_number_spans_cover_separators():
    text = "call (617) 555-0123 or 617 then 555"
    assert find_spans(text, parse_query("6175550123")) == [(6, 19)]
    assert find_spans(text, parse_query("617555")) == [(6, 14)]  # not "617 then 555"


def test_snippet_cuts_around_the_first_match():
    text = "word " * 40 + "needle and the rest " * 20
    spans = find_spans(text, parse_query("needle"))
    piece, moved = snippet(text, spans, before=10, length=60)
    assert piece.startswith("…") and piece.endswith("…")
    start, end = moved[0]
    assert piece[start:end] == "needle" and start <= 12
    short, kept = snippet("needle here", [(0, 6)])
    assert short == "needle here" and kept == [(0, 6)]
