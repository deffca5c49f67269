"""Settings: one typed object, read from ``ECO263_*`` environment variables.

Nothing is read at import time; call :func:`get_settings` (cached) or build a
:class:`Settings` directly in tests.  Every field is documented in README.md
(a test checks that).
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """All run-time settings of eco263, each with its default."""

    model_config = SettingsConfigDict(env_prefix="ECO263_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///var/eco263.db",
        description="SQLAlchemy URL; SQLite file by default, postgresql+psycopg://… in production.",
    )
    data_dir: Path = Field(default=Path("var"), description="Directory for runtime files.")
    attachments_dir: Path | None = Field(
        default=None,
        description="Content-addressed evidence store; defaults to <data_dir>/attachments.",
    )
    max_upload_bytes: int = Field(
        default=20 * 1024 * 1024, description="Largest evidence file accepted, in bytes."
    )
    holidays_file: Path | None = Field(
        default=None,
        description="Extra YAML of holidays and make-up working days (the office's own edits).",
    )
    deadline_rules_file: Path | None = Field(
        default=None,
        description="The office's YAML of time limits: replaces catalogue rules by key.",
    )
    max_body_bytes: int = Field(
        default=2 * 1024 * 1024,
        description="Largest request body (API, pages, inbound), refused with 413 before it is "
        "read; the evidence uploads have max_upload_bytes instead.",
    )
    token_ttl_hours: int = Field(default=12, description="Lifetime of a login token.")
    login_max_failures: int = Field(
        default=5, description="Failed logins of one username before it is locked (429)."
    )
    login_max_failures_per_address: int = Field(
        default=30, description="Failed logins from one client address before it is locked."
    )
    login_window_seconds: int = Field(
        default=900, description="Failures older than this are forgotten, in seconds."
    )
    login_lockout_seconds: int = Field(
        default=900, description="How long a locked username or address waits, in seconds."
    )
    host: str = Field(default="127.0.0.1", description="Address the web server binds to.")
    port: int = Field(default=8263, description="Port of the web server.")
    now: str | None = Field(
        default=None,
        description="Frozen 'now' (ISO 8601) for demos and replays, e.g. 2018-05-10T09:00+08:00.",
    )
    timezone: str = Field(default="Asia/Shanghai", description="Local time zone of the office.")
    require_services: bool = Field(
        default=False,
        description="Tests: fail instead of skip when PostgreSQL or another service is missing.",
    )

    # -- supervision docking (智慧监督) and the outbox worker ------------------------------------
    supervision_url: str = Field(
        default="http://127.0.0.1:8264",
        description="Base URL of the 智慧监督 platform; clues are POSTed to <base>/clues.",
    )
    supervision_secret: SecretStr = Field(
        default=SecretStr("eco263-demo-secret"),
        description="Shared HMAC-SHA256 secret for the docking (both directions); demo value.",
    )
    supervision_previous_secret: SecretStr | None = Field(
        default=None,
        description="Secret being rotated out: still accepted inbound until the time below.",
    )
    supervision_previous_secret_until: datetime | None = Field(
        default=None,
        description="End of the rotation window (ISO 8601) for the previous secret.",
    )
    supervision_max_skew_seconds: int = Field(
        default=300, description="Largest accepted clock skew of a signed request, in seconds."
    )
    inbound_max_bytes: int = Field(
        default=1024 * 1024,
        description="Largest body of a signed docking request (eco263's inbound routes and "
        "the reference receiver), in bytes; checked before the body is read (413).",
    )
    outbox_timeout_seconds: float = Field(
        default=5.0, description="HTTP timeout of one delivery attempt, in seconds."
    )
    outbox_backoff_base_seconds: float = Field(
        default=1.0, description="First retry delay; doubles per attempt (with jitter)."
    )
    outbox_backoff_max_seconds: float = Field(
        default=60.0, description="Largest retry delay, in seconds."
    )
    outbox_horizon_hours: float = Field(
        default=72.0,
        description="After this long without success a delivery is 'dead' (retry by command).",
    )
    outbox_poll_seconds: float = Field(
        default=0.2, description="How often an idle outbox worker looks for work, in seconds."
    )
    outbox_concurrency: int = Field(
        default=8, description="Deliveries one outbox worker makes in parallel."
    )
    outbox_batch_size: int = Field(
        default=32, description="Events one outbox worker claims at a time."
    )
    smtp_host: str = Field(
        default="",
        description="SMTP server of the notification e-mails; empty = no e-mail channel.",
    )
    smtp_port: int = Field(default=25, description="Port of the SMTP server.")
    smtp_from: str = Field(
        default="eco263@localhost", description="Sender address of the notification e-mails."
    )
    smtp_username: str = Field(default="", description="SMTP login; empty = no login.")
    smtp_password: SecretStr | None = Field(default=None, description="SMTP password.")
    smtp_starttls: bool = Field(default=False, description="Upgrade the SMTP link with STARTTLS.")
    notify_webhook_url: str = Field(
        default="",
        description="Group robot (企业微信/钉钉 style) the notifications post to; empty = none.",
    )
    notify_link_base: str = Field(
        default="http://127.0.0.1:8263",
        description="Address put before page links in e-mails and robot messages.",
    )
    offline_after_minutes: int = Field(
        default=60,
        description="A monitoring point whose newest record is older than this is 离线.",
    )
    receiver_port: int = Field(
        default=8264, description="Port of the reference receiver (eco263 supervision-receiver)."
    )
    receiver_database_url: str = Field(
        default="sqlite:///var/supervision-receiver.db",
        description="The reference receiver's own store (SQLite file by default).",
    )
    receiver_eco263_url: str = Field(
        default="http://127.0.0.1:8263",
        description="Where the reference receiver sends statuses, opinions and 问责 back.",
    )

    @property
    def attachments_path(self) -> Path:
        return self.attachments_dir or self.data_dir / "attachments"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
