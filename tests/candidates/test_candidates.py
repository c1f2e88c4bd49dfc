"""Candidates: unique email in any case, sources from the catalog, ATS ids unique per ATS."""

from __future__ import annotations

import pytest

from app.users.models import Role
from tests.factories import Actor, Factory


@pytest.fixture
async def recruiter(factory: Factory) -> Actor:
    return await factory.user(Role.recruiter)


async def test_email_is_unique_whatever_its_case(factory: Factory, recruiter: Actor) -> None:
    first = await factory.candidate(recruiter, email="Ada@Example.com")
    response = await factory.client.post(
        "/candidates",
        json={"name": "Ada again", "email": "ada@EXAMPLE.com", "source": "university"},
        headers=recruiter.headers,
    )
    assert response.status_code == 409
    assert response.json()["code"] == "already_exists"
    assert response.json()["existing_id"] == first["id"]
    found = (
        await factory.client.get(
            "/candidates", params={"email": "ADA@example.com"}, headers=recruiter.headers
        )
    ).json()
    assert [c["id"] for c in found["items"]] == [first["id"]]


@pytest.mark.parametrize(
    ("given", "source", "detail"),
    [
        ("acqui_hire", "acqui_hire", None),
        ("Acqui-hires", "acqui_hire", None),
        ("  bootcamps ", "bootcamp", None),
        ("LinkedIn (Prospecting)", "other", "LinkedIn (Prospecting)"),
    ],
)
async def test_sources_resolve_to_the_catalog_or_other_keeping_the_text(
    factory: Factory, recruiter: Actor, given: str, source: str, detail: str | None
) -> None:
    candidate = await factory.candidate(recruiter, source=given)
    assert (candidate["source"], candidate["source_detail"]) == (source, detail)


async def test_external_ids_are_unique_per_ats(factory: Factory, recruiter: Actor) -> None:
    ids = [{"ats": "greenhouse", "external_id": "60304594"}]
    first = await factory.candidate(recruiter, external_ids=ids)
    assert first["external_ids"] == ids
    clash = await factory.client.post(
        "/candidates",
        json={"name": "B", "email": "b@example.com", "source": "university", "external_ids": ids},
        headers=recruiter.headers,
    )
    assert clash.status_code == 409
    other_ats = await factory.candidate(recruiter, external_ids=[{"ats": "ashby", "external_id": "60304594"}])
    assert other_ats["external_ids"][0]["ats"] == "ashby"


async def test_update_keeps_email_unique_and_resolves_the_source(factory: Factory, recruiter: Actor) -> None:
    one = await factory.candidate(recruiter)
    two = await factory.candidate(recruiter)
    url = f"/candidates/{two['id']}"
    clash = await factory.client.patch(url, json={"email": one["email"].upper()}, headers=recruiter.headers)
    assert clash.status_code == 409
    moved = await factory.client.patch(url, json={"source": "University"}, headers=recruiter.headers)
    assert moved.json()["source"] == "university"


@pytest.mark.parametrize(
    "body",
    [
        {"name": "", "email": "x@example.com", "source": "university"},
        {"name": "X", "email": "not-an-email", "source": "university"},
        {"name": "X", "email": "x@example.com"},
        {"name": "X", "email": "x@example.com", "source": "university", "external_ids": [{"ats": "gh"}]},
    ],
)
async def test_invalid_candidates_are_422_with_field_errors(
    factory: Factory, recruiter: Actor, body: dict[str, object]
) -> None:
    response = await factory.client.post("/candidates", json=body, headers=recruiter.headers)
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "validation_failed"
    assert problem["errors"]
    assert problem["errors"][0]["loc"][0] == "body"


async def test_candidates_are_listed_by_ids_in_one_call_within_what_the_caller_sees(
    factory: Factory, recruiter: Actor
) -> None:
    made = [await factory.candidate(recruiter) for _ in range(4)]
    wanted = [made[3]["id"], made[1]["id"]]
    listed = await factory.client.get("/candidates", params={"id": wanted}, headers=recruiter.headers)
    assert listed.status_code == 200
    assert [c["id"] for c in listed.json()["items"]] == sorted(wanted)
    # A hiring manager asking for ids outside their requisitions gets none of them.
    manager = await factory.user(Role.hiring_manager)
    scoped = await factory.client.get("/candidates", params={"id": wanted}, headers=manager.headers)
    assert scoped.json()["items"] == []
    too_many = await factory.client.get(
        "/candidates", params={"id": list(range(1, 202))}, headers=recruiter.headers
    )
    assert too_many.status_code == 422
    assert (
        await factory.client.get("/candidates", params={"id": "0"}, headers=recruiter.headers)
    ).status_code == 422
