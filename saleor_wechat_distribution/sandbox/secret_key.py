"""The sandbox's secret key: random, made on first run, kept beside its SQLite file, reused after.

It signs the demo access tokens (staff ones too) and, through ``sealing.py``, seals the secrets of bound
Official Accounts. A key written in the source would let anyone who can reach a sandbox forge staff
tokens. ``SANDBOX_SECRET_KEY`` (the environment) still wins when set. The file is created with mode 0600
in one atomic step (a temporary file linked into place), so two processes starting together agree on
one key; a file readable by others is tightened to 0600, with a warning.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sys
import tempfile
from pathlib import Path

KEY_FILE_NAME = "wechat-distribution-sandbox.secret-key"
MIN_LENGTH = 32


class SecretKeyFileError(RuntimeError):
    """The key file exists but holds no usable key."""


def key_file(data_dir: Path) -> Path:
    return data_dir / KEY_FILE_NAME


def sandbox_secret_key(data_dir: Path, *, database: Path | None = None) -> str:
    """The key in ``data_dir``'s key file, created first if there is none. ``database``: the SQLite file,
    if it already exists a new key means secrets sealed before cannot be opened any more (said once)."""
    path = key_file(data_dir)
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        _create(path)
        if database is not None and database.exists():
            _warn(
                f"a new secret key was made ({path}) for an existing sandbox database: demo tokens printed "
                "before are invalid now, and Official Account secrets bound before must be bound again."
            )
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        os.chmod(path, 0o600)
        _warn(f"{path} was readable by others (mode {mode:o}); it is 0600 now.")
    key = path.read_text(encoding="utf-8").strip()
    if len(key) < MIN_LENGTH:
        raise SecretKeyFileError(
            f"{path} holds no usable secret key (at least {MIN_LENGTH} characters); delete it to make a "
            "new one."
        )
    return key


def _create(path: Path) -> None:
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secret-key-")  # mode 0600
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_urlsafe(48) + "\n")
        with contextlib.suppress(FileExistsError):  # another process made one meanwhile: theirs is kept
            os.link(temporary, path)
    finally:
        os.unlink(temporary)


def _warn(text: str) -> None:
    print(f"WARNING: {text}", file=sys.stderr)
