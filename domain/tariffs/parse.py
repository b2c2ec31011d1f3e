"""Tariff JSON in and out: validates every field and names each bad one by its JSON path."""

from __future__ import annotations

import functools
import re
import typing
from datetime import UTC, date, datetime, time
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVar

from domain.errors import FieldErrors, InvalidInput
from domain.geography import is_currency
from domain.money import MAX_PRICE_DECIMALS, parse_decimal
from domain.tariffs.model import (
    DayOfWeek,
    DimensionType,
    DisplayText,
    Price,
    PriceComponent,
    ReservationRestriction,
    Restrictions,
    Tariff,
    TariffElement,
    TariffType,
)
from domain.validation import name_problem, text_problem

E = TypeVar("E", bound=StrEnum)

# Bounds that keep one tariff cheap to rate and reject obvious mistakes.
MAX_ELEMENTS = 100
MAX_COMPONENTS = 16
MAX_ALT_TEXTS = 20
MAX_TEXT = 512
MAX_URL = 2048
MAX_ID = 36  # OCPI CiString(36)
MAX_VAT_DECIMALS = 4
MAX_QUANTITY_DECIMALS = 6
MAX_DURATION_SECONDS = 366 * 86_400
STEP_SIZE_BOUNDS = {  # seconds for time, Wh for energy; FLAT ignores its step size
    DimensionType.TIME: (1, 86_400),
    DimensionType.PARKING_TIME: (1, 86_400),
    DimensionType.ENERGY: (1, 1_000_000),
    DimensionType.FLAT: (0, 1_000_000),
}

_HUNDRED = Decimal(100)
_TIME = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])\Z")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_LANGUAGE = re.compile(r"[A-Za-z]{2}\Z")
_URL = re.compile(r"https?://[^\s]+\Z")

_TARIFF_KEYS = {"id", "name", "currency", "type", "tariff_alt_text", "tariff_alt_url", "min_price",
                "max_price", "elements", "start_date_time", "end_date_time"}
_ELEMENT_KEYS = {"price_components", "restrictions"}
_COMPONENT_KEYS = {"type", "price", "vat", "step_size"}
_PRICE_KEYS = {"excl_vat", "incl_vat"}
_TEXT_KEYS = {"language", "text"}
_RESTRICTION_KEYS = {"start_time", "end_time", "start_date", "end_date", "min_kwh", "max_kwh",
                     "min_current", "max_current", "min_power", "max_power", "min_duration",
                     "max_duration", "day_of_week", "reservation"}
_RANGES = [("min_kwh", "max_kwh"), ("min_current", "max_current"), ("min_power", "max_power"),
           ("min_duration", "max_duration")]


def parse_tariff(obj: object, *, allow_numbers: bool = False) -> Tariff:
    """Validate a tariff object; raise ``InvalidInput`` naming every bad field.

    Strict (the default, our REST API): decimals are strings, a JSON number is refused, unknown
    keys are refused. ``allow_numbers=True`` reads OCPI documents from partners: decimals may be
    JSON numbers (read through ``str`` so 0.1 stays 0.1) and OCPI's extra keys are ignored.
    """
    parser = _Parser(allow_numbers)
    tariff = parser.tariff(obj)
    parser.errors.raise_if_any()
    assert tariff is not None
    return tariff


