"""Canonical JSON and HMAC-SHA256 signatures for stored attempts.

An attempt is stored as the exact bytes that were signed: ``canonical(record)`` — keys sorted,
no insignificant whitespace, UTF-8, no NaN. Verifying is then a byte-for-byte HMAC over what the
database holds, independent of how a driver round-trips JSON types.

The key comes from ``COLLECTOR_SIM_KEY`` (the secret itself) or ``COLLECTOR_SIM_KEY_FILE`` (a
file holding it, for a training centre's config management); both are stripped of surrounding
whitespace, so a trailing newline never makes another key. Without a key nothing is
certified: ``grade`` still scores, but stores and signs nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import UserError

KEY_ENV = "COLLECTOR_SIM_KEY"
KEY_FILE_ENV = "COLLECTOR_SIM_KEY_FILE"
MIN_KEY_BYTES = 16


def canonical(obj: Any) -> str:
    """The one text form of a JSON value that gets signed."""
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)


def sha256_hex(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class SigningKey:
    """A secret and a short public id for it (so a record can say which key signed it)."""

    secret: bytes

    @property
    def key_id(self) -> str:
        return hmac.new(self.secret, b"collector-sim key id", hashlib.sha256).hexdigest()[:16]

    def sign(self, text: str) -> str:
        return hmac.new(self.secret, text.encode("utf-8"), hashlib.sha256).hexdigest()

    def check(self, text: str, signature: str | None) -> bool:
        return bool(signature) and hmac.compare_digest(self.sign(text), str(signature))


def key_from_env(environ: dict[str, str] | None = None) -> SigningKey | None:
    """The signing key, or None when none is configured. A key that is set but unusable is an error."""
    env = os.environ if environ is None else environ
    raw = env.get(KEY_ENV, "")
    if raw:
        secret = raw.encode("utf-8").strip()  # stripped like the key file: "key\n" is the same key
        where = f"${KEY_ENV}"
    elif env.get(KEY_FILE_ENV):
        path = Path(env[KEY_FILE_ENV])
        try:
            secret = path.read_bytes().strip()
        except OSError as exc:
            raise UserError(f"${KEY_FILE_ENV}: cannot read {path}: {exc.strerror}") from None
        where = str(path)
    else:
        return None
    if len(secret) < MIN_KEY_BYTES:
        raise UserError(f"{where}: the signing key is {len(secret)} bytes; use at least {MIN_KEY_BYTES} "
                        "(e.g. python -c 'import secrets; print(secrets.token_hex(32))')")
    return SigningKey(secret)
