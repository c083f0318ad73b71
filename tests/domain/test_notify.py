"""Notification policy: what a batch of new texts rings and shows, its words, and escape-safe OSC."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

from smschat.domain.notify import (
    Alert,
    Announcement,
    ArrivalGroup,
    NotifySettings,
    announcement,
    decide,
    desktop_sequence,
    osc9,
    osc777,
    osc_safe,
    preview,
    sender_name,
    tmux_passthrough,
)

_corpus = runpy.run_path(str(Path(__file__).parents[1] / "fixtures" / "hostile_bodies.py"))
HOSTILE = _corpus["HOSTILE_BODIES"]
FORBIDDEN = _corpus["FORBIDDEN"]

ACCOUNT = "12435678910"
ESC, BEL = "\x1b", "\x07"


def group(customer: str, count: int = 1, rowid: int = 1, account: str = ACCOUNT) -> ArrivalGroup:
    return ArrivalGroup((customer, account), count, f"id-{customer}-{rowid}", rowid)


ANN = group("12125550101", rowid=3)
BOB = group("12125550102", count=2, rowid=5)


# -- decide ---------------------------------------------------------------------------------------------
def test_nothing_new_is_no_alert():
    assert decide([], NotifySettings()) is None


def test_a_text_elsewhere_rings_and_toasts_once():
    alert = decide([ANN], NotifySettings())
    assert alert == Alert(1, (ANN,), bell=True, toast=True, desktop="off")


def test_the_watched_conversation_neither_toasts_nor_rings_by_default():
    assert decide([ANN], NotifySettings(), watched=ANN.key) is None
    alert = decide([ANN], NotifySettings(bell_open_thread=True), watched=ANN.key)
    assert alert is not None and alert.bell and not alert.toast and alert.desktop == "off" and alert.texts == 0


def test_watched_texts_are_left_out_of_a_mixed_batch():
    alert = decide([ANN, BOB], NotifySettings(desktop="osc9"), watched=ANN.key)
    assert alert is not None and alert.groups == (BOB,) and alert.texts == 2 and alert.desktop == "osc9"


def test_settings_switch_each_part_off():
    assert decide([ANN], NotifySettings(bell=False, toast=False)) is None
    quiet = decide([ANN], NotifySettings(bell=False))
    assert quiet is not None and not quiet.bell and quiet.toast
    silent_toast = decide([ANN], NotifySettings(toast=False, desktop="osc777"))
    assert silent_toast is not None and silent_toast.bell and not silent_toast.toast and silent_toast.desktop == "osc777"


def test_a_burst_is_one_alert_newest_first():
    groups = [group(f"1212555{n:04d}", count=3 if n < 6 else 2, rowid=n) for n in range(12)]
    alert = decide(groups, NotifySettings())
    assert alert is not None and alert.texts == 30 and alert.customers == 12
    assert [g.last_rowid for g in alert.groups] == list(range(11, -1, -1))


def test_unknown_desktop_mode_is_refused():
    with pytest.raises(ValueError, match="osc9"):
        NotifySettings(desktop="growl")


# -- words ----------------------------------------------------------------------------------------------
def test_one_text_names_the_sender_and_shows_the_text():
    alert = decide([ANN], NotifySettings())
    assert announcement(alert, {}, "Is the shop open?") == Announcement("(212) 555-0101", "Is the shop open?")
    named = announcement(alert, {ANN.customer: "Ann Lee"}, "Is the shop open?")
    assert named.title == "Ann Lee"


def test_several_texts_from_one_customer_say_how_many():
    alert = decide([BOB, group(BOB.customer, rowid=4, account="12435670000")], NotifySettings())
    note = announcement(alert, {BOB.customer: "Bob"}, "hello?")
    assert note == Announcement("Bob · 3 new texts", "hello?")


def test_many_customers_are_counted_and_a_few_named():
    groups = [group(f"1212555{n:04d}", count=3 if n < 6 else 2, rowid=n) for n in range(12)]
    alert = decide(groups, NotifySettings())
    note = announcement(alert, {"12125550011": "Zoe"}, "ignored")
    assert note.title == "30 new texts from 12 customers"
    assert note.body == "Zoe, (212) 555-0010, (212) 555-0009 and 9 others"
    two = announcement(decide(groups[:2], NotifySettings()), {}, "")
    assert two.body == "(212) 555-0001, (212) 555-0000"


def test_names_and_previews_are_sanitised_plain_text():
    assert sender_name("12125550101", "\x1b]0;evil\x07[b]Ann[/b]\u202e") == "␛]0;evil␇[b]Ann[/b]⎆"
    assert sender_name("12125550101", "   ") == "(212) 555-0101"
    assert preview("line one\nline two\x1b[2J") == "line one ⏎ line two␛[2J"
    assert preview("", media=2) == "(2 pictures)" and preview("", known=False) == "(text not available)"
    assert len(preview("x" * 5000)) < 130


# -- escape safety -------------------------------------------------------------------------------------------
def _assert_osc(sequence: str, code: str) -> str:
    """`sequence` is exactly one OSC `code` string ended by BEL: returns its payload."""
    prefix = f"{ESC}]{code};"
    assert sequence.startswith(prefix) and sequence.endswith(BEL)
    payload = sequence[len(prefix) : -1]
    bad = sorted({f"U+{ord(ch):04X}" for ch in payload if ch in FORBIDDEN})
    assert not bad, f"control characters left in the payload: {bad}"
    return payload


@pytest.mark.parametrize("hostile", HOSTILE, ids=lambda h: h.name)
def test_hostile_text_can_never_end_the_sequence(hostile):
    note = Announcement(sender_name("12125550101", hostile.body[:80]), preview(hostile.body))
    nine = _assert_osc(desktop_sequence("osc9", note), "9")
    assert nine.startswith("smschat: ")
    fields = _assert_osc(desktop_sequence("osc777", note), "777").split(";")
    assert len(fields) == 3 and fields[0] == "notify"  # notify ; title ; body: no field added
    # raw, unsanitised text straight into the builders: still one clean sequence
    _assert_osc(osc9(hostile.body), "9")
    assert len(_assert_osc(osc777(hostile.body, hostile.body), "777").split(";")) == 3


@pytest.mark.parametrize("hostile", HOSTILE, ids=lambda h: h.name)
def test_hostile_text_inside_tmux_passthrough_stays_inside(hostile):
    wrapped = desktop_sequence("osc777", Announcement(hostile.body, hostile.body), tmux=True)
    assert wrapped.startswith(f"{ESC}Ptmux;{ESC}{ESC}]777;notify;") and wrapped.endswith(f"{BEL}{ESC}\\")
    inner = wrapped[len(f"{ESC}Ptmux;") : -2]
    # tmux ends the passthrough at the first ESC that is not doubled: there is exactly one ESC pair
    assert inner.count(ESC) == 2 and inner.startswith(ESC + ESC)
    _assert_osc(inner.replace(ESC + ESC, ESC), "777")


def test_osc_safe_keeps_ordinary_text_and_unicode():
    assert osc_safe("Café 👍🏽 日本語 [b]x[/b]") == "Café 👍🏽 日本語 [b]x[/b]"
    assert osc_safe("a\x9cb\x9dc\x07d\x1be") == "a\ufffdb\ufffdc␇d␛e"
    assert osc_safe("y" * 1000, 50).endswith("…") and len(osc_safe("y" * 1000, 50)) == 51


def test_semicolons_cannot_add_osc777_fields():
    fields = osc777("Ann; Lee", "a;b;c")[len(f"{ESC}]") : -1].split(";")
    assert fields == ["777", "notify", "smschat: Ann, Lee", "a,b,c"]


def test_sequences_as_terminals_expect_them():
    note = Announcement("Ann Lee", "Is the shop open?")
    assert desktop_sequence("osc9", note) == f"{ESC}]9;smschat: Ann Lee: Is the shop open?{BEL}"
    assert desktop_sequence("osc777", note) == f"{ESC}]777;notify;smschat: Ann Lee;Is the shop open?{BEL}"
    assert desktop_sequence("off", note) == ""
    assert tmux_passthrough(f"{ESC}]9;hi{BEL}") == f"{ESC}Ptmux;{ESC}{ESC}]9;hi{BEL}{ESC}\\"
