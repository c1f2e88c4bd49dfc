"""Who may do what: 401 without a valid token, 403 for a role that may not act, 404 for an object
the caller may not know exists — per object, not only per role."""

from __future__ import annotations

import hashlib

import pytest
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.users.models import ApiToken, Role
from tests.factories import Factory

PROTECTED = [
    ("GET", "/requisitions"),
    ("POST", "/requisitions"),
    ("GET", "/requisitions/1"),
    ("GET", "/candidates"),
    ("GET", "/applications/1"),
    ("POST", "/applications/1/advance"),
    ("GET", "/catalog"),
    ("GET", "/users/me"),
    ("GET", "/users"),
]


@pytest.mark.parametrize(("method", "path"), PROTECTED)
async def test_requests_without_a_token_are_401_problems(factory: Factory, method: str, path: str) -> None:
    response = await factory.client.request(method, path, json={})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["code"] == "unauthenticated"


@pytest.mark.parametrize("header", ["Bearer ipt_not-a-real-token", "Basic dXNlcjpwYXNz", "Bearer"])
async def test_invalid_credentials_are_401(factory: Factory, header: str) -> None:
    response = await factory.client.get("/users/me", headers={"Authorization": header})
    assert response.status_code == 401


async def test_tokens_are_stored_only_as_hashes(factory: Factory, session: AsyncSession) -> None:
    admin = await factory.user(Role.admin)
    stored = (await session.exec(select(ApiToken))).all()
    assert [t.token_hash for t in stored] == [hashlib.sha256(admin.token.encode()).hexdigest()]
    assert all(admin.token not in (t.token_hash, t.prefix) for t in stored)


async def test_a_revoked_token_stops_working_and_others_keep_working(factory: Factory) -> None:
    client = factory.client
    admin = await factory.user(Role.admin)
    recruiter = await factory.user(Role.recruiter)
    second = await client.post(
        f"/users/{recruiter.id}/tokens", json={"label": "laptop"}, headers=admin.headers
    )
    assert second.status_code == 201
    new_token = second.json()["token"]
    tokens = (await client.get(f"/users/{recruiter.id}/tokens", headers=admin.headers)).json()
    assert all("token" not in t for t in tokens)
    first_id = next(t["id"] for t in tokens if t["label"] != "laptop")

    revoked = await client.delete(f"/users/{recruiter.id}/tokens/{first_id}", headers=admin.headers)
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    assert (await client.get("/users/me", headers=recruiter.headers)).status_code == 401
    me = await client.get("/users/me", headers={"Authorization": f"Bearer {new_token}"})
    assert me.json()["id"] == recruiter.id


async def test_deactivating_a_user_stops_all_their_tokens(factory: Factory) -> None:
    admin = await factory.user(Role.admin)
    recruiter = await factory.user(Role.recruiter)
    response = await factory.client.patch(
        f"/users/{recruiter.id}", json={"is_active": False}, headers=admin.headers
    )
    assert response.status_code == 200
    assert (await factory.client.get("/users/me", headers=recruiter.headers)).status_code == 401


async def test_reactivating_a_user_revives_none_of_their_old_tokens(factory: Factory) -> None:
    admin = await factory.user(Role.admin)
    recruiter = await factory.user(Role.recruiter)
    second = await factory.client.post(f"/users/{recruiter.id}/tokens", json={}, headers=admin.headers)
    old_tokens = [recruiter.headers, {"Authorization": f"Bearer {second.json()['token']}"}]
    for active in (False, True):
        response = await factory.client.patch(
            f"/users/{recruiter.id}", json={"is_active": active}, headers=admin.headers
        )
        assert response.json()["is_active"] is active
    for headers in old_tokens:
        assert (await factory.client.get("/users/me", headers=headers)).status_code == 401
    listed = (await factory.client.get(f"/users/{recruiter.id}/tokens", headers=admin.headers)).json()
    assert all(token["revoked_at"] is not None for token in listed)
    fresh = await factory.client.post(f"/users/{recruiter.id}/tokens", json={}, headers=admin.headers)
    me = await factory.client.get("/users/me", headers={"Authorization": f"Bearer {fresh.json()['token']}"})
    assert me.json()["id"] == recruiter.id


@pytest.mark.parametrize("role", [Role.recruiter, Role.hiring_manager, Role.interviewer])
async def test_only_admins_manage_users(factory: Factory, role: Role) -> None:
    actor = await factory.user(role)
    body = {"email": "new@example.com", "name": "New", "roles": ["recruiter"]}
    response = await factory.client.post("/users", json=body, headers=actor.headers)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    listed = await factory.client.get("/users", headers=actor.headers)
    assert listed.status_code == (200 if role == Role.recruiter else 403)


async def test_a_recruiter_lists_interviewers_to_staff_a_panel_but_reads_or_changes_no_one(
    factory: Factory,
) -> None:
    recruiter = await factory.user(Role.recruiter)
    interviewers = [await factory.user(Role.interviewer) for _ in range(2)]
    await factory.user(Role.hiring_manager)
    listed = await factory.client.get("/users", params={"role": "interviewer"}, headers=recruiter.headers)
    assert listed.status_code == 200
    assert [u["id"] for u in listed.json()["items"]] == [i.id for i in interviewers]
    assert {tuple(u["roles"]) for u in listed.json()["items"]} == {("interviewer",)}
    one = interviewers[0].id
    for method, path, body in (
        ("GET", f"/users/{one}", None),
        ("PATCH", f"/users/{one}", {"name": "Renamed"}),
        ("GET", f"/users/{one}/tokens", None),
        ("POST", f"/users/{one}/tokens", {}),
    ):
        refused = await factory.client.request(method, path, json=body, headers=recruiter.headers)
        assert refused.status_code == 403, (method, path)


