"""Settings read from the environment, once, into one frozen object."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(RuntimeError):
    """The environment describes a configuration the app cannot run with."""


@dataclass(frozen=True)
class Settings:
    env: str
    database_url: str
    redis_url: str | None
    secret_key: str
    smtp_url: str | None
    var_dir: Path
    mail_from: str
    sweep_interval_seconds: float
    worker_threads: int
    base_url: str
    db_pool_size: int
    # Vendor feed files come from outside: what one import may hold, unpack to and take (app/vendors/feed.py).
    feed_max_unpacked_mb: int
    feed_max_entry_mb: int
    feed_max_ratio: int
    feed_max_entries: int
    feed_max_rows: int
    feed_max_row_kb: int
    feed_time_limit_seconds: int
    # The tax rate (percent) of a cart line until listings carry their own rate (app/orders/cart.py).
    default_tax_rate: Decimal = Decimal("19.00")
    # An order waiting for approval is reminded after this many days and expires after this many (app/spending).
    approval_reminder_days: int = 2
    approval_expiry_days: int = 14
    # A buyer with an invoice overdue by more than this many days orders nothing on account until it pays (#14).
    overdue_block_days: int = 14

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def database_is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite:")

    @property
    def sqlite_path(self) -> Path:
        """The SQLite file of a `sqlite:///relative` or `sqlite:////absolute` URL."""
        raw = unquote(self.database_url.removeprefix("sqlite:///"))
        path = Path(raw)
        return path if path.is_absolute() else PROJECT_ROOT / path

    @property
    def postgres_config(self) -> dict[str, object]:
        parts = urlsplit(self.database_url)
        config: dict[str, object] = {
            "host": parts.hostname or "127.0.0.1",
            "port": parts.port or 5432,
            "user": unquote(parts.username or "postgres"),
            "database": unquote(parts.path.lstrip("/")) or "postgres",
            # The app runs short queries: compiling one with LLVM costs more than running it (a
            # price-sorted catalog search spent up to a second in JIT on a 100,000-product catalog).
            "server_settings": {"jit": "off"},
        }
        if parts.password:
            config["password"] = unquote(parts.password)
        return config

    @property
    def mail_dir(self) -> Path:
        return self.var_dir / "mail"


def _development_secret(var_dir: Path) -> str:
    """A per-checkout key, made once, so sessions survive restarts in development."""
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def load_settings(environ: os._Environ[str] | dict[str, str] = os.environ) -> Settings:
    env = environ.get("MARKET_ENV", "development").strip() or "development"
    if env not in {"development", "test", "production"}:
        raise SettingsError(f"MARKET_ENV must be development, test or production, not {env!r}")
    var_dir = Path(environ.get("MARKET_VAR_DIR", str(PROJECT_ROOT / "var")))
    database_url = environ.get("MARKET_DATABASE_URL", "").strip() or "sqlite:///var/market.sqlite3"
    if not database_url.startswith(("sqlite:///", "postgres://", "postgresql://")):
        raise SettingsError("MARKET_DATABASE_URL must start with sqlite:/// or postgres://")
    secret_key = environ.get("MARKET_SECRET_KEY", "").strip()
    if not secret_key:
        if env == "production":
            raise SettingsError("MARKET_SECRET_KEY is required when MARKET_ENV=production")
        secret_key = _development_secret(var_dir)
    if len(secret_key) < 32:
        raise SettingsError("MARKET_SECRET_KEY must be at least 32 characters long")
    return Settings(
        env=env,
        database_url=database_url,
        redis_url=environ.get("MARKET_REDIS_URL", "").strip() or None,
        secret_key=secret_key,
        smtp_url=environ.get("MARKET_SMTP_URL", "").strip() or None,
        var_dir=var_dir,
        mail_from=environ.get("MARKET_MAIL_FROM", "Marketplace <no-reply@market.localhost>"),
        sweep_interval_seconds=float(environ.get("MARKET_SWEEP_INTERVAL", "60")),
        worker_threads=int(environ.get("MARKET_WORKER_THREADS", "2")),
        base_url=environ.get("MARKET_BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
        db_pool_size=int(environ.get("MARKET_DB_POOL_SIZE", "10")),
        feed_max_unpacked_mb=_positive(environ, "MARKET_FEED_MAX_UNPACKED_MB", 256),
        feed_max_entry_mb=_positive(environ, "MARKET_FEED_MAX_ENTRY_MB", 128),
        feed_max_ratio=_positive(environ, "MARKET_FEED_MAX_RATIO", 100),
        feed_max_entries=_positive(environ, "MARKET_FEED_MAX_ENTRIES", 500),
        feed_max_rows=_positive(environ, "MARKET_FEED_MAX_ROWS", 200_000),
        feed_max_row_kb=_positive(environ, "MARKET_FEED_MAX_ROW_KB", 1024),
        feed_time_limit_seconds=_positive(environ, "MARKET_FEED_TIME_LIMIT", 600),
        default_tax_rate=_percent(environ, "MARKET_DEFAULT_TAX_RATE", "19.00"),
        approval_reminder_days=_positive(environ, "MARKET_APPROVAL_REMINDER_DAYS", 2),
        approval_expiry_days=_positive(environ, "MARKET_APPROVAL_EXPIRY_DAYS", 14),
        overdue_block_days=_positive(environ, "MARKET_OVERDUE_BLOCK_DAYS", 14),
    )


def _positive(environ: os._Environ[str] | dict[str, str], name: str, default: int) -> int:
    raw = environ.get(name, "").strip()
    try:
        value = int(raw) if raw else default
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None
    if value < 1:
        raise SettingsError(f"{name} must be at least 1, not {value}")
    return value


def _percent(environ: os._Environ[str] | dict[str, str], name: str, default: str) -> Decimal:
    raw = environ.get(name, "").strip() or default
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise SettingsError(f"{name} must be a percentage such as 19.00, not {raw!r}") from None
    if not value.is_finite() or not 0 <= value <= 100 or value != value.quantize(Decimal("0.0001")):
        raise SettingsError(f"{name} must be a percentage from 0 to 100 with at most 4 decimals, not {raw!r}")
    return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
