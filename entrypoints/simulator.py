"""``charge simulate``: OCPP charge points on the ``ocpp`` library that boot, send heartbeats and charge.

For demos and load: N charge points (1.6J or 2.0.1) against a server on this machine, each running
sessions with meter values until the time is up, answering the server's commands as a charger
would. The charge points must be registered first (their identity is ``<prefix><n>``). Only
loopback addresses are accepted: this is a load generator, not a tool to point at other people's servers.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import ipaddress
import itertools
import logging
import ssl
import statistics
import time
import uuid
from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from attrs import define, field
from ocpp import v16, v201
from ocpp.routing import on
from ocpp.v16 import call as call16
from ocpp.v16 import call_result as result16
from ocpp.v16.enums import Action as Action16
from ocpp.v201 import call as call201
from ocpp.v201 import call_result as result201
from ocpp.v201.enums import Action as Action201
from websockets.asyncio.client import connect

log = logging.getLogger("charge.simulator")

NO_ANSWER = "<no answer>"          # an answer script value: the charge point never answers that command
SUBPROTOCOL = {"1.6": "ocpp1.6", "2.0.1": "ocpp2.0.1"}
MAX_CHARGE_POINTS = 10_000
MAX_DURATION = 24 * 3600.0


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class _Scripted:
    """Answers the server's commands from a script (default: as a healthy charger would) and records them."""

    answers: dict[str, str]
    received: list[tuple[str, dict[str, Any]]]

    def _script(self, answers: Mapping[str, str] | None) -> None:
        self.answers = dict(answers or {})
        self.received = []
        self.remote_starts: asyncio.Queue[str] = asyncio.Queue()
        self.remote_stops: asyncio.Queue[str] = asyncio.Queue()
        self._never = asyncio.Event()

    async def _answer(self, action: str, payload: dict[str, Any], default: str = "Accepted") -> str:
        self.received.append((action, payload))
        status = self.answers.get(action, default)
        if status == NO_ANSWER:
            await self._never.wait()   # until the connection closes and this task is cancelled
        return status


class SimulatedChargePoint16(_Scripted, v16.ChargePoint):
    def __init__(self, id: str, connection: Any, answers: Mapping[str, str] | None = None) -> None:
        super().__init__(id, connection, response_timeout=30)
        self._script(answers)
        self.configuration = {"HeartbeatInterval": "300", "MeterValueSampleInterval": "60"}

    @on(Action16.remote_start_transaction)
    async def on_remote_start(self, id_tag: str, **rest: Any) -> result16.RemoteStartTransaction:
        status = await self._answer("RemoteStartTransaction", {"id_tag": id_tag, **rest})
        if status == "Accepted":
            self.remote_starts.put_nowait(id_tag)
        return result16.RemoteStartTransaction(status=status)

    @on(Action16.remote_stop_transaction)
    async def on_remote_stop(self, transaction_id: int, **rest: Any) -> result16.RemoteStopTransaction:
        status = await self._answer("RemoteStopTransaction", {"transaction_id": transaction_id, **rest})
        if status == "Accepted":
            self.remote_stops.put_nowait(str(transaction_id))
        return result16.RemoteStopTransaction(status=status)

    @on(Action16.reset)
    async def on_reset(self, **payload: Any) -> result16.Reset:
        return result16.Reset(status=await self._answer("Reset", payload))

    @on(Action16.unlock_connector)
    async def on_unlock(self, **payload: Any) -> result16.UnlockConnector:
        return result16.UnlockConnector(status=await self._answer("UnlockConnector", payload,
                                                                  "Unlocked"))

    @on(Action16.change_availability)
    async def on_change_availability(self, **payload: Any) -> result16.ChangeAvailability:
        return result16.ChangeAvailability(status=await self._answer("ChangeAvailability",
                                                                     payload))

    @on(Action16.trigger_message)
    async def on_trigger(self, **payload: Any) -> result16.TriggerMessage:
        return result16.TriggerMessage(status=await self._answer("TriggerMessage", payload))

    @on(Action16.get_configuration)
    async def on_get_configuration(self, key: list[str] | None = None, **rest: Any) -> result16.GetConfiguration:
        await self._answer("GetConfiguration", {"key": key, **rest})
        wanted = key or list(self.configuration)
        return result16.GetConfiguration(
            configuration_key=[{"key": k, "readonly": False, "value": self.configuration[k]}
                               for k in wanted if k in self.configuration],
            unknown_key=[k for k in wanted if k not in self.configuration] or None)

    @on(Action16.change_configuration)
    async def on_change_configuration(self, key: str, value: str, **rest: Any) -> result16.ChangeConfiguration:
        status = await self._answer("ChangeConfiguration", {"key": key, "value": value, **rest})
        if status == "Accepted":
            self.configuration[key] = value
        return result16.ChangeConfiguration(status=status)

    @on(Action16.set_charging_profile)
    async def on_set_charging_profile(self, **payload: Any) -> result16.SetChargingProfile:
        return result16.SetChargingProfile(status=await self._answer("SetChargingProfile",
                                                                     payload))

    @on(Action16.clear_cache)
    async def on_clear_cache(self, **payload: Any) -> result16.ClearCache:
        return result16.ClearCache(status=await self._answer("ClearCache", payload))

    @on(Action16.reserve_now)
    async def on_reserve_now(self, **payload: Any) -> result16.ReserveNow:
        return result16.ReserveNow(status=await self._answer("ReserveNow", payload))

    @on(Action16.cancel_reservation)
    async def on_cancel_reservation(self, **payload: Any) -> result16.CancelReservation:
        return result16.CancelReservation(status=await self._answer("CancelReservation",
                                                                    payload))


