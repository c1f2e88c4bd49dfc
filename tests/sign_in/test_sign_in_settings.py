"""The identity providers' settings: a mistake is a clear error at start, naming the rule."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from app.core.config import Settings
from app.sign_in import protocol
from app.sign_in.providers import Directory

GOOGLE: dict[str, Any] = {
    "key": "google",
    "name": "Google",
    "issuer": "https://accounts.google.com",
    "client_id": "1234.apps.googleusercontent.com",
    "client_secret": "GOCSPX-secret-of-the-test",
}


def test_providers_are_read_from_the_environment_as_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTERVIEW_PIPELINE_PUBLIC_URL", "https://hiring.example.com/")
    monkeypatch.setenv(
        "INTERVIEW_PIPELINE_OIDC_PROVIDERS",
        '[{"key": "google", "name": "Google", "issuer": "https://accounts.google.com", '
        '"client_id": "id", "client_secret": "s", "allowed_domains": ["@Example.com"]}]',
    )

    settings = Settings(_env_file=None)

    assert settings.public_url == "https://hiring.example.com"
    (google,) = settings.oidc_providers
    assert google.allowed_domains == ["example.com"]
    assert google.scopes == "openid email profile"
    assert google.email_claim == "email"
    assert google.default_roles == ["interviewer"]
    assert google.create_users is False
    redirect = next(iter(Directory(settings))).redirect_uri
    assert redirect == "https://hiring.example.com/auth/callback/google"


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        pytest.param({"oidc_providers": [GOOGLE]}, "public_url is needed", id="no_public_url"),
        pytest.param({"public_url": "hiring.example.com"}, "absolute http(s) URL", id="relative_public_url"),
        pytest.param(
            {"public_url": "https://h.example.com", "oidc_providers": [GOOGLE, GOOGLE]},
            "each key once",
            id="a_key_twice",
        ),
        pytest.param(
            {"public_url": "https://h.example.com", "oidc_providers": [GOOGLE | {"scopes": "email"}]},
            "must include openid",
            id="no_openid_scope",
        ),
        pytest.param(
            {"public_url": "https://h.example.com", "oidc_providers": [GOOGLE | {"create_users": True}]},
            "create_users needs allowed_domains",
            id="creating_users_of_any_domain",
        ),
        pytest.param(
            {"public_url": "https://h.example.com", "oidc_providers": [GOOGLE | {"key": "Google SSO"}]},
            "should match pattern",
            id="a_key_unfit_for_a_url",
        ),
        pytest.param(
            {
                "environment": "production",
                "database_url": "postgresql://db/x",
                "public_url": "http://h.example.com",
                "oidc_providers": [GOOGLE],
            },
            "production needs https",
            id="plain_http_in_production",
        ),
    ],
)
def test_a_mistake_in_the_settings_is_a_clear_error(settings: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError) as raised:
        Settings(_env_file=None, **settings)

    assert message in str(raised.value)
    assert GOOGLE["client_secret"] not in str(raised.value)


def test_an_unknown_default_role_is_an_error_at_start() -> None:
    settings = Settings(
        _env_file=None,
        public_url="https://h.example.com",
        oidc_providers=[GOOGLE | {"default_roles": ["interviewer", "boss"]}],
    )

    with pytest.raises(ValueError, match=r"default_roles .*'boss'.*roles: admin"):
        Directory(settings)


async def test_signing_out_at_the_provider_can_be_turned_off() -> None:
    """For a provider that wants an id_token_hint at its end-session endpoint (Okta)."""
    settings = Settings(
        _env_file=None,
        public_url="https://h.example.com",
        oidc_providers=[GOOGLE | {"sign_out_at_provider": False}],
    )

    assert await protocol.logout_url(next(iter(Directory(settings)))) is None
