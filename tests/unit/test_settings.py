import pytest

from app.settings import SettingsError, load_settings


def test_development_defaults_to_sqlite_in_var_and_in_process_jobs(tmp_path):
    settings = load_settings({"MARKET_VAR_DIR": str(tmp_path)})
    assert settings.database_is_sqlite
    assert settings.sqlite_path.name == "market.sqlite3"
    assert settings.redis_url is None
    assert not settings.production


def test_a_development_key_is_generated_once_and_kept(tmp_path):
    first = load_settings({"MARKET_VAR_DIR": str(tmp_path)}).secret_key
    second = load_settings({"MARKET_VAR_DIR": str(tmp_path)}).secret_key
    assert first == second
    assert len(first) >= 32


def test_production_requires_a_secret_key(tmp_path):
    with pytest.raises(SettingsError, match="MARKET_SECRET_KEY is required"):
        load_settings({"MARKET_ENV": "production", "MARKET_VAR_DIR": str(tmp_path)})


def test_a_short_secret_key_is_refused(tmp_path):
    with pytest.raises(SettingsError, match="at least 32"):
        load_settings({"MARKET_SECRET_KEY": "short", "MARKET_VAR_DIR": str(tmp_path)})


def test_postgres_url_becomes_connection_settings(tmp_path):
    settings = load_settings(
        {"MARKET_DATABASE_URL": "postgres://market:s%40cret@db.internal:6543/market", "MARKET_VAR_DIR": str(tmp_path)}
    )
    assert not settings.database_is_sqlite
    assert settings.postgres_config == {
        "host": "db.internal", "port": 6543, "user": "market", "database": "market", "password": "s@cret",
        "server_settings": {"jit": "off"},
    }


def test_an_unknown_database_scheme_is_refused(tmp_path):
    with pytest.raises(SettingsError, match="MARKET_DATABASE_URL"):
        load_settings({"MARKET_DATABASE_URL": "mysql://x", "MARKET_VAR_DIR": str(tmp_path)})


def test_the_pool_size_of_an_app_process_defaults_to_ten_and_comes_from_the_environment(tmp_path):
    assert load_settings({"MARKET_VAR_DIR": str(tmp_path)}).db_pool_size == 10
    assert load_settings({"MARKET_VAR_DIR": str(tmp_path), "MARKET_DB_POOL_SIZE": "25"}).db_pool_size == 25


def test_the_default_tax_rate_is_a_percentage(tmp_path):
    from decimal import Decimal

    assert load_settings({"MARKET_VAR_DIR": str(tmp_path)}).default_tax_rate == Decimal("19.00")
    assert load_settings({"MARKET_VAR_DIR": str(tmp_path), "MARKET_DEFAULT_TAX_RATE": "7"}).default_tax_rate == 7
    for bad in ("-1", "100.5", "abc", "NaN", "7.12345"):
        with pytest.raises(SettingsError, match="MARKET_DEFAULT_TAX_RATE"):
            load_settings({"MARKET_VAR_DIR": str(tmp_path), "MARKET_DEFAULT_TAX_RATE": bad})
