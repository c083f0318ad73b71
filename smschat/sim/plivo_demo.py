"""The Plivo demo: the bike shop's account (the same people as the Plum demo) on Plivo's rules.

Plivo's records carry no text, so the seed also says which texts a client would know:
`known` maps uuid -> text for what this client sent itself and what its receiver got; the rest of
the history (sent from the web console, or received while no receiver ran) stays without text, as
it would for a real user. `known_messages()` turns that into domain records a demo can put in its
store before the first sync (the sync then adds states and times, never removing a text).

Inbound texts reach a client only through webhooks: set `server.account.message_url` to the
receiver's `/plivo/message` URL (lively customers text in and answer sends).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from smschat.domain.model import Direction, Message
from smschat.domain.numbers import normalize
from smschat.domain.plivo_rules import map_state, state_error
from smschat.sim import seed_text as t
from smschat.sim.lively import Lively
from smschat.sim.plivo_account import PlivoAccount, new_uuid
from smschat.sim.plivo_records import PlivoRecord
from smschat.sim.plivo_server import PlivoSimServer

PLIVO_DEMO_AUTH_ID = "MADEMO0000SPOKECHAIN"
PLIVO_DEMO_AUTH_TOKEN = "demo-plivo-token"  # noqa: S105 - the throwaway loopback simulator's default
PLIVO_DEMO_NUMBERS = (normalize(t.MAIN_LINE), normalize(t.SERVICE_LINE))
MIN, HOUR, DAY = 60, 3600, 86400


@dataclass
class DemoHistory:
    #: uuid -> text the client knows (it sent it, or its receiver got it)
    known: dict[str, str] = field(default_factory=dict)
    #: uuid -> media URLs of known MMS
    media: dict[str, tuple[str, ...]] = field(default_factory=dict)


class _Writer:
    def __init__(self, account: PlivoAccount, rng: random.Random, now: float, history: DemoHistory) -> None:
        self.account, self.rng, self.now, self.history = account, rng, now, history

    def _at(self, ago: float) -> float:
        return self.now - ago + self.rng.uniform(-30, 30) + self.rng.random()

    def inbound(self, who: t.Persona, ago: float, text: str, *, seen: bool = True, media: tuple[str, ...] = ()) -> None:
        record = PlivoRecord(
            uuid=new_uuid(self.rng), inbound=True, customer=normalize(who.number), account=normalize(who.account),
            at=self._at(ago), text=text, kind="mms" if media else "sms", media=media,
        )  # fmt: skip
        self.account.add_record(record, forwarded="delivered" if seen else "")
        if seen:
            self.history.known[record.uuid] = text
            if media:
                self.history.media[record.uuid] = media

    def outbound(self, who: t.Persona, ago: float, text: str, *, seen: bool = True, outcome: str = "",
                 code: str = "") -> None:  # fmt: skip
        records = self.account.add_send(who.number, who.account, text, self._at(ago), rng=self.rng,
                                        outcome=outcome, code=code)
        if seen:
            for index, record in enumerate(records):
                self.history.known[record.uuid] = text if index == 0 else ""


def seed_plivo_demo(account: PlivoAccount, *, now: float | None = None, rng_seed: int = 7) -> DemoHistory:
    """Fill `account` with the shop's last three weeks; returns what a client would know of it."""
    now = float(int(time.time() if now is None else now))
    rng = random.Random(rng_seed)
    for number in PLIVO_DEMO_NUMBERS:
        if number not in account.numbers:
            account.numbers.append(number)
    account.unsubscribed.add(normalize(t.TOM.number))
    account.landlines.add(normalize(t.PHYSIO.number))
    account.undeliverable.add(normalize(t.KENJI.number))
    account.unconfirmed.add(normalize(t.ROSA.number))
    account.spam.add(normalize(t.FLEET.number))
    account.contacts.update({normalize(p.number): p.name for p in t.PERSONAS})
    history = DemoHistory()
    w = _Writer(account, rng, now, history)

    dan = t.DAN  # the club: a long thread, its oldest part from before the receiver ran
    stamps = sorted(rng.uniform(20 * DAY, 1 * DAY) for _ in range(60))
    for ago in reversed(stamps):
        fill = {"day": rng.choice(t.DAYS), "time": rng.choice(t.TIMES), "n": rng.randint(3, 14)}
        seen = ago < 12 * DAY
        if rng.random() < 0.55:
            w.inbound(dan, ago, rng.choice(t.CLUB_IN).format(**fill), seen=seen)
        else:
            w.outbound(dan, ago, rng.choice(t.CLUB_OUT).format(**fill), seen=seen)
    w.inbound(dan, 20 * HOUR, "Saturday ride still on? Forecast looks iffy")
    w.outbound(dan, 19 * HOUR, "Still on unless it pours. We'll text at 7 if we cancel.")

    maya = t.MAYA  # waiting; one photo of the bike
    w.inbound(maya, 3 * DAY, "Hi, dropping off my bike tomorrow morning for the brake issue, is 8:30 ok?")
    w.outbound(maya, 3 * DAY - 20 * MIN, "Hi Maya, 8:30 is perfect. See you then!")
    w.inbound(maya, 2 * DAY, "This is the squeaky one", media=("https://media.example.com/demo/maya-brake.jpg",))
    w.inbound(maya, 40 * MIN, "Hi! Is my bike ready yet? It's the teal commuter")

    priya = t.PRIYA  # a long (multi-unit) send made from the console: text unknown here
    w.inbound(priya, 5 * DAY, "Hi, what's included in the basic tune-up?", seen=False)
    w.outbound(priya, 5 * DAY - 10 * MIN, t.TUNE_UP_DETAILS, seen=False)
    w.inbound(priya, 1 * DAY, "Thanks, the bike feels brand new!")
    w.outbound(priya, 1 * DAY - 1 * HOUR, "So glad to hear it! 🚲")

    luis = t.LUIS
    w.inbound(luis, 2 * HOUR, "Hola, ¿tienen cámaras para 700x28c?")
    w.inbound(luis, 2 * HOUR - 8 * MIN, "También necesito un parche. Gracias 🙏")

    grace = t.GRACE
    w.inbound(grace, 3 * HOUR, t.GRACE_LONG)

    tom = t.TOM  # replied STOP: the send failed with 200
    w.inbound(tom, 16 * DAY, "Do you have the Giro helmet in size L?", seen=False)
    w.inbound(tom, 4 * DAY, "STOP")
    w.outbound(tom, 2 * DAY, "Hi Tom, your Giro helmet has arrived!")

    w.outbound(t.PHYSIO, 11 * DAY, "Hi, this is Spoke & Chain. Confirming the group fitting on Thursday.")
    kenji = t.KENJI  # undelivered (80)
    w.inbound(kenji, 6 * DAY, "Hi, can you order a Brooks B17 saddle for me?")
    w.outbound(kenji, 2 * DAY, "Hi Kenji, your Brooks saddle has arrived.")
    w.outbound(t.ROSA, 20 * HOUR, "Hi Rosa, the balance bike is $79 until Sunday.")  # no receipt: stays sent
    w.outbound(t.FLEET, 3 * DAY, "Thanks, we'll swap the battery on #4 when it comes in.")  # spam filter (30)
    w.outbound(t.OMAR, 13 * DAY, "Your fitting is booked for Saturday 11:00.", outcome="undelivered", code="420")
    alex = t.ALEX  # markup in texts: shown literally
    w.inbound(alex, 4 * HOUR, "is the [bold] sale still on?? saw it on insta")
    w.outbound(alex, 4 * HOUR - 6 * MIN, "Hi Alex! Yes, 20% off all helmets until Sunday.")
    return history


