"""A password or key inside a server address is never shown and never saved: not in a retry
notice, an error, a refusal, a metrics line, the JSON, nor the database (its error and contender
columns). The command line runs as a real process on a fresh data folder; the address points at
a loopback port where nothing listens, so each side fails the way a wrong address does."""

from __future__ import annotations

import json

import pytest

from tests.reliability.support import cli_env, sidebyside

PASSWORD = "hunter2-s3cret"
TOKEN = "tok-9f8e7d6c5b4a"


def database_bytes(home) -> bytes:
    return b"".join(p.read_bytes() for p in home.iterdir() if p.name.startswith("sidebyside.db"))


@pytest.mark.parametrize("mode", ["live", "json"])
def test_a_password_in_openai_base_url_is_never_shown_nor_stored(mode, fresh_home):
    env = cli_env(OPENAI_BASE_URL=f"http://alice:{PASSWORD}@127.0.0.1:9/v1",
                  OPENAI_API_KEY="sk-test-url-secret")
    args = ["ask", "Say hello.", "--left", "openai:gpt-4o-mini", "--right",
            f"compat:m@http://bob:{PASSWORD}@127.0.0.1:9/v1?api_key={TOKEN}", "--max-tokens", "5"]
    run = sidebyside(*args, *(["--json"] if mode == "json" else []), env=env)
    assert run.returncode == 1
    shown = run.stdout + run.stderr
    assert "127.0.0.1:9" in shown  # the address is still named, so it can be fixed
    assert "Connection refused" in shown or "Couldn't connect" in shown
    # The user names stay (a user name is no secret, and it helps fix a wrong address); the
    # password and the key do not.
    for secret in (PASSWORD, TOKEN):
        assert secret not in shown, f"{secret} shown:\n{shown}"
        assert secret.encode() not in database_bytes(fresh_home), f"{secret} stored"
    if mode == "json":
        data = json.loads(run.stdout)
        assert data["left"]["error"]["kind"] == data["right"]["error"]["kind"] == "network"


def test_a_key_in_a_refused_address_is_hidden_in_the_refusal(fresh_home):
    run = sidebyside("ask", "Hi", "--left", f"compat:m@ftp://127.0.0.1:9/v1?token={TOKEN}",
                     "--right", "local")
    assert run.returncode == 2
    assert "needs a model and a server address" in run.stderr
    assert TOKEN not in run.stdout + run.stderr
