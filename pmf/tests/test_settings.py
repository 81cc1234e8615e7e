import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k3V9x-production-like-secret-with-plenty-of-entropy-Qz81mPw0aLr7TyUe",
    "ALLOWED_HOSTS": "performance.example.gov.uk",
    "CSRF_TRUSTED_ORIGINS": "https://performance.example.gov.uk",
    "SECURE_COOKIES": "true",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_HSTS_SECONDS": "31536000",
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
