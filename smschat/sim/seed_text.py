"""Words for the simulated customers: the demo bike shop's people, what they text, how they answer.

Numbers use the 555-01XX range reserved for fiction. Names are shown by the demo only; the Plum
API itself has no contact names.
"""

from __future__ import annotations

from dataclasses import dataclass

SHOP_NAME = "Spoke & Chain Bicycles"
MAIN_LINE = "6175550100"  # the shop's main SMS number (sales, general questions)
SERVICE_LINE = "6175550101"  # the repair desk's SMS number


@dataclass(frozen=True, slots=True)
class Persona:
    name: str
    number: str  # 10 digits, as typed
    account: str  # which of the shop's numbers they text
    openers: tuple[str, ...] = ()  # what they may text out of the blue (lively mode)
    lively: bool = True  # False: never texts in lively mode (landline, unsubscribed)


MAYA = Persona("Maya Chen", "6175550123", SERVICE_LINE, (
    "Hi! Is my bike ready yet? It's the teal commuter",
    "Can I pick up after 6 today?",
    "Also could you check the rear brake squeak next time",
))
DAN = Persona("Dan Okafor (club rides)", "8575550142", MAIN_LINE, (
    "Saturday ride still on? Forecast looks iffy",
    "How many rental bikes can you hold for the club on Sunday?",
    "Heads up, 3 new riders joining this week",
    "Can we use the shop as the meeting point again?",
))
PRIYA = Persona("Priya Raman", "7815550167", SERVICE_LINE, (
    "Do you have any tune-up slots next week?",
    "What's included in the basic tune-up?",
))
LUIS = Persona("Luis Ortega", "6175550178", MAIN_LINE, (
    "¿Tienen cámaras para 700x28c?",
    "¿A qué hora abren el domingo?",
    "Gracias, paso mañana por la tarde",
))
ZOE = Persona("Zoë Laurent", "5085550111", MAIN_LINE, (
    "Coucou ! Le vélo roule à merveille 😍",
    "Vous avez des sacoches étanches ? 🎒",
    "Merci encore pour l'aide de samedi 🙏🚲",
))
TOM = Persona("Tom Becker", "3395550155", MAIN_LINE, lively=False)
PHYSIO = Persona("Back Bay Physio (landline)", "6175550190", MAIN_LINE, lively=False)
KENJI = Persona("Kenji Watanabe", "6175550133", SERVICE_LINE, (
    "Did you get my last message? My phone has been acting up",
))
ROSA = Persona("Rosa Delgado", "8575550108", MAIN_LINE, (
    "Is the kids' balance bike still on sale?",
))
ALEX = Persona("Alex Rivera", "7815550199", MAIN_LINE, (
    "is the [bold] sale still on?? saw it on insta",
    "lol ok what about [link=https://example.com]this one[/link]",
))
FLEET = Persona("CityCourier fleet bot", "6175550150", SERVICE_LINE, (
    "FLEET ALERT \x1b[31mLOW BATTERY\x1b[0m e-bike #4 at 12%",
    "FLEET: e-bike #7 service due in 50 km",
))
GRACE = Persona("Grace Kim", "9785550126", SERVICE_LINE, (
    "Any update on the wheel truing?",
))
OMAR = Persona("Omar Haddad", "6175550164", MAIN_LINE, (
    "Do you sell cleats for Shimano SPD pedals?",
    "Thanks again, the fit is way better now",
))
BEN = Persona("Ben Fischer", "4135550172", SERVICE_LINE, (
    "Could I book the cargo bike rental for next Friday?",
))

PERSONAS = (MAYA, DAN, PRIYA, LUIS, ZOE, TOM, PHYSIO, KENJI, ROSA, ALEX, FLEET, GRACE, OMAR, BEN)

#: What a customer answers, by what the agent's text talks about (first match wins).
REPLIES: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("ready", "pick up", "pickup", "collect"), (
        "Great, I'll swing by after work!", "Perfect, see you around 5:30", "Awesome, thank you!! 🙌",
    )),
    (("$", "price", "cost", "quote", "estimate"), (
        "Ok, go ahead with it", "Hmm that's more than I hoped. Can you do just the brakes for now?",
        "Sounds fair, thanks",
    )),
    (("when", "what time", "which day", "available", "slot"), (
        "Tomorrow after 5 works for me", "Saturday morning if possible", "Any time Thursday",
    )),
    (("sorry", "apolog", "delay"), (
        "No worries, thanks for letting me know", "Ok. Please keep me posted", "That's alright!",
    )),
    (("thank", "thanks", "cheers"), ("👍", "Thanks!", "You too!", "🙏")),
    (("?",), ("Yes, that works", "Not sure, let me check and get back to you", "Yes please", "No, that's fine")),
)
DEFAULT_REPLIES = ("Ok 👍", "Got it, thanks", "Sounds good", "Great, thanks!", "👌")

#: Dan's club-ride thread (300+ messages): what he texts and what the shop answers.
CLUB_IN = (
    "Morning! Ride is on for {day}, meeting at the shop at {time}",
    "We'll have about {n} riders {day}",
    "Can you hold {n} helmets for the newcomers?",
    "Anyone from the shop joining the {day} loop?",
    "Route change: we're doing the river loop instead",
    "Flat on the way back, all good now",
    "Thanks for opening early last time!",
    "Do you have CO2 cartridges in stock?",
    "Could you put up the ride poster in the window?",
    "Is the pump at the door working again?",
    "Running {n} min late, start without me",
    "Ok",
    "👍",
    "Great ride today, {n} people showed up",
)
CLUB_OUT = (
    "Sounds good Dan, doors open at {time}",
    "We can hold {n} rentals for {day}",
    "Helmets are set aside at the counter",
    "Yes, {n} packs of cartridges in stock",
    "Poster is up!",
    "Pump is fixed 👍",
    "Thanks Dan, see you {day}",
    "Ok",
    "Noted",
    "Jamie from the shop will join the {day} loop",
)
DAYS = ("Saturday", "Sunday", "Wednesday", "Thursday evening", "tomorrow")
TIMES = ("7:00", "7:30", "8:00", "8:30", "9:00")

#: Plain lines for the bench's bulk account.
BULK_LINES = (
    "Hi, is my bike ready?",
    "Yes, it's ready for pick up",
    "What time do you close today?",
    "We close at 7pm",
    "Can I book a tune-up?",
    "Sure, Tuesday at 10?",
    "Thanks!",
    "Do you have 700x25 tubes?",
    "Yes we do",
    "See you soon",
)

TUNE_UP_DETAILS = (
    "Hi Priya, here is what the Standard Tune-Up covers: we check and adjust the front and rear "
    "derailleurs, true both wheels, adjust brakes and replace pads if worn, check the bottom bracket "
    "and headset for play, clean and lube the drivetrain, check tyre pressure and wear, tighten every "
    "bolt to spec, and finish with a test ride. It takes about two working days and costs $85; parts "
    "are extra and we always call before replacing anything over $20. Reply YES to book Tuesday 10:00."
)

GRACE_LONG = (
    "Hi, I dropped off my road bike last Tuesday for a wheel truing and you said it would be two days. "
    "It's now been a week and nobody called me. I ride to work every day and I've been taking the bus "
    "which costs me extra, and honestly I'm a bit frustrated because I called twice and got voicemail. "
    "Could someone please tell me what's going on and when I can get it back? If it needs a new rim "
    "just tell me the price. Thanks, Grace"
)
