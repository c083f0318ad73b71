"""The demo account: a small bike shop's support line, with believable history over three weeks.

Deterministic for a given `rng_seed` and `now`. Two SMS numbers (main line and repair desk), about a
dozen customers: short and long threads (one of 300+ messages), a few waiting for an answer, failed
sends to an unsubscribed number and a landline, undelivered and unconfirmed deliveries, emoji,
accented text, a multi-part send, a long inbound text, and bodies that test the client's safety
(a literal `[bold]`, Rich link/click markup, ANSI and OSC escape sequences).
"""

from __future__ import annotations

import random
import time

from smschat.domain.numbers import normalize
from smschat.sim import seed_text as t
from smschat.sim.account import SimAccount

MIN, HOUR, DAY = 60, 3600, 86400


class _Writer:
    def __init__(self, account: SimAccount, rng: random.Random, now: float) -> None:
        self.account, self.rng, self.now = account, rng, now

    def _at(self, ago: float) -> float:
        return self.now - ago + self.rng.uniform(-30, 30)

    def inbound(self, who: t.Persona, ago: float, body: str) -> None:
        self.account.add_message(
            customer=who.number, account=who.account, body=body, direction="inbound", at=self._at(ago),
            msg_id=f"{self.rng.getrandbits(128):032x}",
        )

    def outbound(self, who: t.Persona, ago: float, body: str, *, failed: bool = False) -> None:
        self.account.add_send(
            customer=who.number, account=who.account, body=body, at=self._at(ago), rng=self.rng, failed=failed
        )


def seed_demo_account(account: SimAccount, *, now: float | None = None, rng_seed: int = 7) -> None:
    """Fill `account` with the demo shop's history (adds the shop's two numbers if missing)."""
    now = float(int(time.time() if now is None else now))
    rng = random.Random(rng_seed)
    for number in (t.MAIN_LINE, t.SERVICE_LINE):
        if not account.is_account_number(number):
            account.numbers.append(number)
    with account.lock:
        account.unsubscribed.add(normalize(t.TOM.number))
        account.landlines.add(normalize(t.PHYSIO.number))
        account.undeliverable.add(normalize(t.KENJI.number))
        account.unconfirmed.add(normalize(t.ROSA.number))
        account.contacts.update({normalize(p.number): p.name for p in t.PERSONAS})
    w = _Writer(account, rng, now)
    _club_thread(w)
    _short_threads(w)
    _trouble_threads(w)


def _club_thread(w: _Writer) -> None:
    """Dan's club rides: 320+ messages over the last three weeks."""
    rng, dan = w.rng, t.DAN
    total = 320 + rng.randrange(25)
    stamps = sorted(rng.uniform(21 * DAY, 1 * DAY) for _ in range(total))
    for ago in reversed(stamps):
        fill = {"day": rng.choice(t.DAYS), "time": rng.choice(t.TIMES), "n": rng.randint(3, 14)}
        if rng.random() < 0.55:
            w.inbound(dan, ago, rng.choice(t.CLUB_IN).format(**fill))
        else:
            w.outbound(dan, ago, rng.choice(t.CLUB_OUT).format(**fill))
    w.inbound(dan, 20 * HOUR, "Saturday ride still on? Forecast looks iffy")
    w.outbound(dan, 19 * HOUR, "Still on unless it pours. We'll text at 7 if we cancel.")