async def test_admin_creates_a_user_whose_token_works_once_shown(factory: Factory) -> None:
    admin = await factory.user(Role.admin)
    body = {"email": "Lead@Example.com", "name": "Lead", "roles": ["hiring_manager"]}
    response = await factory.client.post("/users", json=body, headers=admin.headers)
    assert response.status_code == 201
    token = response.json()["token"]["token"]
    me = await factory.client.get("/users/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["roles"] == ["hiring_manager"]
    duplicate = await factory.client.post(
        "/users", json=body | {"email": "lead@example.com"}, headers=admin.headers
    )
    assert duplicate.status_code == 409


async def test_hiring_manager_sees_only_their_own_requisitions_and_pipelines(factory: Factory) -> None:
    client = factory.client
    recruiter = await factory.user(Role.recruiter)
    mine, other = await factory.user(Role.hiring_manager), await factory.user(Role.hiring_manager)
    own = await factory.requisition(recruiter, hiring_manager=mine, title="Own")
    theirs = await factory.requisition(recruiter, hiring_manager=other, title="Theirs")
    own_app = await factory.application(recruiter, requisition_id=own["id"])
    their_app = await factory.application(recruiter, requisition_id=theirs["id"])

    listed = (await client.get("/requisitions", headers=mine.headers)).json()["items"]
    assert [r["id"] for r in listed] == [own["id"]]
    assert (await client.get(f"/requisitions/{own['id']}", headers=mine.headers)).status_code == 200
    assert (await client.get(f"/requisitions/{theirs['id']}", headers=mine.headers)).status_code == 404
    assert (
        await client.get(f"/applications/{own_app['id']}/history", headers=mine.headers)
    ).status_code == 200
    assert (await client.get(f"/applications/{their_app['id']}", headers=mine.headers)).status_code == 404
    assert (
        await client.get(f"/applications/{their_app['id']}/history", headers=mine.headers)
    ).status_code == 404
    apps = (await client.get("/applications", headers=mine.headers)).json()["items"]
    assert [a["id"] for a in apps] == [own_app["id"]]
    own_candidate = await client.get(f"/candidates/{own_app['candidate_id']}", headers=mine.headers)
    assert own_candidate.status_code == 200
    their_candidate = await client.get(f"/candidates/{their_app['candidate_id']}", headers=mine.headers)
    assert their_candidate.status_code == 404
    candidates = (await client.get("/candidates", headers=mine.headers)).json()["items"]
    assert [c["id"] for c in candidates] == [own_app["candidate_id"]]


async def test_hiring_manager_reads_but_may_not_move_or_edit(factory: Factory) -> None:
    recruiter = await factory.user(Role.recruiter)
    manager = await factory.user(Role.hiring_manager)
    requisition = await factory.requisition(recruiter, hiring_manager=manager)
    application = await factory.application(recruiter, requisition_id=requisition["id"])
    client = factory.client

    async def state() -> tuple[dict[str, object], dict[str, object], list[object]]:
        """What the manager reads, each read itself asserted."""
        app_read = await client.get(f"/applications/{application['id']}", headers=manager.headers)
        req_read = await client.get(f"/requisitions/{requisition['id']}", headers=manager.headers)
        history = await client.get(f"/applications/{application['id']}/history", headers=manager.headers)
        assert (app_read.status_code, req_read.status_code, history.status_code) == (200, 200, 200)
        return app_read.json(), req_read.json(), history.json()

    before = await state()
    assert before[0]["id"] == application["id"]
    assert before[1]["title"] == requisition["title"]
    refused_move = await factory.move(manager, application, "advance")
    assert refused_move.status_code == 403
    assert refused_move.json()["code"] == "forbidden"
    patch = await client.patch(
        f"/requisitions/{requisition['id']}", json={"title": "x"}, headers=manager.headers
    )
    assert patch.status_code == 403
    assert await state() == before  # the refusals changed nothing: same stage, version, title, history


async def test_interviewer_sees_no_requisition_application_or_candidate(factory: Factory) -> None:
    client = factory.client
    recruiter = await factory.user(Role.recruiter)
    manager = await factory.user(Role.hiring_manager)
    interviewer = await factory.user(Role.interviewer)
    requisition = await factory.requisition(recruiter, hiring_manager=manager)
    application = await factory.application(recruiter, requisition_id=requisition["id"])
    assert (
        await client.get(f"/requisitions/{requisition['id']}", headers=interviewer.headers)
    ).status_code == 404
    assert (
        await client.get(f"/applications/{application['id']}", headers=interviewer.headers)
    ).status_code == 404
    candidate = await client.get(f"/candidates/{application['candidate_id']}", headers=interviewer.headers)
    assert candidate.status_code == 404
    for path in ("/requisitions", "/applications", "/candidates"):
        assert (await client.get(path, headers=interviewer.headers)).status_code == 403
    assert (await factory.move(interviewer, application, "advance")).status_code == 403
    assert (await client.get("/catalog", headers=interviewer.headers)).status_code == 200
