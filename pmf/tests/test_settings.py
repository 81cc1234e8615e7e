import os
import subprocess
import sys
from pathlib import Path

from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
URL_FOR_HEADERS = "/sign-in/"
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k3V9x-production-like-secret-with-plenty-of-entropy-Qz81mPw0aLr7TyUe",
    "ALLOWED_HOSTS": "performance.example.gov.uk",
    "CSRF_TRUSTED_ORIGINS": "https://performance.example.gov.uk",
    "SECURE_COOKIES": "true",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "false",
    "SECURE_HSTS_PRELOAD": "false",
    "STATICFILES_BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
    "WHITENOISE_USE_FINDERS": "false",
}


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "DATABASE_URL": "sqlite:///:memory:", **env}
    # The browser tests allow async-unsafe ORM calls in this process; production never does.
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_values():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_about_the_local_defaults():
    result = _manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr + result.stdout


def test_a_malformed_variable_stops_start_up_naming_it():
    result = _manage("check", SECURE_HSTS_SECONDS="lots")
    assert result.returncode != 0
    assert "Environment variable SECURE_HSTS_SECONDS is invalid" in result.stderr


HSTS_SETTINGS = (
    "from django.conf import settings; "
    "print(settings.SECURE_HSTS_SECONDS, settings.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
    "settings.SECURE_HSTS_PRELOAD)"
)


def test_hsts_covers_only_this_host_unless_subdomains_and_preload_are_each_set():
    alone = _manage("shell", "-c", HSTS_SETTINGS, SECURE_HSTS_SECONDS="31536000")
    assert alone.stdout.splitlines()[-1].split() == ["31536000", "False", "False"], alone.stderr
    subdomains = _manage(
        "shell",
        "-c",
        HSTS_SETTINGS,
        SECURE_HSTS_SECONDS="31536000",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="true",
    )
    assert subdomains.stdout.splitlines()[-1].split() == ["31536000", "True", "False"], (
        subdomains.stderr
    )
    both = _manage(
        "shell",
        "-c",
        HSTS_SETTINGS,
        SECURE_HSTS_SECONDS="31536000",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="true",
        SECURE_HSTS_PRELOAD="true",
    )
    assert both.stdout.splitlines()[-1].split() == ["31536000", "True", "True"], both.stderr


def test_check_deploy_reminds_about_hsts_subdomains_and_preload_until_each_is_decided():
    undecided = {
        name: value
        for name, value in PRODUCTION.items()
        if name not in ("SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD")
    }
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **undecided)
    assert result.returncode != 0
    assert "security.W005" in result.stderr + result.stdout
    assert "security.W021" in result.stderr + result.stdout


def test_the_hsts_header_names_subdomains_and_preload_only_when_set(client, db, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_SSL_REDIRECT = False
    response = client.get(URL_FOR_HEADERS, secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000"
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    response = Client().get(URL_FOR_HEADERS, secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_a_trusted_proxy_that_is_not_an_address_stops_start_up_naming_it():
    result = _manage("check", TRUSTED_PROXIES="10.0.0.5,proxy.internal")
    assert result.returncode != 0
    assert "Environment variable TRUSTED_PROXIES is invalid" in result.stderr