class SimulatedChargePoint201(_Scripted, v201.ChargePoint):
    def __init__(self, id: str, connection: Any, answers: Mapping[str, str] | None = None) -> None:
        super().__init__(id, connection, response_timeout=30)
        self._script(answers)
        self.variables = {("OCPPCommCtrlr", "HeartbeatInterval"): "300",
                          ("SampledDataCtrlr", "TxUpdatedInterval"): "60"}

    @on(Action201.request_start_transaction)
    async def on_request_start(self, id_token: dict[str, Any], **rest: Any) -> result201.RequestStartTransaction:
        status = await self._answer("RequestStartTransaction", {"id_token": id_token, **rest})
        if status == "Accepted":
            self.remote_starts.put_nowait(id_token["id_token"])
        return result201.RequestStartTransaction(status=status)

    @on(Action201.request_stop_transaction)
    async def on_request_stop(self, transaction_id: str, **rest: Any) -> result201.RequestStopTransaction:
        status = await self._answer("RequestStopTransaction", {"transaction_id": transaction_id, **rest})
        if status == "Accepted":
            self.remote_stops.put_nowait(transaction_id)
        return result201.RequestStopTransaction(status=status)

    @on(Action201.reset)
    async def on_reset(self, **payload: Any) -> result201.Reset:
        return result201.Reset(status=await self._answer("Reset", payload))

    @on(Action201.unlock_connector)
    async def on_unlock(self, **payload: Any) -> result201.UnlockConnector:
        return result201.UnlockConnector(status=await self._answer("UnlockConnector", payload,
                                                                   "Unlocked"))

    @on(Action201.change_availability)
    async def on_change_availability(self, **payload: Any) -> result201.ChangeAvailability:
        return result201.ChangeAvailability(status=await self._answer("ChangeAvailability",
                                                                      payload))

    @on(Action201.trigger_message)
    async def on_trigger(self, **payload: Any) -> result201.TriggerMessage:
        return result201.TriggerMessage(status=await self._answer("TriggerMessage", payload))

    @on(Action201.get_variables)
    async def on_get_variables(self, get_variable_data: list[dict[str, Any]], **rest: Any) -> result201.GetVariables:
        await self._answer("GetVariables", {"get_variable_data": get_variable_data, **rest})
        results = []
        for item in get_variable_data:
            value = self.variables.get((item["component"]["name"], item["variable"]["name"]))
            results.append({"attribute_status": "Accepted" if value is not None else "UnknownVariable",
                            "component": item["component"], "variable": item["variable"],
                            **({"attribute_value": value} if value is not None else {})})
        return result201.GetVariables(get_variable_result=results)

    @on(Action201.set_variables)
    async def on_set_variables(self, set_variable_data: list[dict[str, Any]], **rest: Any) -> result201.SetVariables:
        status = await self._answer("SetVariables", {"set_variable_data": set_variable_data, **rest})
        results = []
        for item in set_variable_data:
            key = (item["component"]["name"], item["variable"]["name"])
            if status == "Accepted":
                self.variables[key] = item["attribute_value"]
            results.append({"attribute_status": status, "component": item["component"], "variable": item["variable"]})
        return result201.SetVariables(set_variable_result=results)

    @on(Action201.set_charging_profile)
    async def on_set_charging_profile(self, **payload: Any) -> result201.SetChargingProfile:
        return result201.SetChargingProfile(status=await self._answer("SetChargingProfile",
                                                                      payload))

    @on(Action201.clear_cache)
    async def on_clear_cache(self, **payload: Any) -> result201.ClearCache:
        return result201.ClearCache(status=await self._answer("ClearCache", payload))

    @on(Action201.reserve_now)
    async def on_reserve_now(self, **payload: Any) -> result201.ReserveNow:
        return result201.ReserveNow(status=await self._answer("ReserveNow", payload))

    @on(Action201.cancel_reservation)
    async def on_cancel_reservation(self, **payload: Any) -> result201.CancelReservation:
        return result201.CancelReservation(status=await self._answer("CancelReservation",
                                                                     payload))


