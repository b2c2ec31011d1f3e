"""The Jinja environment every site renders with: autoescaped, strict about undefined names, and the filters
that show money, energy, durations and local times the same way on every page."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from starlette.templating import Jinja2Templates

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}


def money(amount: Decimal | str | None, currency: str | None) -> str:
    """``£3.60``; a currency without a symbol here reads ``3.60 CHF``; a negative amount ``-£1.20``."""
    if amount is None or currency is None:
        return "—"
    value = Decimal(amount)
    text = format(abs(value), ",f")
    sign = "-" if value < 0 else ""
    symbol = SYMBOLS.get(currency)
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{text} {currency}"


def kwh(value: Decimal | str | None) -> str:
    if value is None:
        return "—"
    return f"{Decimal(value).quantize(Decimal('0.01')):,f} kWh"


def hours(value: Decimal | str | None) -> str:
    """A duration in hours as ``1 h 05 min`` (``0 min`` for nothing)."""
    if value is None:
        return "—"
    minutes = int((Decimal(value) * 60).to_integral_value())
    h, m = divmod(minutes, 60)
    return f"{h} h {m:02d} min" if h else f"{m} min"


def local(moment: datetime | str | None, zone: str, style: str = "datetime") -> str:
    """An instant in ``zone``: ``15 Jan 2026, 09:00`` (``date``: ``15 Jan 2026``; ``time``: ``09:00``)."""
    if moment is None:
        return "—"
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    at = moment.astimezone(ZoneInfo(zone))
    day = f"{at.day} {at:%b %Y}"
    if style == "date":
        return day
    if style == "time":
        return f"{at:%H:%M}"
    return f"{day}, {at:%H:%M}"


def iso(moment: datetime | date | None) -> str:
    """For ``<time datetime="…">``: machines (and screen readers) read the exact instant."""
    return moment.isoformat() if moment is not None else ""


def day(value: date | None) -> str:
    return f"{value.day} {value:%b %Y}" if value is not None else "—"


def words(value: Any) -> str:
    """An enum's value as words: ``partially_accepted`` → ``partially accepted``."""
    raw = getattr(value, "value", value)
    return str(raw).replace("_", " ") if raw is not None else ""


def environment(*extra: Path) -> jinja2.Environment:
    """Templates from ``extra`` folders first (a site's own), then the shared ones (``base.html``)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader([*extra, TEMPLATES]), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(money=money, kwh=kwh, hours=hours, local=local, iso=iso, day=day, words=words)
    return env


def templates(*extra: Path) -> Jinja2Templates:
    return Jinja2Templates(env=environment(*extra))
