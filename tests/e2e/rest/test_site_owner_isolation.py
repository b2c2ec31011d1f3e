"""Site owners' isolation through the real server (SQLite and PostgreSQL).

- A site-owner token (``cso_…``) opens no operator and no driver-portal endpoint: every one of the app's routes
  that is not the site owner's own answers 401/403 to it (taken from the route table, so a new route is covered),
  with real ids of the owner's own organization in the path; and no operator credential or portal token acts as a
  site owner.
- A site owner reaches only their own projects and statements: another owner's — of the same organization or of
  another — are 404.
- Another organization never sees a site owner, a project or a statement, nor may it use them (404, or 422 naming
  the field when one is named in a body). (Fleets, vehicles and drivers across organizations: test_fleets.py and
  test_tenancy.py; the portal's: test_portal_isolation.py.)
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.ids import new_id
from entrypoints.rest.inputs import PATH_IDS
from entrypoints.rest.routes import ENDPOINTS
from tests.e2e.rest.billing import price_charge_point
from tests.e2e.rest.network import Network, build_network, fresh

LAST_YEAR = f"{datetime.now(UTC).year - 1}-06"


async def _owner(api, net: Network, name: str) -> dict[str, str]:
    """An invited site owner who accepted, with a project on the network's location when ``name`` is "Parkhaus"."""
    email = f"{fresh(name).lower()}-{net.org_id[-6:].lower()}@example.com"
    invited = await api.post("/site-owners/invitations", net.tokens["admin"], headers=net.headers,
                             json={"email": email, "name": name})
    assert invited.status_code == 201, invited.text
    accepted = await api.post(f"/site-owner/accept-invitation/{await api.invitation_token(email)}")
    assert accepted.status_code == 200, accepted.text
    locations = [net.location_id] if name == "Parkhaus" else []
    project = await api.post("/projects", net.tokens["admin"], headers=net.headers, json={
        "site_owner_id": invited.json()["id"], "name": f"{name} project", "location_ids": locations,
        "revenue_share_percent": "10", "share_basis": "net_revenue"})
    assert project.status_code == 201, project.text
    issued = await api.post(f"/projects/{project.json()['id']}/statements", net.tokens["admin"], headers=net.headers,
                            json={"period": LAST_YEAR})
    assert issued.status_code == 201, issued.text
    return {"id": invited.json()["id"], "token": accepted.json()["token"], "project": project.json()["id"],
            "statement": issued.json()["id"], "name": name}


async def _portal_token(api, net: Network) -> str:
    issued = await api.post(f"/drivers/{net.driver_id}/portal-tokens", net.tokens["admin"], headers=net.headers)
    assert issued.status_code == 201, issued.text
    return str(issued.json()["token"])


