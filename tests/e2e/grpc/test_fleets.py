"""FleetService, and DriverService's fleet fields, through the running server (SQLite and PostgreSQL): fleets,
their policies and vehicles read as over REST; an API key is required (UNAUTHENTICATED), another organization's
fleet or vehicle is NOT_FOUND, a page size out of range is INVALID_ARGUMENT naming the field."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

import grpc

from tests.e2e.grpc.test_errors import refused

_VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"


def _vin() -> str:
    """A European VIN (no check digit in its region), unique to this test."""
    return "WVW" + "".join(secrets.choice(_VIN_CHARS) for _ in range(14))


async def _fleet(operator) -> tuple[dict, dict, dict]:
    """A fleet with a policy naming every kind of limit, a vehicle of it, and a driver of it with a policy of its
    own and the vehicle assigned; as REST answers them."""
    fleet = await operator.post("/fleets", {"name": f"Acme {operator.suffix}", "policy": {
        "allowed_location_ids": [operator.location_id], "max_kwh_per_session": "30", "max_kwh_per_day": "80.5",
        "max_spend_per_month": {"amount": "250.00", "currency": "GBP"},
        "time_windows": [{"days": ["MONDAY", "FRIDAY"], "start": "22:00", "end": "06:00"}],
        "allowed_connector_types": ["IEC_62196_T2"]}})
    vehicle = await operator.post("/vehicles", {"fleet_id": fleet["id"], "vin": _vin(), "make": "Honda",
                                                "model": "e", "battery_kwh": "35.5",
                                                "connector_types": ["IEC_62196_T2"], "licence_plate": "AB12 CDE"})
    driver = await operator.post("/drivers", {"name": "Dana", "fleet_id": fleet["id"],
                                              "id_tags": [operator.id("FLEET")], "policy": {"max_kwh_per_day": "40"}})
    await operator.post(f"/drivers/{driver['id']}/vehicles", {"vehicle_id": vehicle["id"]})
    return fleet, vehicle, await operator.get(f"/drivers/{driver['id']}")


async def test_fleets_and_vehicles_read_as_over_rest(pb, channel, partner):
    fleet, vehicle, _ = await _fleet(partner.operator)
    other_fleet = await partner.operator.post("/fleets", {"name": f"Other {partner.operator.suffix}"})
    stub = pb.fleets_grpc.FleetServiceStub(channel)
    viewer = partner.key(partner.viewer_key)     # reading is a viewer's to do

    got = (await stub.GetFleet(pb.fleets.GetFleetRequest(fleet_id=fleet["id"]), metadata=viewer)).fleet
    assert (got.id, got.name, got.HasField("customer_id")) == (fleet["id"], fleet["name"], False)
    assert got.created_at.ToDatetime(tzinfo=UTC) == datetime.fromisoformat(fleet["created_at"])
    p = got.policy
    assert list(p.allowed_location_ids) == [partner.operator.location_id]
    assert (p.max_kwh_per_session, p.max_kwh_per_day) == (fleet["policy"]["max_kwh_per_session"],
                                                          fleet["policy"]["max_kwh_per_day"])
    assert (p.max_spend_per_month.amount, p.max_spend_per_month.currency) == ("250.00", "GBP")
    [window] = p.time_windows
    assert ([pb.fleets.DayOfWeek.Name(d) for d in window.days], window.start, window.end) == (
        ["DAY_OF_WEEK_MONDAY", "DAY_OF_WEEK_FRIDAY"], "22:00", "06:00")
    assert list(p.allowed_connector_types) == ["IEC_62196_T2"]
    # A fleet without a policy: every limit unset.
    bare = (await stub.GetFleet(pb.fleets.GetFleetRequest(fleet_id=other_fleet["id"]), metadata=viewer)).fleet.policy
    assert not bare.HasField("max_kwh_per_session") and not bare.HasField("max_spend_per_month")
    assert list(bare.allowed_location_ids) == list(bare.time_windows) == []

    # Listed a page at a time, in the order REST lists them; the token of either door serves the other.
    rest_ids = [f["id"] for f in (await partner.operator.get("/fleets", limit=100))["data"]]
    ids, token = [], ""
    while True:
        page = await stub.ListFleets(pb.fleets.ListFleetsRequest(page_size=1, page_token=token), metadata=viewer)
        ids += [f.id for f in page.fleets]
        token = page.next_page_token
        if not token:
            break
    assert ids == rest_ids and {fleet["id"], other_fleet["id"]} <= set(ids)

    one = (await stub.GetVehicle(pb.fleets.GetVehicleRequest(vehicle_id=vehicle["id"]), metadata=viewer)).vehicle
    assert (one.id, one.fleet_id, one.vin, one.make, one.model, one.battery_kwh, list(one.connector_types),
            one.licence_plate) == (vehicle["id"], fleet["id"], vehicle["vin"], "Honda", "e", vehicle["battery_kwh"],
                                   ["IEC_62196_T2"], "AB12 CDE")
    of_fleet = await stub.ListVehicles(pb.fleets.ListVehiclesRequest(fleet_id=fleet["id"]), metadata=viewer)
    assert [v.id for v in of_fleet.vehicles] == [vehicle["id"]] and of_fleet.next_page_token == ""
    of_other = await stub.ListVehicles(pb.fleets.ListVehiclesRequest(fleet_id=other_fleet["id"]), metadata=viewer)
    assert list(of_other.vehicles) == []
    everyone = await stub.ListVehicles(pb.fleets.ListVehiclesRequest(page_size=100), metadata=viewer)
    assert vehicle["id"] in [v.id for v in everyone.vehicles]


async def test_drivers_carry_their_fleet_policy_and_vehicle_and_list_by_fleet(pb, channel, partner):
    fleet, vehicle, driver = await _fleet(partner.operator)
    stub = pb.drivers_grpc.DriverServiceStub(channel)
    got = (await stub.GetDriver(pb.drivers.GetDriverRequest(driver_id=driver["id"]), metadata=partner.key())).driver
    assert (got.fleet_id, got.vehicle_id, got.HasField("policy")) == (fleet["id"], vehicle["id"], True)
    assert (got.policy.max_kwh_per_day, got.policy.HasField("max_kwh_per_session")) == ("40", False)
    of_fleet = await stub.ListDrivers(pb.drivers.ListDriversRequest(fleet_id=fleet["id"]), metadata=partner.key())
    assert [d.id for d in of_fleet.drivers] == [driver["id"]]
    # The vehicles it drives and drove, newest first, as REST lists them.
    second = await partner.operator.post("/vehicles", {"fleet_id": fleet["id"], "vin": _vin(), "make": "Kia",
                                                       "model": "EV6", "battery_kwh": "77.4"})
    await partner.operator.post(f"/drivers/{driver['id']}/vehicles", {"vehicle_id": second["id"]})
    history = await stub.ListDriverVehicles(pb.drivers.ListDriverVehiclesRequest(driver_id=driver["id"]),
                                            metadata=partner.key(partner.viewer_key))
    rest = (await partner.operator.get(f"/drivers/{driver['id']}/vehicles"))["data"]
    assert [(a.id, a.vehicle_id, a.HasField("ended_at")) for a in history.assignments] == [
        (r["id"], r["vehicle_id"], r["ended_at"] is not None) for r in rest]
    assert [(a.vehicle_id, a.HasField("ended_at")) for a in history.assignments] == [
        (second["id"], False), (vehicle["id"], True)]
    first_page = await stub.ListDriverVehicles(pb.drivers.ListDriverVehiclesRequest(
        driver_id=driver["id"], page_size=1), metadata=partner.key())
    rest_of_it = await stub.ListDriverVehicles(pb.drivers.ListDriverVehiclesRequest(
        driver_id=driver["id"], page_size=1, page_token=first_page.next_page_token), metadata=partner.key())
    assert [a.id for a in [*first_page.assignments, *rest_of_it.assignments]] == [a.id for a in history.assignments]
    assert rest_of_it.next_page_token == ""
    # A driver of no fleet, with no policy of its own: those fields unset.
    plain = await partner.operator.driver("Plain", "PLAIN")
    alone = (await stub.GetDriver(pb.drivers.GetDriverRequest(driver_id=plain["id"]), metadata=partner.key())).driver
    assert not (alone.HasField("policy") or alone.HasField("vehicle_id") or alone.HasField("fleet_id"))


async def test_fleet_calls_are_refused_without_a_key_and_across_organizations(pb, channel, partner, stranger):
    mine, my_vehicle, _ = await _fleet(partner.operator)
    theirs, their_vehicle, their_driver = await _fleet(stranger.operator)
    stub = pb.fleets_grpc.FleetServiceStub(channel)

    for metadata in ((), (("authorization", "Bearer ck_not-a-key"),)):
        assert (await refused(stub.ListFleets(pb.fleets.ListFleetsRequest(), metadata=metadata)))[:2] == (
            grpc.StatusCode.UNAUTHENTICATED, "UNAUTHENTICATED")
        assert (await refused(stub.GetVehicle(pb.fleets.GetVehicleRequest(vehicle_id=my_vehicle["id"]),
                                              metadata=metadata)))[0] is grpc.StatusCode.UNAUTHENTICATED

    for call in (stub.GetFleet(pb.fleets.GetFleetRequest(fleet_id=theirs["id"]), metadata=partner.key()),
                 stub.GetFleet(pb.fleets.GetFleetRequest(fleet_id="flt_01JD0000000000000000000000"),
                               metadata=partner.key()),
                 stub.GetFleet(pb.fleets.GetFleetRequest(fleet_id="not-a-fleet"), metadata=partner.key()),
                 stub.GetVehicle(pb.fleets.GetVehicleRequest(vehicle_id=their_vehicle["id"]), metadata=partner.key()),
                 stub.GetVehicle(pb.fleets.GetVehicleRequest(vehicle_id=mine["id"]), metadata=partner.key())):
        assert (await refused(call))[:2] == (grpc.StatusCode.NOT_FOUND, "NOT_FOUND")
    drivers = pb.drivers_grpc.DriverServiceStub(channel)
    assert (await refused(drivers.ListDriverVehicles(pb.drivers.ListDriverVehiclesRequest(
        driver_id=their_driver["id"]), metadata=partner.key())))[:2] == (grpc.StatusCode.NOT_FOUND, "NOT_FOUND")
    # Their fleet's vehicles do not list here; theirs are there for them.
    listed = await stub.ListVehicles(pb.fleets.ListVehiclesRequest(fleet_id=theirs["id"]), metadata=partner.key())
    assert list(listed.vehicles) == []
    assert theirs["id"] not in [f.id for f in (await stub.ListFleets(pb.fleets.ListFleetsRequest(page_size=100),
                                                                      metadata=partner.key())).fleets]
    assert (await stub.GetFleet(pb.fleets.GetFleetRequest(fleet_id=theirs["id"]),
                                metadata=stranger.key())).fleet.name == theirs["name"]


async def test_fleet_calls_refuse_bad_input_naming_the_field(pb, channel, partner):
    stub = pb.fleets_grpc.FleetServiceStub(channel)
    for call, field in ((stub.ListFleets(pb.fleets.ListFleetsRequest(page_size=101), metadata=partner.key()),
                         "page_size"),
                        (stub.ListFleets(pb.fleets.ListFleetsRequest(page_size=-1), metadata=partner.key()),
                         "page_size"),
                        (stub.ListVehicles(pb.fleets.ListVehiclesRequest(page_size=500), metadata=partner.key()),
                         "page_size"),
                        (stub.ListFleets(pb.fleets.ListFleetsRequest(page_token="garbage"), metadata=partner.key()),
                         "page_token"),
                        (stub.ListVehicles(pb.fleets.ListVehiclesRequest(fleet_id="flt_\x00"),
                                           metadata=partner.key()), "fleet_id"),
                        (stub.GetFleet(pb.fleets.GetFleetRequest(), metadata=partner.key()), "fleet_id")):
        code, reason, fields = await refused(call)
        assert (code, reason, [f for f, _ in fields]) == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_INPUT", [field])
