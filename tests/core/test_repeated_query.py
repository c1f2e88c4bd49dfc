"""A query parameter that takes one value, sent twice, is refused: the framework would keep only
the last, and the caller's filter would silently not be the one applied."""

from __future__ import annotations

from app.users.models import Role
from tests.factories import Factory


async def test_a_single_valued_query_parameter_sent_twice_is_a_422(factory: Factory) -> None:
    admin = await factory.user(Role.admin)
    refused = await factory.client.get(
        "/candidates?ats=greenhouse&ats=lever&external_id=1", headers=admin.headers
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["loc"] == ["query", "ats"]
    assert "more than once" in refused.json()["detail"]
    paged = await factory.client.get("/event-subscriptions?limit=5&limit=6", headers=admin.headers)
    assert paged.status_code == 422


async def test_a_list_query_parameter_repeats_as_designed(factory: Factory) -> None:
    admin = await factory.user(Role.admin)
    one = await factory.candidate(admin)
    two = await factory.candidate(admin)
    listed = await factory.client.get(f"/candidates?id={one['id']}&id={two['id']}", headers=admin.headers)
    assert listed.status_code == 200, listed.text
    assert {c["id"] for c in listed.json()["items"]} == {one["id"], two["id"]}
