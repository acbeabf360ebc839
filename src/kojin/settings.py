"""Settings from the environment (prefix ``KOJIN_``), built on demand by :func:`get_settings`."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from kojin.errors import SettingsError

ENV_PREFIX = "KOJIN_"

#: Settings that may be shown (``kojin settings``). Secrets are never in this list, and a
#: password inside ``database_url`` is masked.
PUBLIC_FIELDS = (
    "home",
    "keys_dir",
    "database_url",
    "policy_file",
    "host",
    "port",
    "workers",
    "log_level",
    "max_body_bytes",
    "max_import_bytes",
    "sqlite_synchronous",
    "checkpoint_interval",
    "housekeeping_interval",
    "public_url",
    "max_upload_bytes",
    "session_idle_minutes",
    "session_max_hours",
    "smtp_host",
    "smtp_port",
    "smtp_starttls",
    "smtp_username",
    "mail_from",
    "redis_url",
    "datamap_file",
    "worker_mode",
    "drp_business_id",
    "drp_callback_private_hosts",
    "drp_agents_file",
    "drp_callback_interval",
    "vault_keys_dir",
    "mynumber_document_holding_days",
    "mynumber_retention_file",
    "mynumber_payer_name",
    "mynumber_payer_address",
    "mynumber_payer_corporate_number",
    "mynumber_payer_phone",
    "incident_reminder_to",
    "incident_contact",
    "obligation_reminder_to",
)


class Settings(BaseSettings):
    """Runtime configuration. Nothing is read at import time."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    home: Path = Field(default=Path("var"), description="Data folder: the SQLite registry.")
    keys_dir: Path | None = Field(
        default=None,
        description="Folder for keys, outside the data folder; default `<home>-keys` beside it.",
    )
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; defaults to a SQLite file under `home`."
    )
    policy_file: Path | None = Field(
        default=None, description="Policy YAML; defaults to the embedded policy."
    )
    master_key: SecretStr | None = Field(
        default=None,
        description="Base64 key for field encryption; else the key ring in the keys folder.",
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    workers: int = Field(default=1, ge=1)
    log_level: str = "info"
    max_body_bytes: int = Field(
        default=1_048_576, ge=1024, description="Largest request body the API reads (bytes)."
    )
    max_import_bytes: int = Field(
        default=20 * 1_048_576, ge=1024, description="Largest ledger import body (bytes)."
    )
    sqlite_synchronous: Literal["FULL", "NORMAL"] = Field(
        default="FULL",
        description="SQLite durability: FULL syncs every commit; NORMAL may lose the last "
        "commits on power loss (never on a process crash).",
    )
    checkpoint_interval: float = Field(
        default=600.0,
        ge=0,
        description="Seconds between signed audit checkpoints the server writes (0: never).",
    )

    housekeeping_interval: float = Field(
        default=3600.0,
        ge=0,
        description="Seconds between the server's purges of request documents, old outbox "
        "mail and ended staff sessions (0: never; `kojin requests purge` does it on demand).",
    )
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Address people use to reach kojin's pages (links in e-mails; secure "
        "cookies when it starts with https).",
    )
    max_upload_bytes: int = Field(
        default=10 * 1_048_576,
        ge=1024,
        description="Largest identity or authority document a person may upload (bytes).",
    )
    session_idle_minutes: int = Field(
        default=30, ge=1, description="A staff session ends after this many idle minutes."
    )
    session_max_hours: int = Field(
        default=8, ge=1, description="A staff session ends this many hours after sign-in."
    )
    smtp_host: str | None = Field(
        default=None,
        description="SMTP server for e-mail; without it mail stays in the admin outbox.",
    )
    smtp_port: int = Field(default=25, ge=1, le=65535, description="SMTP port.")
    smtp_starttls: bool = Field(default=False, description="Use STARTTLS with the SMTP server.")
    smtp_username: str | None = Field(default=None, description="SMTP user name, if any.")
    smtp_password: SecretStr | None = Field(default=None, description="SMTP password, if any.")
    mail_from: str = Field(
        default="kojin@localhost", description="Sender address of the mail kojin sends."
    )
    redis_url: str | None = Field(
        default=None,
        description="Redis URL for rate limits shared by all workers; else kept in memory.",
    )
    datamap_file: Path | None = Field(
        default=None,
        description="Data map of the company's own stores (a kojin or Fides YAML file, or a "
        "folder of them); without it requests are answered from the registry alone.",
    )
    store_urls: dict[str, SecretStr] = Field(
        default_factory=dict,
        description='Database URLs of the data map\'s systems as JSON (`{"shop": "postgresql'
        "+psycopg://...\"}`); `KOJIN_STORE_<SYSTEM>_URL` sets one system's URL.",
    )
    worker_mode: Literal["inprocess", "external"] = Field(
        default="inprocess",
        description="`inprocess`: the server runs fulfilment jobs itself; `external`: they wait "
        "for `kojin worker` processes (on any machine sharing a PostgreSQL registry).",
    )
    drp_business_id: str = Field(
        default="kojin",
        description="This company's `business-id` in the Data Rights Protocol.",
    )
    drp_callback_private_hosts: bool = Field(
        default=False,
        description="Allow Data Rights Protocol status callbacks to loopback and private "
        "addresses (off: only public addresses are called).",
    )
    drp_agents_file: Path | None = Field(
        default=None,
        description="The trusted directory of Data Rights Protocol agents: a JSON list of agent "
        "documents (`id`, `name`, `verify_key`); without it no agent can register.",
    )
    drp_callback_interval: float = Field(
        default=30.0,
        ge=0,
        description="Seconds between the server's runs of Data Rights Protocol status "
        "callbacks (0: never; a worker calls `send_pending_callbacks`).",
    )

    vault_database_url: SecretStr | None = Field(
        default=None,
        description="SQLAlchemy URL of the My Number vault's own database; defaults to the "
        "registry's database (the vault's tables and migrations stay its own either way).",
    )
    vault_keys_dir: Path | None = Field(
        default=None,
        description="Folder of the My Number vault's keys, held by the vault alone; default "
        "`<keys_dir>/vault`.",
    )
    mynumber_document_holding_days: int = Field(
        default=30,
        ge=0,
        description="Days the images of identity documents shown for a My Number are kept "
        "after the check (0: not kept at all).",
    )
    mynumber_retention_file: Path | None = Field(
        default=None,
        description="YAML file of retention periods per document holding a My Number, "
        "changing the built-in statutory ones or adding kinds.",
    )
    mynumber_payer_name: str | None = Field(
        default=None,
        description="The company's name as payment records print it (支払者の氏名又は名称).",
    )
    mynumber_payer_address: str | None = Field(
        default=None,
        description="The company's address as payment records print it (支払者の住所又は所在地).",
    )
    mynumber_payer_corporate_number: str | None = Field(
        default=None,
        description="The company's 13-digit corporate number (法人番号) for payment records.",
    )
    mynumber_payer_phone: str | None = Field(
        default=None, description="The company's telephone number for payment records (optional)."
    )
    incident_reminder_to: str | None = Field(
        default=None,
        description="E-mail addresses (comma-separated) of the privacy office that receive the "
        "reminders of incident report deadlines; without them no reminder is sent.",
    )
    obligation_reminder_to: str | None = Field(
        default=None,
        description="E-mail addresses (comma-separated) that receive the reminders of obligation "
        "tasks overdue or due within 7 days; without them no reminder is sent.",
    )
    spark_master: str | None = Field(
        default=None,
        description="Spark master URL the data jobs run on with --engine spark (spark://host:7077, "
        "yarn, k8s://..., local[N]); default: local[N] with one thread per processor.",
    )
    incident_contact: str | None = Field(
        default=None,
        description="The inquiry desk named in incident notices and publications (a telephone "
        "number, an address or a page); default: the policy's inquiry contact.",
    )

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'kojin.sqlite3').as_posix()}"

    def resolved_keys_dir(self) -> Path:
        """Where keys live: `keys_dir`, or the folder ``<home>-keys`` beside the data folder."""
        if self.keys_dir is not None:
            return self.keys_dir
        return self.home.parent / f"{self.home.name}-keys"

    def resolved_vault_database_url(self) -> str:
        """The vault's database: `vault_database_url`, or the registry's."""
        if self.vault_database_url is not None:
            return self.vault_database_url.get_secret_value()
        return self.resolved_database_url()

    def resolved_vault_keys_dir(self) -> Path:
        """Where the vault's keys live: `vault_keys_dir`, or ``vault`` in the keys folder."""
        if self.vault_keys_dir is not None:
            return self.vault_keys_dir
        return self.resolved_keys_dir() / "vault"

    def public_dump(self) -> dict[str, object]:
        """The allow-listed settings as plain values; a URL's password is shown as ``***``."""
        data = self.model_dump(include=set(PUBLIC_FIELDS))
        shown = {k: str(v) if isinstance(v, Path) else v for k, v in data.items()}
        shown["database_url"] = mask_url_password(self.resolved_database_url())
        if self.redis_url is not None:
            shown["redis_url"] = mask_url_password(self.redis_url)
        shown["keys_dir"] = str(self.resolved_keys_dir())
        shown["vault_keys_dir"] = str(self.resolved_vault_keys_dir())
        return {name: shown[name] for name in PUBLIC_FIELDS}


def mask_url_password(url: str) -> str:
    """`url` with the password of its authority (if any) replaced by ``***``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    port = f":{parts.port}" if parts.port is not None else ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}{port}"))


def get_settings() -> Settings:
    """Read the settings; an invalid ``KOJIN_*`` variable is a :class:`SettingsError` naming it
    (never its value, which may be a secret)."""
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False)[0]
        name = ENV_PREFIX + ".".join(str(part) for part in first["loc"]).upper()
        more = exc.error_count() - 1
        suffix = f" (and {more} more)" if more else ""
        raise SettingsError(f"{name}: {first['msg']}{suffix}", field=name) from None
