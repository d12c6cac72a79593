"""The one redaction function: credentials inside URLs are hidden, the host is kept. These tests
do not require Qt; tests/reliability/test_trust.py checks the same through the command line."""

from __future__ import annotations

import pytest

from desktop.core.base.redact import host_of, redact


@pytest.mark.parametrize("text, hidden", [
    ("see http://bob:pa55@host:8080/v1/x", "pa55"),
    ("GET https://h/v1beta/m?alt=sse&key=AIzaSECRET123 failed", "AIzaSECRET123"),
    ("url?api_key=k-123&token=t-456&access_token=a-789", "k-123"),
])
def test_redact_hides_credentials_in_urls_and_keeps_the_host(text, hidden):
    shown = redact(text)
    assert hidden not in shown and "[hidden]" in shown and redact(shown) == shown
    assert "host" in shown or "h/v1beta" in shown or "url?" in shown


def test_a_plain_user_name_is_kept_but_a_token_used_as_one_is_hidden():
    assert redact("postgresql://alice@db.example.com/arena") == "postgresql://alice@db.example.com/arena"
    assert redact("postgresql://alice:pw@db/arena") == "postgresql://alice:[hidden]@db/arena"
    assert "ghp_" not in redact("https://ghp_0123456789abcdefghijklmnop@github.com/x.git")


def test_host_of_never_names_the_user_info():
    assert host_of("http://alice:pw@example.com:8443/v1") == "example.com:8443"
    assert host_of("https://api.openai.com/v1") == "api.openai.com"
