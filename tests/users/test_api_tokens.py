"""API tokens a security review accepts: they expire, say when they were last used, carry a
label, are listed to their owner and admins, revocable by both; people issue their own only
where the deployment allows it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import update

from app.core.timestamps import utcnow
from app.users.models import ApiToken, Role
from tests.factories import Factory


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_an_expired_token_is_a_401_that_says_it_expired(factory: Factory) -> None:
    admin = await factory.user(Role.admin)
    actor = await factory.user(Role.interviewer)
    soon = (utcnow() + timedelta(minutes=5)).isoformat()
    issued = await factory.client.post(
        f"/users/{actor.id}/tokens", json={"label": "ci", "expires_at": soon}, headers=admin.headers
    )
    assert issued.status_code == 201
    token = issued.json()["token"]
    assert (await factory.client.get("/users/me", headers=_bearer(token))).status_code == 200
    async with factory.app.state.session_factory() as db:
        await db.exec(
            update(ApiToken)
            .where(ApiToken.id == issued.json()["id"])
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
        await db.commit()
    refused = await factory.client.get("/users/me", headers=_bearer(token))
    assert refused.status_code == 401
    assert refused.json()["code"] == "token_expired"
    assert "expired at" in refused.json()["detail"]


async def test_a_new_token_lasts_the_deployments_default_unless_told(factory: Factory) -> None:
    admin = await factory.user(Role.admin)
    actor = await factory.user(Role.interviewer)
    default = (await factory.client.post(f"/users/{actor.id}/tokens", json={}, headers=admin.headers)).json()
    lasts = datetime.fromisoformat(default["expires_at"]) - datetime.now(UTC)
    assert timedelta(days=89) < lasts <= timedelta(days=90)
    never = (
        await factory.client.post(
            f"/users/{actor.id}/tokens", json={"expires_at": None}, headers=admin.headers
        )
    ).json()
    assert never["expires_at"] is None


@pytest.mark.parametrize(
    ("expires_at", "says"),
    [
        ("2020-01-01T00:00:00Z", "must lie in the future"),
        (0, "ISO 8601"),  # Unix seconds would have been 1970: a token born expired
        ("2027-01-01T00:00:00", "timezone"),
    ],
)
async def test_a_token_cannot_be_issued_already_expired_or_with_an_unclear_end(
    factory: Factory, expires_at: object, says: str
) -> None:
    admin = await factory.user(Role.admin)
    actor = await factory.user(Role.interviewer)
    before = await factory.client.get(f"/users/{actor.id}/tokens", headers=admin.headers)
    refused = await factory.client.post(
        f"/users/{actor.id}/tokens", json={"expires_at": expires_at}, headers=admin.headers
    )
    assert refused.status_code == 422, refused.text
    assert says in refused.json()["detail"]
    listed = await factory.client.get(f"/users/{actor.id}/tokens", headers=admin.headers)
    assert listed.json() == before.json()  # the actor's own token alone


async def test_last_used_moves_when_a_token_is_used_at_most_once_a_minute(factory: Factory) -> None:
    actor = await factory.user(Role.interviewer)
    listed = (await factory.client.get("/users/me/tokens", headers=actor.headers)).json()["items"]
    first = listed[0]["last_used_at"]
    assert first is not None  # the listing itself used the token
    again = (await factory.client.get("/users/me/tokens", headers=actor.headers)).json()["items"][0]
    assert again["last_used_at"] == first  # within the minute: no write
    async with factory.app.state.session_factory() as db:
        await db.exec(update(ApiToken).values(last_used_at=utcnow() - timedelta(minutes=2)))
        await db.commit()
    later = (await factory.client.get("/users/me/tokens", headers=actor.headers)).json()["items"][0]
    assert datetime.fromisoformat(later["last_used_at"]) > datetime.fromisoformat(first) - timedelta(
        seconds=1
    )
    assert later["last_used_at"] != first


async def test_people_issue_their_own_tokens_only_where_the_deployment_allows(
    app: FastAPI, factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    actor = await factory.user(Role.interviewer)
    refused = await factory.client.post("/users/me/tokens", json={"label": "script"}, headers=actor.headers)
    assert refused.status_code == 403
    assert "self_service_tokens" in refused.json()["detail"]
    monkeypatch.setattr(app.state.settings, "self_service_tokens", True)
    issued = await factory.client.post("/users/me/tokens", json={"label": "script"}, headers=actor.headers)
    assert issued.status_code == 201
    assert issued.json()["label"] == "script"
    assert issued.json()["expires_at"] is not None
    forever = await factory.client.post("/users/me/tokens", json={"expires_at": None}, headers=actor.headers)
    assert forever.status_code == 403
    me = (await factory.client.get("/users/me", headers=_bearer(issued.json()["token"]))).json()
    assert me["id"] == actor.id


async def test_owner_and_admin_list_and_revoke_a_token_and_no_one_else_can(factory: Factory) -> None:
    admin = await factory.user(Role.admin)
    owner = await factory.user(Role.hiring_manager)
    stranger = await factory.user(Role.recruiter)
    token_id = (await factory.client.get("/users/me/tokens", headers=owner.headers)).json()["items"][0]["id"]
    assert "token_hash" not in (await factory.client.get("/users/me/tokens", headers=owner.headers)).text
    assert (
        await factory.client.delete(f"/users/me/tokens/{token_id}", headers=stranger.headers)
    ).status_code == 404
    assert (
        await factory.client.delete(f"/users/{owner.id}/tokens/{token_id}", headers=stranger.headers)
    ).status_code == 403
    listed = (await factory.client.get(f"/users/{owner.id}/tokens", headers=admin.headers)).json()
    assert [t["id"] for t in listed] == [token_id]
    revoked = await factory.client.delete(f"/users/me/tokens/{token_id}", headers=owner.headers)
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    assert (
        (await factory.client.get("/users/me", headers=owner.headers)).json()["detail"].endswith("revoked.")
    )


async def test_a_user_holds_several_roles_and_each_check_asks_for_one(factory: Factory) -> None:
    admin = await factory.user(Role.admin)
    lead = await factory.user(Role.hiring_manager)
    both = await factory.client.patch(
        f"/users/{lead.id}",
        json={"roles": ["interviewer", "hiring_manager", "interviewer"]},
        headers=admin.headers,
    )
    assert both.status_code == 200
    assert both.json()["roles"] == ["hiring_manager", "interviewer"]
    # a hiring manager reads reports; an interviewer alone could not
    assert (await factory.client.get("/reports/funnel", headers=lead.headers)).status_code == 200
    listed = await factory.client.get("/users", params={"role": "interviewer"}, headers=admin.headers)
    assert lead.id in [u["id"] for u in listed.json()["items"]]
    none = await factory.client.patch(f"/users/{lead.id}", json={"roles": []}, headers=admin.headers)
    assert none.status_code == 422
    interviewer_only = await factory.client.patch(
        f"/users/{lead.id}", json={"roles": ["interviewer"]}, headers=admin.headers
    )
    assert interviewer_only.json()["roles"] == ["interviewer"]
    assert (await factory.client.get("/reports/funnel", headers=lead.headers)).status_code == 403
