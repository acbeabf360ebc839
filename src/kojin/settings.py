"""Settings from the environment (prefix ``KOJIN_``), built on demand by :func:`get_settings`."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

#: Settings that may be shown (``kojin settings``, logs). Secrets are never in this list.
PUBLIC_FIELDS = ("home", "database_url", "policy_file", "host", "port", "workers", "log_level")


class Settings(BaseSettings):
    """Runtime configuration. Nothing is read at import time."""

    model_config = SettingsConfigDict(env_prefix="KOJIN_", extra="ignore")

    home: Path = Field(default=Path("var"), description="Folder for the SQLite registry and keys.")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; defaults to a SQLite file under `home`."
    )
    policy_file: Path | None = Field(
        default=None, description="Policy YAML; defaults to the embedded policy."
    )
    master_key: SecretStr | None = Field(
        default=None, description="Base64 key for field encryption; else read from `home`/keys."
    )
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    log_level: str = "info"

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'kojin.sqlite3').as_posix()}"

    def public_dump(self) -> dict[str, object]:
        data = self.model_dump(include=set(PUBLIC_FIELDS))
        return {k: str(v) if isinstance(v, Path) else v for k, v in data.items()}


def get_settings() -> Settings:
    return Settings()