SimulatedChargePoint = SimulatedChargePoint16 | SimulatedChargePoint201
_CLASSES: dict[str, type[SimulatedChargePoint16 | SimulatedChargePoint201]] = {
    "1.6": SimulatedChargePoint16, "2.0.1": SimulatedChargePoint201}


def basic_auth(identity: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{identity}:{password}".encode()).decode()


@contextlib.asynccontextmanager
async def charge_point(base_url: str, identity: str, version: str = "1.6", *, password: str | None = None,
                       answers: Mapping[str, str] | None = None, tls: ssl.SSLContext | None = None,
                       ) -> AsyncIterator[SimulatedChargePoint]:
    """A connected simulated charge point reading the server's messages until the block ends."""
    headers = {"Authorization": basic_auth(identity, password)} if password is not None else None
    async with connect(f"{base_url.rstrip('/')}/{identity}", subprotocols=[SUBPROTOCOL[version]],  # type: ignore[list-item]
                       additional_headers=headers, ssl=tls, compression=None, open_timeout=10) as websocket:
        cp = _CLASSES[version](identity, websocket, answers)
        reader = asyncio.create_task(cp.start())
        try:
            yield cp
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await reader


@define
class Meter:
    """A connector's energy register, advanced by a constant power."""

    wh: Decimal = Decimal(0)
    power_w: Decimal = Decimal(11_000)

    def advance(self, seconds: float) -> Decimal:
        self.wh += (self.power_w * Decimal(str(seconds)) / 3600).quantize(Decimal(1))
        return self.wh


def _samples16(meter: Meter) -> list[dict[str, Any]]:
    return [{"timestamp": now(), "sampled_value": [
        {"value": str(meter.wh), "measurand": "Energy.Active.Import.Register", "unit": "Wh",
         "context": "Sample.Periodic"},
        {"value": str(meter.power_w), "measurand": "Power.Active.Import", "unit": "W", "context": "Sample.Periodic"}]}]


def _samples201(meter: Meter, context: str = "Sample.Periodic") -> list[dict[str, Any]]:
    return [{"timestamp": now(), "sampled_value": [
        {"value": int(meter.wh), "measurand": "Energy.Active.Import.Register", "context": context,
         "unit_of_measure": {"unit": "Wh"}},
        {"value": int(meter.power_w), "measurand": "Power.Active.Import", "context": context,
         "unit_of_measure": {"unit": "W"}}]}]


async def boot(cp: SimulatedChargePoint) -> int:
    """BootNotification and the connector's first status; returns the heartbeat interval the server asked for."""
    if isinstance(cp, SimulatedChargePoint16):
        answer = await cp.call(call16.BootNotification(charge_point_vendor="Charge", charge_point_model="Simulator",
                                                       charge_point_serial_number=cp.id, firmware_version="1.0"))
        await cp.call(call16.StatusNotification(connector_id=1, error_code="NoError", status="Available",
                                                timestamp=now()))
    else:
        answer = await cp.call(call201.BootNotification(
            charging_station={"model": "Simulator", "vendor_name": "Charge", "serial_number": cp.id,
                              "firmware_version": "1.0"}, reason="PowerUp"))
        await cp.call(call201.StatusNotification(timestamp=now(), connector_status="Available", evse_id=1,
                                                 connector_id=1))
    return int(answer.interval)


async def charge(cp: SimulatedChargePoint, id_tag: str, meter: Meter, *, seconds: float, meter_interval: float,
                 stop: asyncio.Event) -> Decimal:
    """One session: authorize, start, meter values every ``meter_interval``, stop; returns the Wh charged."""
    begin = meter.wh
    samples = max(1, int(seconds / meter_interval))
    if isinstance(cp, SimulatedChargePoint16):
        await cp.call(call16.Authorize(id_tag=id_tag))
        started = await cp.call(call16.StartTransaction(connector_id=1, id_tag=id_tag, meter_start=int(meter.wh),
                                                        timestamp=now()))
        await cp.call(call16.StatusNotification(connector_id=1, error_code="NoError", status="Charging",
                                                timestamp=now()))
        for _ in range(samples):
            if await _stopped(cp, stop, meter_interval):
                break
            meter.advance(meter_interval)
            await cp.call(call16.MeterValues(connector_id=1, transaction_id=started.transaction_id,
                                             meter_value=_samples16(meter)))
        await cp.call(call16.StopTransaction(meter_stop=int(meter.wh), timestamp=now(),
                                             transaction_id=started.transaction_id, reason="Local", id_tag=id_tag))
        await cp.call(call16.StatusNotification(connector_id=1, error_code="NoError", status="Available",
                                                timestamp=now()))
        return meter.wh - begin
    transaction_id, seq = str(uuid.uuid4()), itertools.count()
    token = {"id_token": id_tag, "type": "Central"}
    await cp.call(call201.Authorize(id_token=token))
    await cp.call(call201.TransactionEvent(
        event_type="Started", timestamp=now(), trigger_reason="Authorized", seq_no=next(seq),
        transaction_info={"transaction_id": transaction_id, "charging_state": "Charging"},
        evse={"id": 1, "connector_id": 1}, id_token=token, meter_value=_samples201(meter, "Transaction.Begin")))
    for _ in range(samples):
        if await _stopped(cp, stop, meter_interval):
            break
        meter.advance(meter_interval)
        await cp.call(call201.TransactionEvent(
            event_type="Updated", timestamp=now(), trigger_reason="MeterValuePeriodic", seq_no=next(seq),
            transaction_info={"transaction_id": transaction_id, "charging_state": "Charging"},
            meter_value=_samples201(meter)))
    await cp.call(call201.TransactionEvent(
        event_type="Ended", timestamp=now(), trigger_reason="StopAuthorized", seq_no=next(seq),
        transaction_info={"transaction_id": transaction_id, "stopped_reason": "Local"},
        id_token=token, meter_value=_samples201(meter, "Transaction.End")))
    return meter.wh - begin


async def _stopped(cp: SimulatedChargePoint, stop: asyncio.Event, seconds: float) -> bool:
    """Wait one meter interval; True when the simulation ends or the server asked to stop the transaction."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
    if not cp.remote_stops.empty():
        cp.remote_stops.get_nowait()
        return True
    return stop.is_set()


@define
class Report:
    connected: int = 0
    failed: int = 0
    sessions: int = 0
    energy_wh: Decimal = Decimal(0)
    errors: int = 0
    latencies_ms: list[float] = field(factory=list)

    def summary(self) -> str:
        lat = sorted(self.latencies_ms)
        p = (lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]) if lat else (lambda q: 0.0)
        return (f"charge points connected {self.connected}, failed {self.failed}; sessions {self.sessions}, "
                f"{self.energy_wh / 1000} kWh; calls {len(lat)}, errors {self.errors}; latency ms "
                f"p50 {p(0.5):.1f} p95 {p(0.95):.1f} max {(lat[-1] if lat else 0):.1f}"
                + (f" mean {statistics.fmean(lat):.1f}" if lat else ""))


def _timed(cp: SimulatedChargePoint, report: Report) -> None:
    """Measure every call this charge point makes (the library's ``call`` is wrapped, nothing else changes)."""
    original = cp.call

    async def call(payload: Any, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            result = await original(payload, *args, suppress=False, **kwargs)
        except Exception:
            report.errors += 1
            raise
        report.latencies_ms.append((time.perf_counter() - started) * 1000)
        return result

    cp.call = call


def require_loopback(url: str, command: str = "charge simulate") -> None:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    raise ValueError(f"{command} only connects to this machine (localhost, 127.0.0.0/8, ::1), not {host!r}")


@define
class Options:
    url: str = "ws://127.0.0.1:9000/ocpp"
    count: int = 1
    version: str = "1.6"
    duration: float = 60.0
    prefix: str = "SIM-"
    id_tag: str = "RFID-SIM"
    # When given, charge point n presents id_tags[(n - 1) % len(id_tags)] instead of id_tag.
    id_tags: tuple[str, ...] = ()
    password: str | None = None
    session_seconds: float = 30.0
    meter_interval: float = 5.0
    power_kw: Decimal = Decimal(11)
    ramp_seconds: float | None = None

    def tag_of(self, n: int) -> str:
        return self.id_tags[(n - 1) % len(self.id_tags)] if self.id_tags else self.id_tag

    def check(self) -> None:
        require_loopback(self.url)
        if self.version not in SUBPROTOCOL:
            raise ValueError(f"version must be one of {', '.join(SUBPROTOCOL)}")
        if not 1 <= self.count <= MAX_CHARGE_POINTS:
            raise ValueError(f"count must be 1 to {MAX_CHARGE_POINTS}")
        if not 0 < self.duration <= MAX_DURATION:
            raise ValueError(f"duration must be more than 0 and at most {MAX_DURATION:g} seconds")
        if self.meter_interval <= 0 or self.session_seconds <= 0:
            raise ValueError("session and meter intervals must be positive")


async def _one(options: Options, n: int, report: Report, stop: asyncio.Event, start_delay: float) -> None:
    identity = f"{options.prefix}{n}"
    await asyncio.sleep(start_delay)
    if stop.is_set():
        return
    try:
        async with charge_point(options.url, identity, options.version, password=options.password) as cp:
            report.connected += 1
            _timed(cp, report)
            interval = await boot(cp)
            heartbeats = asyncio.create_task(_heartbeats(cp, interval, stop))
            meter = Meter(power_w=options.power_kw * 1000)
            try:
                while not stop.is_set():
                    id_tag = cp.remote_starts.get_nowait() if not cp.remote_starts.empty() else options.tag_of(n)
                    charged = await charge(cp, id_tag, meter, seconds=options.session_seconds,
                                           meter_interval=options.meter_interval, stop=stop)
                    report.energy_wh += charged   # after the await: other charge points add to it meanwhile
                    report.sessions += 1
                    with contextlib.suppress(TimeoutError):   # a pause between sessions
                        await asyncio.wait_for(stop.wait(), options.meter_interval)
            finally:
                heartbeats.cancel()
    except Exception as error:  # noqa: BLE001  # one charge point failing must not end the others
        report.failed += 1
        log.warning("simulated charge point stopped", extra={"charge_point_id": identity, "error": repr(error)})


async def _heartbeats(cp: SimulatedChargePoint, interval: int, stop: asyncio.Event) -> None:
    payload = call16.Heartbeat() if isinstance(cp, SimulatedChargePoint16) else call201.Heartbeat()
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), max(1, interval))
        if not stop.is_set():
            await cp.call(payload)


async def simulate(options: Options, stop: asyncio.Event | None = None) -> Report:
    """Run until ``options.duration`` ends or ``stop`` is set; sessions under way are then stopped properly."""
    options.check()
    logging.getLogger("ocpp").setLevel(logging.WARNING)   # the library logs every frame at INFO
    report, stop = Report(), stop or asyncio.Event()
    ramp = options.ramp_seconds if options.ramp_seconds is not None else min(10.0, options.count / 100)
    tasks = [asyncio.create_task(_one(options, n, report, stop, ramp * n / options.count))
             for n in range(1, options.count + 1)]
    # Not wait_for: that would cancel sessions mid-way.
    everything, stopped = asyncio.ensure_future(asyncio.wait(tasks)), asyncio.create_task(stop.wait())
    await asyncio.wait([everything, stopped], timeout=options.duration, return_when=asyncio.FIRST_COMPLETED)
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    await asyncio.gather(everything, stopped)
    return report