class _Parser:
    def __init__(self, allow_numbers: bool) -> None:
        self.ocpi = allow_numbers
        self.errors = FieldErrors()

    def _object(self, obj: object, path: str, known: set[str]) -> dict[str, Any] | None:
        if not isinstance(obj, dict):
            self.errors.add(path, "must be an object")
            return None
        if not self.ocpi:
            for key in obj:
                if key not in known:
                    self.errors.add(_join(path, str(key)), "unknown field")
        return obj

    def tariff(self, obj: object) -> Tariff | None:
        data = self._object(obj, "tariff", _TARIFF_KEYS)
        if data is None:
            return None
        currency = data.get("currency")
        if not is_currency(currency):
            self.errors.add("currency", "must be an ISO 4217 currency code such as \"EUR\"")
        get = data.get
        tariff_id = self._string(data, "id", "id", MAX_ID)
        name = None
        if get("name") is not None:
            problem = name_problem(data["name"])
            if problem:
                self.errors.add("name", problem)
            else:
                name = data["name"].strip()
        # Optional fields are looked at only when present: most tariffs carry few of them.
        tariff_type = self._enum(get("type"), "type", TariffType, required=False) if "type" in data else None
        alt_texts = self._alt_texts(get("tariff_alt_text"))
        alt_url = self._string(data, "tariff_alt_url", "tariff_alt_url", MAX_URL)
        if alt_url is not None and not _URL.match(alt_url):
            self.errors.add("tariff_alt_url", "must be an http(s) URL")
        min_price = self._price(get("min_price"), "min_price")
        max_price = self._price(get("max_price"), "max_price")
        if min_price is not None and max_price is not None:
            self._ordered(min_price.excl_vat, max_price.excl_vat, "max_price.excl_vat", "min_price.excl_vat",
                          strict=False)
            if min_price.incl_vat is not None and max_price.incl_vat is not None:
                self._ordered(min_price.incl_vat, max_price.incl_vat, "max_price.incl_vat", "min_price.incl_vat",
                              strict=False)
        start = self._datetime(get("start_date_time"), "start_date_time")
        end = self._datetime(get("end_date_time"), "end_date_time")
        if start is not None and end is not None and not start < end:
            self.errors.add("end_date_time", "must be after start_date_time")
        elements = self._elements(data.get("elements"))
        if self.errors.errors:
            return None
        return Tariff(currency=typing.cast(str, currency), elements=elements, id=tariff_id, name=name, type=tariff_type,
                      tariff_alt_text=alt_texts, tariff_alt_url=alt_url, min_price=min_price,
                      max_price=max_price, start_date_time=start, end_date_time=end)

    def _elements(self, value: object) -> tuple[TariffElement, ...]:
        if not isinstance(value, list) or not value:
            self.errors.add("elements", "must be a non-empty list of tariff elements")
            return ()
        if len(value) > MAX_ELEMENTS:
            self.errors.add("elements", f"at most {MAX_ELEMENTS} elements")
            return ()
        elements = []
        for i, item in enumerate(value):
            element = self._element(item, f"elements[{i}]")
            if element is not None:
                elements.append(element)
        return tuple(elements)

    def _element(self, obj: object, path: str) -> TariffElement | None:
        data = self._object(obj, path, _ELEMENT_KEYS)
        if data is None:
            return None
        components_path = f"{path}.price_components"
        raw = data.get("price_components")
        components: list[PriceComponent] = []
        if not isinstance(raw, list) or not raw:
            self.errors.add(components_path, "must be a non-empty list of price components")
        elif len(raw) > MAX_COMPONENTS:
            self.errors.add(components_path, f"at most {MAX_COMPONENTS} price components")
        else:
            seen: set[DimensionType] = set()
            for j, item in enumerate(raw):
                component = self._component(item, f"{components_path}[{j}]")
                if component is None:
                    continue
                # OCPI leaves a repeated type undefined; partners' documents keep the first (the
                # rating engine uses only the first), our own API refuses the ambiguity.
                if component.type in seen and not self.ocpi:
                    self.errors.add(f"{components_path}[{j}].type",
                                    f"an element has at most one {component.type} price component")
                seen.add(component.type)
                components.append(component)
        restrictions = None
        if data.get("restrictions") is not None:
            restrictions = self._restrictions(data["restrictions"], f"{path}.restrictions")
        return TariffElement(tuple(components), restrictions)

    def _component(self, obj: object, path: str) -> PriceComponent | None:
        data = self._object(obj, path, _COMPONENT_KEYS)
        if data is None:
            return None
        kind = self._enum(data.get("type"), f"{path}.type", DimensionType, required=True)
        price = self._decimal(data.get("price"), f"{path}.price", required=True)
        vat = data.get("vat")
        if vat is not None:
            vat = self._decimal(vat, f"{path}.vat", quantity=True, max_decimals=MAX_VAT_DECIMALS, maximum=_HUNDRED)
        low, high = STEP_SIZE_BOUNDS[kind] if kind is not None else (0, 1_000_000)
        step_size = self._integer(data.get("step_size"), f"{path}.step_size", low, high, required=True)
        if kind is None or price is None or step_size is None:
            return None
        return PriceComponent.checked(kind, price, step_size, vat)

    def _restrictions(self, obj: object, path: str) -> Restrictions | None:
        data = self._object(obj, path, _RESTRICTION_KEYS)
        if data is None:
            return None
        values: dict[str, Any] = {}
        for key in ("start_time", "end_time"):
            values[key] = self._time(data.get(key), f"{path}.{key}")
        for key in ("start_date", "end_date"):
            values[key] = self._date(data.get(key), f"{path}.{key}")
        for key in ("min_kwh", "max_kwh", "min_current", "max_current", "min_power", "max_power"):
            values[key] = self._decimal(data.get(key), f"{path}.{key}", quantity=True,
                                         max_decimals=MAX_QUANTITY_DECIMALS)
        for key in ("min_duration", "max_duration"):
            values[key] = self._integer(data.get(key), f"{path}.{key}", 0, MAX_DURATION_SECONDS)
        values["day_of_week"] = self._days(data.get("day_of_week"), f"{path}.day_of_week")
        values["reservation"] = self._enum(data.get("reservation"), f"{path}.reservation",
                                           ReservationRestriction, required=False)
        for low, high in _RANGES:
            if values[low] is not None and values[high] is not None:
                self._ordered(values[low], values[high], f"{path}.{high}", low, strict=True)
        if values["start_date"] is not None and values["end_date"] is not None:
            self._ordered(values["start_date"], values["end_date"], f"{path}.end_date", "start_date", strict=True)
        restrictions = Restrictions(**values)
        return None if restrictions.is_empty else restrictions

    def _ordered(self, low: Any, high: Any, path: str, low_name: str, *, strict: bool) -> None:
        if high < low or (strict and high == low):
            self.errors.add(path, f"must be {'greater than' if strict else 'at least'} {low_name}")

    def _price(self, obj: object, path: str) -> Price | None:
        if obj is None:
            return None
        data = self._object(obj, path, _PRICE_KEYS)
        if data is None:
            return None
        excl = self._decimal(data.get("excl_vat"), f"{path}.excl_vat", required=True)
        incl = self._decimal(data.get("incl_vat"), f"{path}.incl_vat")
        if excl is None:
            return None
        if incl is not None and incl < excl:
            self.errors.add(f"{path}.incl_vat", "must be at least excl_vat")
        return Price(excl, incl)

    def _alt_texts(self, value: object) -> tuple[DisplayText, ...]:
        if value is None:
            return ()
        if not isinstance(value, list) or len(value) > MAX_ALT_TEXTS:
            self.errors.add("tariff_alt_text", f"must be a list of at most {MAX_ALT_TEXTS} {{language, text}} objects")
            return ()
        texts = []
        for i, item in enumerate(value):
            path = f"tariff_alt_text[{i}]"
            data = self._object(item, path, _TEXT_KEYS)
            if data is None:
                continue
            language, text = data.get("language"), data.get("text")
            ok = True
            if not isinstance(language, str) or not _LANGUAGE.match(language):
                self.errors.add(f"{path}.language", "must be an ISO 639-1 language code such as \"en\"")
                ok = False
            problem = text_problem(text, MAX_TEXT, lines=True)
            if problem:
                self.errors.add(f"{path}.text", problem)
                ok = False
            if ok and isinstance(language, str) and isinstance(text, str):
                texts.append(DisplayText(language.lower(), text))
        return tuple(texts)

    def _string(self, data: dict[str, Any], key: str, path: str, max_length: int) -> str | None:
        value = data.get(key)
        if value is None:
            return None
        problem = text_problem(value, max_length)
        if problem:
            self.errors.add(path, problem)
            return None
        return typing.cast(str, value)

    def _enum(self, value: object, path: str, kind: type[E], *, required: bool) -> E | None:
        if value is None:
            if required:
                self.errors.add(path, f"required; one of {', '.join(kind)}")
            return None
        member = _members(kind).get(value) if isinstance(value, str) else None
        if member is None:
            self.errors.add(path, f"must be one of {', '.join(kind)}")
        return member

    def _decimal(self, value: object, path: str, *, required: bool = False, quantity: bool = False,
                 max_decimals: int = MAX_PRICE_DECIMALS, maximum: Decimal | None = None) -> Decimal | None:
        """Prices are decimal strings; quantities and percentages (``quantity``) may be exact numbers too."""
        if value is None:
            if required:
                self.errors.add(path, "required")
            return None
        try:
            return parse_decimal(value, path, max_decimals=max_decimals, maximum=maximum,
                                 numbers=quantity or self.ocpi, floats=self.ocpi)
        except InvalidInput as exc:
            for error in exc.errors:
                self.errors.add(error.field, error.message)
            return None

    def _integer(self, value: object, path: str, low: int, high: int, *, required: bool = False) -> int | None:
        if value is None:
            if required:
                self.errors.add(path, "required")
            return None
        if self.ocpi and isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self.errors.add(path, "must be a whole number")
            return None
        if not low <= value <= high:
            self.errors.add(path, f"must be between {low} and {high}")
            return None
        return value

    def _time(self, value: object, path: str) -> time | None:
        if value is None:
            return None
        match = _TIME.match(value) if isinstance(value, str) else None
        if not match:
            self.errors.add(path, "must be a local time of day \"HH:MM\" from 00:00 to 23:59")
            return None
        return time(int(match[1]), int(match[2]))

    def _date(self, value: object, path: str) -> date | None:
        if value is None:
            return None
        if isinstance(value, str) and _DATE.match(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.errors.add(path, "must be a date \"YYYY-MM-DD\"")
        return None

    def _datetime(self, value: object, path: str) -> datetime | None:
        """An instant: a ``datetime`` the edge already read, or RFC 3339 text (partners' documents)."""
        if value is None:
            return None
        parsed = value if isinstance(value, datetime) else None
        if isinstance(value, str) and len(value) <= 40:
            try:
                parsed = datetime.fromisoformat(value)
            except ValueError:
                parsed = None
        if parsed is None:
            self.errors.add(path, "must be an RFC 3339 date-time such as \"2024-01-01T00:00:00Z\"")
            return None
        if parsed.tzinfo is None:
            if not self.ocpi:
                self.errors.add(path, "must carry a UTC offset, e.g. a trailing Z")
                return None
            parsed = parsed.replace(tzinfo=UTC)  # OCPI: no designator means UTC
        return parsed.astimezone(UTC)

    def _days(self, value: object, path: str) -> tuple[DayOfWeek, ...]:
        if value is None:
            return ()
        if not isinstance(value, list) or len(value) > 7:
            self.errors.add(path, "must be a list of days such as [\"MONDAY\", \"TUESDAY\"]")
            return ()
        days: list[DayOfWeek] = []
        for i, item in enumerate(value):
            day = self._enum(item, f"{path}[{i}]", DayOfWeek, required=True)
            if day is None:
                continue
            if day in days:
                if not self.ocpi:
                    self.errors.add(f"{path}[{i}]", f"{day} is listed twice")
                continue
            days.append(day)
        return tuple(days)


@functools.cache
def _members(kind: type[E]) -> dict[str, E]:
    """An enumeration's members by value: a dictionary lookup instead of the enumeration's own call."""
    return {member.value: member for member in kind}


def _join(path: str, key: str) -> str:
    return key if path == "tariff" else f"{path}.{key}"


# --- out -------------------------------------------------------------------------------------


def tariff_to_json(tariff: Tariff) -> dict[str, Any]:
    """The REST shape: decimals as strings, absent fields left out; ``parse_tariff`` reads it back."""
    out: dict[str, Any] = {}
    if tariff.id is not None:
        out["id"] = tariff.id
    if tariff.name is not None:
        out["name"] = tariff.name
    out["currency"] = tariff.currency
    if tariff.type is not None:
        out["type"] = str(tariff.type)
    if tariff.tariff_alt_text:
        out["tariff_alt_text"] = [{"language": t.language, "text": t.text} for t in tariff.tariff_alt_text]
    if tariff.tariff_alt_url is not None:
        out["tariff_alt_url"] = tariff.tariff_alt_url
    for key, price in (("min_price", tariff.min_price), ("max_price", tariff.max_price)):
        if price is not None:
            out[key] = _skip_none({"excl_vat": _dec(price.excl_vat), "incl_vat": _dec(price.incl_vat)})
    out["elements"] = [_element_json(e) for e in tariff.elements]
    for key, instant in (("start_date_time", tariff.start_date_time), ("end_date_time", tariff.end_date_time)):
        if instant is not None:
            out[key] = instant.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return out


def _element_json(element: TariffElement) -> dict[str, Any]:
    out: dict[str, Any] = {"price_components": [
        _skip_none({"type": str(c.type), "price": _dec(c.price), "vat": _dec(c.vat), "step_size": c.step_size})
        for c in element.price_components
    ]}
    if element.restrictions is not None:
        out["restrictions"] = _restrictions_json(element.restrictions)
    return out


def _restrictions_json(r: Restrictions) -> dict[str, Any]:
    def hhmm(t: time | None) -> str | None:
        return None if t is None else t.strftime("%H:%M")

    def iso(d: date | None) -> str | None:
        return None if d is None else d.isoformat()

    return _skip_none({
        "start_time": hhmm(r.start_time), "end_time": hhmm(r.end_time),
        "start_date": iso(r.start_date), "end_date": iso(r.end_date),
        "min_kwh": _dec(r.min_kwh), "max_kwh": _dec(r.max_kwh),
        "min_current": _dec(r.min_current), "max_current": _dec(r.max_current),
        "min_power": _dec(r.min_power), "max_power": _dec(r.max_power),
        "min_duration": r.min_duration, "max_duration": r.max_duration,
        "day_of_week": [str(d) for d in r.day_of_week] or None,
        "reservation": None if r.reservation is None else str(r.reservation),
    })


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _skip_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}