async def test_a_site_owner_token_opens_no_operator_or_portal_endpoint(api, network, sessions):
    await price_charge_point(api, network.tokens["admin"], network.org_id, network.charge_point_id)
    session_id, tx = await sessions.start(network.charge_point_id, network.id_tag, meter_wh=0,
                                          at=datetime.now(UTC) - timedelta(hours=2))
    await sessions.stop(network.charge_point_id, tx, meter_wh=4000, at=datetime.now(UTC) - timedelta(hours=1))
    owner = await _owner(api, network, "Parkhaus")
    token = owner["token"]
    assert (await api.get("/site-owner/profile", token)).status_code == 200       # the token works where it may

    # Real ids of the owner's own organization where the network has them; made-up ids for the rest.
    real = {"org_id": network.org_id, "location_id": network.location_id, "charge_point_id": network.cp,
            "driver_id": network.driver_id, "session_id": session_id, "site_owner_id": owner["id"],
            "project_id": owner["project"], "token": "csi_" + "a" * 40}
    ids = {name: real.get(name) or (f"{prefix}_{new_id('x')[2:]}" if prefix else "CP-1")
           for name, (prefix, _) in PATH_IDS.items()} | {"token": real["token"]}
    refused = []
    for endpoint in ENDPOINTS:
        if endpoint.public or endpoint.site_owner:
            continue
        path = endpoint.path.removeprefix("/api/v1").format(**ids)
        response = await api.request(endpoint.method, path, token, headers=network.headers, json={})
        assert response.status_code in (401, 403), (endpoint.method, path, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert "Parkhaus" not in response.text and owner["id"] not in response.text
        refused.append(endpoint)
    assert any(e.portal for e in refused) and any(e.tenant for e in refused)
    assert len(refused) == len([e for e in ENDPOINTS if not (e.public or e.site_owner)])

    # No operator credential, and no driver's portal token, acts as a site owner.
    portal = await _portal_token(api, network)
    mine = [e for e in ENDPOINTS if e.site_owner]
    assert len(mine) >= 9
    for endpoint in mine:
        path = endpoint.path.removeprefix("/api/v1").format(**ids)
        for credential in (network.tokens["admin"], network.keys["admin"], portal):
            response = await api.request(endpoint.method, path, credential, headers=network.headers, json={})
            assert response.status_code in (401, 403), (endpoint.method, path, credential[:4], response.text)
    # The site owner's token still works: nothing above was refused merely because it had broken.
    statements = await api.get(f"/site-owner/projects/{owner['project']}/statements", token)
    assert statements.status_code == 200 and [s["id"] for s in statements.json()["data"]] == [owner["statement"]]


async def test_a_site_owner_reaches_only_their_own_projects_and_statements(api, network):
    parkhaus = await _owner(api, network, "Parkhaus")
    neighbour = await _owner(api, network, "Neighbour")
    elsewhere = await build_network(api, "Elsewhere")
    stranger = await _owner(api, elsewhere, "Stranger")
    for me, others in ((parkhaus, (neighbour, stranger)), (neighbour, (parkhaus, stranger)),
                       (stranger, (parkhaus, neighbour))):
        listed = await api.get("/site-owner/projects", me["token"])
        assert [p["id"] for p in listed.json()["data"]] == [me["project"]]
        for theirs in others:
            for params in ({}, {"period": LAST_YEAR}, {"period": "2001-01"}):
                response = await api.get(f"/site-owner/projects/{theirs['project']}/statements", me["token"],
                                         params=params)
                assert response.status_code == 404, (me["name"], theirs["name"], params, response.text)
                assert theirs["name"] not in response.text and theirs["statement"] not in response.text
        profile = await api.get("/site-owner/profile", me["token"], headers={"X-Organization-Id": elsewhere.org_id})
        assert profile.json()["id"] == me["id"]                     # an organization header changes nothing
        own = await api.get(f"/site-owner/projects/{me['project']}/statements", me["token"])
        assert [s["id"] for s in own.json()["data"]] == [me["statement"]]


async def test_another_organization_never_sees_site_owners_projects_or_statements(api, network):
    parkhaus = await _owner(api, network, "Parkhaus")
    stranger = await build_network(api, "Stranger")
    project, owner_id = parkhaus["project"], parkhaus["id"]
    body = {"site_owner_id": owner_id, "name": "Mine now", "location_ids": [], "revenue_share_percent": "90",
            "share_basis": "net_revenue"}
    for token in (stranger.keys["admin"], stranger.tokens["admin"]):
        headers = stranger.headers if token.startswith("cat_") else {}
        calls = [("GET", f"/site-owners/{owner_id}", None), ("GET", f"/projects/{project}", None),
                 ("PUT", f"/projects/{project}", body), ("GET", f"/projects/{project}/statements", None),
                 ("POST", f"/projects/{project}/statements", {"period": LAST_YEAR})]
        for method, path, sent in calls:
            response = await api.request(method, path, token, json=sent, headers=headers)
            assert response.status_code == 404, (method, path, response.text)
            assert response.json()["code"] == "not_found" and "Parkhaus" not in response.text
        got = await api.get(f"/projects/{project}/statements", token, params={"period": LAST_YEAR}, headers=headers)
        assert got.status_code == 404 and parkhaus["statement"] not in got.text
        for path, params in (("/site-owners", {}), ("/projects", {}), ("/projects", {"site_owner_id": owner_id})):
            listed = await api.get(path, token, params=params, headers=headers)
            assert listed.status_code == 200, listed.text
            assert not {owner_id, project} & {x["id"] for x in listed.json()["data"]}, (path, params, listed.text)
            assert "Parkhaus" not in listed.text
        assert (await api.get("/projects", token, params={"site_owner_id": owner_id}, headers=headers)
                ).json()["data"] == []
        # Their site owner and their location cannot be named in a project of mine: 422, naming the field.
        theirs = await api.post("/projects", token, headers=headers, json=body)
        assert theirs.status_code == 422 and theirs.json()["errors"][0]["field"] == "site_owner_id", theirs.text
        mine_owner = await api.post("/site-owners/invitations", token, headers=headers,
                                    json={"email": f"{fresh('own').lower()}@example.com", "name": "Own"})
        their_location = await api.post("/projects", token, headers=headers, json=body | {
            "site_owner_id": mine_owner.json()["id"], "location_ids": [network.location_id]})
        assert their_location.status_code == 422, their_location.text
        assert their_location.json()["errors"][0]["field"] == "location_ids[0]"
    # Nothing of theirs changed: the project's terms, its location and its one statement.
    kept = await api.get(f"/projects/{project}", network.keys["viewer"])
    assert (kept.json()["name"], kept.json()["revenue_share_percent"]) == ("Parkhaus project", "10")
    assert kept.json()["location_ids"] == [network.location_id]
    location = await api.get(f"/locations/{network.location_id}", network.keys["viewer"])
    assert (location.json()["site_owner_id"], location.json()["project_id"]) == (owner_id, project)
    statements = await api.get(f"/projects/{project}/statements", network.keys["viewer"])
    assert [s["id"] for s in statements.json()["data"]] == [parkhaus["statement"]]
