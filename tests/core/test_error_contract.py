"""Every error is application/problem+json with a stable code and a useful detail."""

from __future__ import annotations

from app.users.models import Role
from tests.factories import Factory


async def test_malformed_json_is_a_422_problem(factory: Factory) -> None:
    recruiter = await factory.user(Role.recruiter)
    response = await factory.client.post(
        "/candidates", content=b"{not json", headers=recruiter.headers | {"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "/problems/validation_failed"
    assert body["status"] == 422
    assert body["instance"] == "/candidates"


async def test_unknown_routes_and_methods_are_problems(factory: Factory) -> None:
    missing = await factory.client.get("/nowhere")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert "/nowhere" in missing.json()["detail"]
    wrong_method = await factory.client.delete("/healthz")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["code"] == "method_not_allowed"


async def test_path_ids_out_of_range_are_422_not_500(factory: Factory) -> None:
    recruiter = await factory.user(Role.recruiter)
    for path in ("/requisitions/0", "/applications/-1", "/candidates/99999999999999999999"):
        response = await factory.client.get(path, headers=recruiter.headers)
        assert response.status_code == 422, path


async def test_readiness_reports_the_schema_revision(factory: Factory) -> None:
    response = await factory.client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["schema_revision"]
