"""Settings: one typed object, read from ``ECO263_*`` environment variables.

Nothing is read at import time; call :func:`get_settings` (cached) or build a
:class:`Settings` directly in tests.  Every field is documented in README.md
(a test checks that).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
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
    default_deadline_workdays: int = Field(
        default=15, description="Deadline for a source without its own rule, in working days."
    )
    token_ttl_hours: int = Field(default=12, description="Lifetime of a login token.")
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

    @property
    def attachments_path(self) -> Path:
        return self.attachments_dir or self.data_dir / "attachments"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
