"""The sandbox's secret key is random, made on first run beside its SQLite file (mode 0600) and reused
after: a token forged with a key from the source is refused. Binding beyond loopback is warned about."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import signing

from saleor_wechat_distribution.sandbox.__main__ import is_loopback
from saleor_wechat_distribution.sandbox.secret_key import (
    KEY_FILE_NAME,
    SecretKeyFileError,
    sandbox_secret_key,
)

SANDBOX = [sys.executable, "-m", "saleor_wechat_distribution.sandbox"]
TOKEN_SALT = "saleor_wechat_distribution.sandbox.token"
#: the key the sandbox's source carried until now
OLD_SOURCE_KEY = "sandbox-only-not-secret-" + "x" * 32


def run_sandbox(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "SANDBOX_SECRET_KEY"}
    }
    env["SANDBOX_DATA_DIR"] = str(data_dir)
    done = subprocess.run(
        [*SANDBOX, "--no-serve", *args], env=env, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr
    return done


def staff_token(stdout: str) -> str:
    return re.search(r"^\s+staff \(all permissions\) \[.*\]: (\S+)$", stdout, re.M).group(1)


def test_first_run_makes_a_private_random_key_and_later_runs_reuse_it(tmp_path):
    first = run_sandbox(tmp_path)
    key_file = tmp_path / KEY_FILE_NAME
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_text().strip()
    assert len(key) >= 60 and key != OLD_SOURCE_KEY
    token = staff_token(first.stdout)
    assert signing.loads(token, key=key, salt=TOKEN_SALT)["staff"] is True
    with pytest.raises(signing.BadSignature):
        signing.loads(token, key=OLD_SOURCE_KEY, salt=TOKEN_SALT)
    assert "WARNING" not in first.stderr  # loopback by default

    second = run_sandbox(tmp_path)
    assert key_file.read_text().strip() == key
    assert signing.loads(staff_token(second.stdout), key=key, salt=TOKEN_SALT)["staff"] is True


def test_a_token_forged_with_the_old_source_key_is_refused(tmp_path, client, db, settings):
    """What anyone could do before: sign a staff token with the key printed in the source."""
    settings.SECRET_KEY = sandbox_secret_key(tmp_path)
    forged = signing.dumps(
        {"uid": 1, "email": "x@example.com", "staff": True, "perms": ["MANAGE_USERS", "MANAGE_ORDERS"]},
        key=OLD_SOURCE_KEY,
        salt=TOKEN_SALT,
        compress=True,
    )
    response = client.post(
        "/graphql/",
        data='{"query": "{ distributors(first: 1) { totalCount } }"}',
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {forged}",
    )
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["exception"]["code"] == "InvalidToken"


def test_each_sandbox_has_its_own_key_and_a_loose_file_is_tightened(tmp_path, capsys):
    one, two = tmp_path / "one", tmp_path / "two"
    assert sandbox_secret_key(one) != sandbox_secret_key(two)
    (one / KEY_FILE_NAME).chmod(0o644)
    key = sandbox_secret_key(one)
    assert stat.S_IMODE((one / KEY_FILE_NAME).stat().st_mode) == 0o600
    assert "was readable by others" in capsys.readouterr().err
    assert sandbox_secret_key(one) == key
    (two / KEY_FILE_NAME).write_text("short\n")
    with pytest.raises(SecretKeyFileError):
        sandbox_secret_key(two)


def test_binding_beyond_loopback_is_warned_about_loudly(tmp_path):
    warned = run_sandbox(tmp_path, "--host", "0.0.0.0", "--port", "8111")
    assert "WARNING: the sandbox listens on 0.0.0.0:8111, so other machines can reach it." in warned.stderr
    assert str(tmp_path / KEY_FILE_NAME) in warned.stderr
    assert "staff token" in warned.stderr
    assert [is_loopback(h) for h in ("127.0.0.1", "::1", "localhost", "0.0.0.0", "::", "192.0.2.7")] == [
        True, True, True, False, False, False,
    ]  # fmt: skip
