"""The vault: what it encrypts comes back; webhook secrets are decrypted once per token."""

from __future__ import annotations

import pytest

from alertdesk.services.integrations import vault as vault_module
from alertdesk.services.integrations.vault import Vault, new_webhook_secret


@pytest.mark.parametrize("plaintext", ["", "s3cret", "ünïcode ✓", "x" * 10_000])
def test_what_is_encrypted_decrypts_to_the_same(plaintext: str) -> None:
    vault = Vault("k" * 48)
    token = vault.encrypt(plaintext)
    assert token != plaintext
    assert vault.decrypt(token) == vault.webhook_secret(token) == plaintext


def test_a_webhook_secret_is_decrypted_once_per_token_and_a_rotated_one_is_new() -> None:
    vault = Vault("k" * 48)
    first, rotated = vault.encrypt("old"), vault.encrypt("new")
    assert vault.webhook_secret(first) == "old"
    assert vault.webhook_secret(first) is vault.webhook_secret(first)  # kept, not decrypted again
    assert vault.webhook_secret(rotated) == "new"


def test_the_kept_secrets_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vault_module, "MAX_KEPT", 3)
    vault = Vault("k" * 48)
    tokens = [vault.encrypt(new_webhook_secret()) for _ in range(7)]
    for token in tokens:
        vault.webhook_secret(token)
        assert len(vault._secrets) <= 3


@pytest.mark.parametrize("token", ["", "not-a-token", Vault("other" * 10).encrypt("x")])
def test_a_token_of_another_key_or_none_is_refused_and_not_kept(token: str) -> None:
    vault = Vault("k" * 48)
    with pytest.raises(ValueError, match="ALERTDESK_SECRET_KEY"):
        vault.webhook_secret(token)
    assert vault._secrets == {}
