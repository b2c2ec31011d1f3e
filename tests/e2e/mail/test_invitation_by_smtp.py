"""An invitation travels for real: REST → outbox → relay → SMTP server → token → REST accept."""

from __future__ import annotations

import re

import httpx

from entrypoints.config import Settings
from entrypoints.server import Server
from tests.integration.mail.smtp_server import SmtpServer


async def test_invited_person_accepts_with_the_token_from_the_email(database_url, tmp_path):
    smtp = SmtpServer().start()
    settings = Settings(host="127.0.0.1", http_port=0, database_url=database_url, smtp_host="127.0.0.1",
                        smtp_port=smtp.port, mail_poll_seconds=0.05, argon2_time_cost=1, argon2_memory_kib=1024,
                        argon2_parallelism=1, mail_dir=str(tmp_path / "mail"))
    server = Server(settings, ocpp=False, grpc=False)
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.http_port}/api/v1", timeout=20) as api:
            async def sign_in(email: str, name: str) -> dict[str, str]:
                signed = await api.post("/auth/signup", json={"email": email, "password": "correct horse",
                                                              "name": name})
                assert signed.status_code == 201, signed.text
                token = await api.post("/auth/token", json={"email": email, "password": "correct horse"})
                return {"Authorization": f"Bearer {token.json()['access_token']}"}

            admin = await sign_in("admin@voltline.example", "Ada Admin")
            org = await api.post("/organizations", headers=admin,
                                 json={"name": "Voltline", "country": "GB", "contact_email": "ops@voltline.example"})
            org_id = org.json()["id"]
            invited = await api.post(f"/organizations/{org_id}/invitations", headers=admin,
                                     json={"email": "dana@voltline.example", "role": "member"})
            assert invited.status_code == 201 and "token" not in invited.json()

            mail = await smtp.wait_for("dana@voltline.example")
            token = re.search(r"Invitation token: (\S+)", mail.get_content()).group(1)

            dana = await sign_in("dana@voltline.example", "Dana Driver")
            accepted = await api.post("/organizations/invitations/accept", headers=dana, json={"token": token})
            assert accepted.status_code == 200, accepted.text
            assert accepted.json()["role"] == "member" and accepted.json()["organization_id"] == org_id
            members = await api.get(f"/organizations/{org_id}/members", headers=admin)
            assert sorted(m["email"] for m in members.json()["data"]) == ["admin@voltline.example",
                                                                          "dana@voltline.example"]
            again = await api.post("/organizations/invitations/accept", headers=dana, json={"token": token})
            assert again.status_code == 409
            assert len([m for m in smtp.messages if m["To"] == "dana@voltline.example"]) == 1
    finally:
        await server.stop()
        smtp.stop()
