"""Human time labels, relative to an injected `now` (tests freeze it)."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo


def relative(when: datetime | None, now: datetime) -> str:
    """Short age for lists: "now", "5m", "3h", "Tue", "16 Nov", "16 Nov 24"."""
    if when is None:
        return "—"
    delta = now - when
    seconds = delta.total_seconds()
    if seconds < 45:
        return "now"
    if seconds < 3600:
        return f"{max(1, round(seconds / 60))}m"
    if seconds < 86400:
        return f"{int(seconds // 3600)}h"
    local = when.astimezone(now.tzinfo)
    if delta < timedelta(days=6):
        return local.strftime("%a")
    if local.year == now.astimezone(now.tzinfo).year:
        return f"{local.day} {local.strftime('%b')}"
    return f"{local.day} {local.strftime('%b %y')}"


def waited(when: datetime | None, now: datetime) -> str:
    """How long something has been waiting: "4m", "2h 5m", "3d 4h"."""
    if when is None:
        return ""
    seconds = max(0, int((now - when).total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days}d {hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h {minutes}m" if minutes else f"{hours}h"
    return f"{minutes}m"


def clock_time(when: datetime, tz: tzinfo | None) -> str:
    return when.astimezone(tz).strftime("%H:%M")