def _short_threads(w: _Writer) -> None:
    maya = t.MAYA  # waiting for an answer
    w.inbound(maya, 3 * DAY + 2 * HOUR, "Hi, dropping off my bike tomorrow morning for the brake issue, is 8:30 ok?")
    w.outbound(maya, 3 * DAY + 110 * MIN, "Hi Maya, 8:30 is perfect. See you then!")
    w.inbound(maya, 2 * DAY + 20 * HOUR, "Dropped it off, thanks! The teal one with the basket")
    w.outbound(maya, 2 * DAY + 19 * HOUR, "Got it. We'll text you when it's ready.")
    w.inbound(maya, 40 * MIN, "Hi! Is my bike ready yet? It's the teal commuter")
    w.inbound(maya, 25 * MIN, "Can I pick up after 6 today?")

    priya = t.PRIYA  # a multi-part send
    w.inbound(priya, 5 * DAY, "Hi, what's included in the basic tune-up?")
    w.outbound(priya, 5 * DAY - 10 * MIN, t.TUNE_UP_DETAILS)
    w.inbound(priya, 5 * DAY - 2 * HOUR, "YES")
    w.outbound(priya, 5 * DAY - 2 * HOUR - 10 * MIN, "Booked: Tuesday 10:00. See you then, Priya!")
    w.inbound(priya, 1 * DAY, "Thanks, the bike feels brand new!")
    w.outbound(priya, 1 * DAY - 1 * HOUR, "So glad to hear it! 🚲")

    luis = t.LUIS  # accented Spanish, waiting
    w.inbound(luis, 2 * HOUR, "Hola, ¿tienen cámaras para 700x28c?")
    w.inbound(luis, 2 * HOUR - 8 * MIN, "También necesito un parche. Gracias 🙏")

    zoe = t.ZOE  # French, emoji, a zero-width-joiner emoji
    w.inbound(zoe, 9 * DAY, "Bonjour ! Est-ce que vous réparez les vélos électriques ? ⚡🚲")
    w.outbound(zoe, 9 * DAY - 30 * MIN, "Bonjour Zoë ! Yes, we service e-bikes. Bring it in any weekday 😊")
    w.inbound(zoe, 8 * DAY, "Super, j'arrive demain matin ☀️")
    w.inbound(zoe, 6 * DAY, "Merci beaucoup ! Le vélo est parfait 😍😍")
    w.outbound(zoe, 6 * DAY - 1 * HOUR, "Merci Zoë! Enjoy the ride 🚴‍♀️")

    omar = t.OMAR  # resolved
    w.inbound(omar, 13 * DAY, "Do you do bike fittings?")
    w.outbound(omar, 13 * DAY - 1 * HOUR, "We do! 45 min, $60. Want to book one?")
    w.inbound(omar, 13 * DAY - 50 * MIN, "Yes, Saturday?")
    w.outbound(omar, 13 * DAY - 40 * MIN, "Saturday 11:00 is yours.")
    w.inbound(omar, 12 * DAY, "Thanks again, the fit is way better now")
    w.outbound(omar, 12 * DAY - 10 * MIN, "You're welcome Omar, enjoy the ride!")

    ben = t.BEN  # old thread on the repair desk's number
    w.inbound(ben, 19 * DAY, "Could I book the cargo bike rental for next Friday?")
    w.outbound(ben, 19 * DAY - 15 * MIN, "Hi Ben, the cargo bike is booked for Friday, 9:00-18:00. $45 for the day.")
    w.inbound(ben, 19 * DAY - 10 * MIN, "👍")
    w.inbound(ben, 12 * DAY, "Bike returned, thanks!")
    w.outbound(ben, 12 * DAY - 2 * HOUR, "Got it, thanks Ben!")

    grace = t.GRACE  # a long inbound text, waiting
    w.inbound(grace, 8 * DAY, "Hi, can I drop off my road bike for wheel truing tomorrow?")
    w.outbound(grace, 8 * DAY - 30 * MIN, "Sure Grace, any time after 9.")
    w.inbound(grace, 3 * HOUR, t.GRACE_LONG)


def _trouble_threads(w: _Writer) -> None:
    tom = t.TOM  # unsubscribed, then a failed send
    w.inbound(tom, 16 * DAY, "Do you have the Giro helmet in size L?")
    w.outbound(tom, 16 * DAY - 1 * HOUR, "Not in stock, we can order it. It arrives in about 10 days.")
    w.inbound(tom, 15 * DAY, "Ok please order it")
    w.inbound(tom, 4 * DAY, "STOP")
    w.outbound(tom, 2 * DAY, "Hi Tom, your Giro helmet has arrived!", failed=True)

    physio = t.PHYSIO  # a landline: the send failed
    w.outbound(physio, 11 * DAY, "Hi, this is Spoke & Chain. Confirming the group fitting session on Thursday.",
               failed=True)

    kenji = t.KENJI  # undelivered
    w.inbound(kenji, 6 * DAY, "Hi, can you order a Brooks B17 saddle for me?")
    w.outbound(kenji, 6 * DAY - 20 * MIN, "Sure Kenji, ordered. Should arrive Friday.")
    w.outbound(kenji, 2 * DAY, "Hi Kenji, your Brooks saddle has arrived.")
    w.outbound(kenji, 1 * DAY, "Hi Kenji, just checking you got our message? Your saddle is ready.")

    rosa = t.ROSA  # unconfirmed
    w.inbound(rosa, 1 * DAY + 3 * HOUR, "Is the kids' balance bike still on sale?")
    w.outbound(rosa, 1 * DAY + 2 * HOUR, "Hi Rosa, yes! $79 until Sunday.")
    w.outbound(rosa, 20 * HOUR, "We also have it in red now.")

    alex = t.ALEX  # markup in bodies: must show literally
    w.inbound(alex, 4 * HOUR, "is the [bold] sale still on?? saw it on insta")
    w.outbound(alex, 4 * HOUR - 6 * MIN, "Hi Alex! Yes, 20% off all helmets until Sunday.")
    w.inbound(alex, 3 * HOUR + 30 * MIN, "lol ok what about [link=https://example.com]this one[/link] [@click=app.quit]x[/]")
    w.outbound(alex, 3 * HOUR + 20 * MIN, "That one is included too 👍")

    fleet = t.FLEET  # escape sequences: must never reach the agent's terminal
    w.outbound(fleet, 7 * DAY, "Hi, this is the repair desk. Text service requests for the fleet to this number.")
    w.inbound(fleet, 3 * DAY, "FLEET ALERT \x1b[31mLOW BATTERY\x1b[0m e-bike #4 at 12%")
    w.outbound(fleet, 3 * DAY - 10 * MIN, "Thanks, we'll swap the battery on #4 when it comes in.")
    w.inbound(fleet, 10 * HOUR, "\x1b]0;hacked\x07FLEET: e-bike #7 service due in 50 km\x07")
