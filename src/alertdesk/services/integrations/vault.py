"""Encryption at rest for vendor credentials and webhook secrets (Fernet, from the secret key)."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

MAX_KEPT = 1024  # decrypted webhook secrets kept per process


class Vault:
    def __init__(self, secret_key: str) -> None:
        digest = hashlib.sha256(f"alertdesk-vault:{secret_key}".encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(digest))
        self._secrets: dict[str, str] = {}

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise ValueError("cannot decrypt: was ALERTDESK_SECRET_KEY changed?") from exc

    def webhook_secret(self, token: str) -> str:
        """`decrypt`, once per token and process: every delivery needs its integration's
        secret, a token always decrypts to the same one, and a rotated secret is a new token."""
        secret = self._secrets.get(token)
        if secret is None:
            if len(self._secrets) >= MAX_KEPT:
                self._secrets.clear()
            secret = self._secrets[token] = self.decrypt(token)
        return secret

    def encrypt_json(self, value: dict[str, Any]) -> str:
        return self.encrypt(json.dumps(value))

    def decrypt_json(self, token: str) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(self.decrypt(token))
        return value


def new_webhook_secret() -> str:
    """256 random bits, URL-safe (it may travel in a query string)."""
    return secrets.token_urlsafe(32)