def known_messages(account: PlivoAccount, history: DemoHistory) -> list[Message]:
    """Domain records (with text) of everything the demo client knows: put them in its store."""
    now = account.now()
    out = []
    for uuid, text in history.known.items():
        record = account.get(uuid)
        if record is None:
            continue
        direction = Direction.INBOUND if record.inbound else Direction.OUTBOUND
        state, code = record.state(now, account.forwarded(uuid))
        status, delivery = map_state(state, direction)
        siblings = () if record.of == 1 else tuple(
            r.uuid for r in account.records() if r.parent == record.parent and not r.inbound
        )
        out.append(Message(
            id=uuid, to_number=record.to_number, from_number=record.from_number, body=text, direction=direction,
            status=status, delivery=delivery,
            requested_at=datetime.fromtimestamp(record.at, tz=UTC), parts=siblings,
            error=state_error(state, code) if direction is Direction.OUTBOUND else "",
            media=history.media.get(uuid, ()),
        ))  # fmt: skip
    return out


def make_plivo_demo_server(
    port: int = 0,
    *,
    lively: bool = True,
    host: str = "127.0.0.1",
    auth_id: str = PLIVO_DEMO_AUTH_ID,
    auth_token: str = PLIVO_DEMO_AUTH_TOKEN,
    speed: float = 1.0,
    now: float | None = None,
    rng_seed: int = 7,
    list_limit: int = 20,
    list_period: float = 60.0,
    message_url: str = "",
) -> PlivoSimServer:
    """A server (not started) over the seeded demo account; `server.history` says what a client
    knows. `lively` adds customers who text in (through `message_url`) and answer sends."""
    account = PlivoAccount(auth_id, auth_token, PLIVO_DEMO_NUMBERS)
    history = seed_plivo_demo(account, now=now, rng_seed=rng_seed)
    account.message_url = message_url
    server = PlivoSimServer(account, host=host, port=port, speed=speed, list_limit=list_limit, list_period=list_period)
    server.history = history  # type: ignore[attr-defined]
    if lively:
        server.companions.append(Lively(account, speed=speed, rng_seed=rng_seed))  # type: ignore[arg-type]
    return server
