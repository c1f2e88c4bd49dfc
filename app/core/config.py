"""Service settings, read once from ``INTERVIEW_PIPELINE_*`` environment variables and ``.env``."""

from __future__ import annotations

import base64
import binascii
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# The default of Settings.interviewer_weekly_cap (its comment says why 5).
INTERVIEWER_WEEKLY_CAP = 5


class Environment(StrEnum):
    development = "development"
    test = "test"
    production = "production"


def _split_csv(value: object) -> object:
    # Lists arrive from the environment as comma-separated text.
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


def _absolute_http_url(value: str, *, what: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValueError(f"{what} must be an absolute http(s) URL, e.g. https://hiring.example.com")
    if parts.query or parts.fragment:
        raise ValueError(f"{what} must have no query or fragment")
    return value


class OidcProvider(BaseModel):
    """One identity provider people sign in through (app/sign_in/): a button on the sign-in page.

    `key` names it in URLs (the redirect URI is `{public_url}/auth/callback/{key}`), in the
    sessions it starts (`via`) and in the metrics; `issuer` is where its discovery document lives.
    """

    # The input is left out of error messages: it holds the client secret.
    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    key: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$", description="e.g. google, okta")
    name: str = Field(min_length=1, max_length=60, description="The button's label, e.g. Google")
    issuer: str = Field(max_length=500)
    client_id: str = Field(min_length=1, max_length=500)
    client_secret: SecretStr = Field(min_length=1)
    scopes: str = "openid email profile"
    # The ID token claim holding the person's email (Entra without the `email` optional claim:
    # `preferred_username`, the sign-in name, which is an address in most tenants).
    email_claim: str = Field(default="email", min_length=1, max_length=100)
    # Lower-case domains (`example.com`); empty: any domain of an existing user.
    allowed_domains: list[str] = Field(default_factory=list)
    # A person with no account yet gets one at first sign-in (with `default_roles`); needs
    # `allowed_domains`, or anyone with an account at the provider (every Gmail user) would.
    create_users: bool = False
    default_roles: list[str] = Field(default_factory=lambda: ["interviewer"], min_length=1)
    # Signing out here also sends the browser to the provider's end-session endpoint, when its
    # discovery document has one. Off for a provider that wants the ID token back as
    # `id_token_hint` there (Okta): no ID token is kept here.
    sign_out_at_provider: bool = True

    @field_validator("issuer")
    @classmethod
    def _issuer(cls, value: str) -> str:
        return _absolute_http_url(value, what="issuer")

    @field_validator("scopes")
    @classmethod
    def _scopes(cls, value: str) -> str:
        if "openid" not in value.split():
            raise ValueError("scopes must include openid (e.g. 'openid email profile')")
        return " ".join(value.split())

    @field_validator("allowed_domains")
    @classmethod
    def _domains(cls, value: list[str]) -> list[str]:
        domains = [domain.strip().lower().removeprefix("@") for domain in value]
        for domain in domains:
            if not domain or "@" in domain or "." not in domain or "/" in domain:
                raise ValueError(f"allowed_domains: {domain!r} is not a domain like example.com")
        return domains

    @model_validator(mode="after")
    def _creation_needs_domains(self) -> OidcProvider:
        if self.create_users and not self.allowed_domains:
            raise ValueError(
                f"oidc provider {self.key!r}: create_users needs allowed_domains (who may get an account)"
            )
        return self


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="INTERVIEW_PIPELINE_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        # A settings error names the field and the rule, not the input (client and webhook secrets).
        hide_input_in_errors=True,
    )

    environment: Environment = Environment.development
    database_url: str = "sqlite:///./interview_pipeline.db"
    database_pool_size: int = Field(default=10, ge=1, le=200)
    log_level: str = "INFO"
    # JSON lines (one object a line) for machines; `console` for people. Default: console in
    # development, json elsewhere.
    log_format: Literal["json", "console"] | None = None
    # One access line a request (route, status, duration, request id), through the same format.
    access_log: bool = True
    # Prometheus metrics: served at /metrics on the API's port, or, with a metrics port, there
    # instead (by `python -m app serve` for all its workers, and by `python -m app worker`).
    metrics_enabled: bool = True
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    # `python -m app serve`: where and how many uvicorn workers, and which proxies may say who
    # the client is (X-Forwarded-For/Proto); "*" trusts any (only behind a proxy you control).
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=1, ge=1, le=64)
    forwarded_allow_ips: str = "127.0.0.1"
    # Production runs on PostgreSQL; SQLite there only when said on purpose.
    allow_sqlite_in_production: bool = False
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # /docs and /openapi.json; off in production unless set explicitly (openapi/openapi.json in
    # the repository stays the contract either way).
    docs_enabled: bool = True
    # The browser UI (web/, built by `make web` into web/dist): served at / when built; off, / is
    # the JSON index of links only.
    web_enabled: bool = True
    web_dist: Path = Path(__file__).resolve().parents[2] / "web" / "dist"
    # Standard Webhooks secrets (``whsec_<base64>``), several at once so one can be rotated.
    webhook_secrets: Annotated[list[str], NoDecode] = Field(default_factory=list)
    greenhouse_secrets: Annotated[list[str], NoDecode] = Field(default_factory=list)
    webhook_tolerance_seconds: int = Field(default=300, ge=1, le=3600)
    # Workers applying deliveries inside each service process (0: none, run `python -m app worker`
    # apart). One is enough for `make run`; PostgreSQL deployments may run them apart.
    webhook_workers: int = Field(default=1, ge=0, le=32)
    # A delivery that keeps failing (or waiting) is `dead` after this many attempts or this age.
    webhook_max_attempts: int = Field(default=10, ge=1, le=1000)
    webhook_max_age_seconds: int = Field(default=86_400, ge=60)
    # An idle worker looks for due retries at least this often (NOTIFY wakes it sooner).
    webhook_poll_seconds: float = Field(default=5.0, gt=0, le=300)
    # /readyz says `degraded` (still 200) when the oldest delivery not applied is older than this.
    webhook_backlog_degraded_seconds: int = Field(default=300, ge=1)
    # Every request body, on every route, is refused with 413 past this many bytes.
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024, le=64 * 1024 * 1024)
    # A rate or percentile built on fewer cases than this is flagged as a small sample.
    small_sample_threshold: int = Field(default=5, ge=1)
    # The most interviews a panelist sits on in a week (Monday to Sunday, UTC, of the interview's
    # start; cancelled ones do not count); past it, scheduling needs a reason (app/interviews/
    # load.py). A user's own cap (user_account.interviewer_weekly_cap, set by admins) overrides it.
    # 5: about one a working day, the figure recruiting teams commonly give before interviewers
    # tire and scorecards go late; an interview-heavy team raises it.
    interviewer_weekly_cap: int = Field(default=INTERVIEWER_WEEKLY_CAP, ge=1, le=100)

    # Browser sessions (app/users/sessions.py): ended after this long without a request, and
    # after this long in any case (a new sign-in then).
    session_idle_seconds: int = Field(default=8 * 3600, ge=60)
    session_absolute_seconds: int = Field(default=7 * 86_400, ge=300)
    # The development sign-in: paste an API token, get a browser session. Off in production
    # unless set (people sign in through the identity provider there).
    token_sign_in: bool = True
    # API tokens: how long a new one lasts unless its creator says (0: no expiry by default),
    # and whether people may issue their own (for scripts) or only admins may.
    api_token_days: int = Field(default=90, ge=0, le=3650)
    self_service_tokens: bool = False
    # The service's own address as browsers reach it, e.g. https://hiring.example.com: the
    # redirect URI an identity provider sends people back to is built from it (never from the
    # request's Host header, which a client chooses).
    public_url: str | None = None
    # Sign-in through identity providers (OIDC): a JSON list of OidcProvider objects.
    oidc_providers: list[OidcProvider] = Field(default_factory=list)

    # What we send (app/outbox): mail through this SMTP server, or, with no host set, to the log
    # (development: `make run` needs no mail server). `starttls` upgrades a plain connection
    # (port 587), `tls` connects over TLS (465), `none` is for a relay on loopback only.
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    mail_from: str = "interview-pipeline <no-reply@localhost>"
    # Chat messages go to Slack-compatible incoming webhooks on these hosts only (a URL a person
    # pastes is a fetch we make: anywhere else is refused), over https (http only for a
    # loopback receiver in development and tests).
    chat_webhook_hosts: Annotated[list[str], NoDecode] = Field(default_factory=lambda: ["hooks.slack.com"])
    chat_webhook_http: bool = False
    # One send (a mail, a chat post) gives up after this long; a worker's claim on a message
    # lasts longer than that (app/outbox/store.py: never two live workers on one message).
    send_timeout_seconds: float = Field(default=30.0, gt=0, le=300)
    # Outbox workers inside each service process (0: none, run `python -m app worker` apart);
    # a message failing this many times, or this old, is `dead`.
    outbox_workers: int = Field(default=1, ge=0, le=32)
    outbox_max_attempts: int = Field(default=12, ge=1, le=1000)
    outbox_max_age_seconds: int = Field(default=2 * 86_400, ge=60)
    outbox_poll_seconds: float = Field(default=2.0, gt=0, le=300)

    # Scorecard reminders (app/reminders, docs/reminders.md): the interviewer this long after the
    # interview ends, then once each working day (Monday to Friday, UTC) at that time of day, up
    # to `reminder_daily_max` times; the recruiter and hiring manager are told once, this many
    # hours after the end. A recruiter's nudge: once an hour a scorecard.
    reminder_first_after_minutes: int = Field(default=60, ge=0, le=7 * 24 * 60)
    reminder_daily_max: int = Field(default=10, ge=0, le=60)
    escalation_after_hours: int = Field(default=48, ge=1, le=60 * 24)
    nudge_every_minutes: int = Field(default=60, ge=1, le=24 * 60)
    # How often each worker process looks for reminders that fell due.
    reminder_sweep_seconds: float = Field(default=60.0, gt=0, le=3600)
    # How often each worker process folds the report cell deltas into the cells (reports fold
    # before they read too: this keeps the deltas few when no one reads).
    cell_fold_seconds: float = Field(default=5.0, gt=0, le=3600)

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        return _absolute_http_url(value, what="public_url").rstrip("/")

    # SCIM provisioning (app/scim/): the role of a person the identity provider creates without
    # naming one of ours in `roles`. Never admin by default: an admin is made on purpose.
    scim_default_role: Literal["recruiter", "hiring_manager", "interviewer"] = "interviewer"

    # Events out (app/events_out, docs/events-out.md): a failing delivery is tried again after
    # each of these waits in turn, then dead: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, the
    # Standard Webhooks schedule, 27.6 h in all ("about a day"); a receiver's Retry-After is
    # honoured up to the longest.
    event_retry_seconds: Annotated[list[float], NoDecode] = Field(
        default_factory=lambda: [5.0, 300.0, 1800.0, 7200.0, 18000.0, 36000.0, 36000.0],
        min_length=1,
        max_length=30,
    )
    # A subscription none of whose deliveries went through for this long is disabled, and the
    # admins are told by mail.
    event_disable_after_hours: float = Field(default=72.0, gt=0, le=24 * 60)
    # Subscriptions may point at loopback and private addresses (a receiver on this machine or
    # the office network): yes in development, no in production unless set (SSRF). Link-local
    # (cloud metadata), multicast and reserved addresses are refused always.
    event_private_targets: bool | None = None
    # Fernet keys (base64, 32 bytes) sealing the subscriptions' signing secrets at rest: the
    # first seals, all open (add a new key first to rotate). None in development: a built-in
    # development key; production refuses to create a subscription without one.
    event_secret_keys: Annotated[list[SecretStr], NoDecode] = Field(default_factory=list)

    @field_validator(
        "cors_origins",
        "webhook_secrets",
        "greenhouse_secrets",
        "chat_webhook_hosts",
        "event_retry_seconds",
        "event_secret_keys",
        mode="before",
    )
    @classmethod
    def _csv(cls, value: object) -> object:
        return _split_csv(value)

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG"}:
            raise ValueError("must be one of CRITICAL, ERROR, WARNING, INFO, DEBUG")
        return level

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        scheme = value.split("://", 1)[0].split("+", 1)[0]
        if "://" not in value or scheme not in {"sqlite", "postgresql", "postgres"}:
            raise ValueError("must be a sqlite:/// or postgresql:// URL")
        return value

    @field_validator("webhook_secrets")
    @classmethod
    def _webhook_secrets(cls, value: list[str]) -> list[str]:
        for secret in value:
            if not secret.startswith("whsec_"):
                raise ValueError("each secret must look like whsec_<base64>")
            try:
                if not base64.b64decode(secret.removeprefix("whsec_"), validate=True):
                    raise ValueError("a secret must not be empty")
            except binascii.Error as exc:
                raise ValueError("the part after whsec_ must be base64") from exc
        return value

    @model_validator(mode="after")
    def _production_defaults(self) -> Settings:
        production = self.environment is Environment.production
        if production and "docs_enabled" not in self.model_fields_set:
            self.docs_enabled = False
        if production and "token_sign_in" not in self.model_fields_set:
            self.token_sign_in = False
        if self.session_idle_seconds > self.session_absolute_seconds:
            raise ValueError("session_idle_seconds must not exceed session_absolute_seconds")
        if self.log_format is None:
            self.log_format = "console" if self.environment is Environment.development else "json"
        self._check_sign_in(production)
        if self.event_private_targets is None:
            self.event_private_targets = not production
        if production and self.chat_webhook_http:
            raise ValueError("chat_webhook_http: production sends chat messages over https only")
        if production and self.database_url.startswith("sqlite") and not self.allow_sqlite_in_production:
            raise ValueError(
                "database_url: production needs PostgreSQL (postgresql://...); set "
                "INTERVIEW_PIPELINE_ALLOW_SQLITE_IN_PRODUCTION=true to run on SQLite anyway"
            )
        return self

    def _check_sign_in(self, production: bool) -> None:
        keys = [provider.key for provider in self.oidc_providers]
        if len(set(keys)) != len(keys):
            raise ValueError(f"oidc_providers: each key once (got {', '.join(keys)})")
        if self.oidc_providers and self.public_url is None:
            raise ValueError(
                "public_url is needed with oidc_providers: the address browsers reach the service "
                "at, e.g. https://hiring.example.com (redirect URIs are built from it)"
            )
        if production:
            insecure = [p.key for p in self.oidc_providers if not p.issuer.startswith("https://")]
            if insecure:
                raise ValueError(f"oidc_providers: production needs https issuers ({', '.join(insecure)})")
            if self.public_url is not None and not self.public_url.startswith("https://"):
                raise ValueError("public_url: production needs https (session cookies are Secure)")

    @property
    def metrics_on_api_port(self) -> bool:
        """/metrics on the API's own port: only without a metrics port, and never in production
        (app/metrics_endpoint.py says why)."""
        return (
            self.metrics_enabled
            and self.metrics_port is None
            and self.environment is not Environment.production
        )


@lru_cache
def get_settings() -> Settings:
    return Settings()
