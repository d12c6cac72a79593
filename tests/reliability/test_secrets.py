"""Secrets: a whole session with known fake keys, then a search for them everywhere they must not be.

The session runs the real command line in process (so it shares the test's in-memory keyring):
keys stored with `keys set` (read from standard input) and in the environment, blind battles
against every provider on the loopback fake server (and the local model, so a llama.cpp worker
exists), votes, an error from each provider (some of which echo the key back, as real servers
do), both exports, `keys list` and the leaderboard. Then no key, nor its tail, may appear in any
file under SIDEBYSIDE_HOME (the database, its write-ahead log, logs, keys.json), in the exports,
in anything printed, or in the worker's command line or environment. The server's records show
each key went to its own provider only, and a compat: server got no key until one was stored
for its exact address.
"""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.core.contenders.base import CancelToken
from desktop.core.battle.engine import run_contender
from desktop.core.contenders.params import GenerationParams, Request
from desktop.core.battle.specs import make_contender
from desktop.core.store import get_battle, open_store
from tests.providers.fake_server import Reply

SECRETS = {
    "openai": "sk-test-SECRET-openai-1234567890abcdef",
    "anthropic": "sk-ant-test-SECRET-anthropic-0f1e2d3c4b5a",
    "gemini": "AIza-test-SECRET-gemini-99887766554433",
    "compat": "sk-test-SECRET-compat-a1b2c3d4e5f60718",
}
SPECS = {
    "openai": "openai:gpt-4o-mini",
    "anthropic": "anthropic:claude-sonnet-4-5",
    "gemini": "gemini:gemini-2.5-flash",
}


def needles() -> list[bytes]:
    """Each key, its distinctive tail (a truncated leak), in UTF-8 and UTF-16."""
    out = []
    for key in SECRETS.values():
        for text in (key, key[-16:]):
            out += [text.encode("utf-8"), text.encode("utf-16-le")]
    return out


def assert_no_secret(data: bytes | str, where: str) -> None:
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    for needle in needles():
        assert needle not in data, f"a key leaked into {where}"


def error_body(protocol: str, status: int, message: str) -> dict:
    if protocol == "anthropic":
        kind = {401: "authentication_error", 400: "invalid_request_error"}.get(status, "api_error")
        return {"type": "error", "error": {"type": kind, "message": message}}
    if protocol == "gemini":
        name = {401: "UNAUTHENTICATED", 400: "INVALID_ARGUMENT"}.get(status, "INTERNAL")
        return {"error": {"code": status, "message": message, "status": name}}
    return {"error": {"message": message, "type": "invalid_request_error", "code": None}}


def echoing_errors(protocol: str) -> list[Reply]:
    """Errors whose text repeats the key the server received, as some servers and proxies do."""
    key = SECRETS[protocol]
    said = f"Incorrect API key provided: {key}. Request {key} refused."
    return [
        Reply(status=401, body=error_body(protocol, 401, said)),
        Reply(status=400, body=error_body(protocol, 400, said)),
        *[Reply(status=500, body=error_body(protocol, 500, said), headers={"retry-after": "0"})
          for _ in range(3)],
    ]


class Session:
    """The CLI in process, with everything it printed kept for the search."""

    def __init__(self, capfd, monkeypatch) -> None:
        self.capfd = capfd
        self.monkeypatch = monkeypatch
        self.printed: list[str] = []

    def run(self, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
        if stdin is not None:
            self.monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = main([str(a) for a in args])
        out, err = self.capfd.readouterr()
        self.printed += [out, err]
        return code, out, err

    def ask(self, left: str, right: str, prompt: str = "Tell me something.") -> tuple[int, dict]:
        code, out, err = self.run("ask", prompt, "--blind", "--json", "--left", left,
                                  "--right", right, "--max-tokens", "16", "--n-ctx", "256")
        return code, json.loads(out)


def test_a_whole_session_leaves_no_key_anywhere(server, tiny_model, fresh_home, tmp_path, local_pool,
                                                capfd, monkeypatch, memory_keyring):
    for name, value in server.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("OPENAI_API_KEY", SECRETS["openai"])  # in the keyring too, below
    monkeypatch.setenv("GEMINI_API_KEY", SECRETS["gemini"])  # only in the environment
    monkeypatch.setenv("SIDEBYSIDE_IDLE_TIMEOUT", "10")
    server.expected_keys.update({p: SECRETS[p] for p in SPECS})
    compat = server.compat_spec("tiny-model")
    compat_base = server.base_url("compat")
    session = Session(capfd, monkeypatch)
    # Held open through the session, so the write-ahead log is still there to be searched.
    holder = open_store()

    # Keys: two through `keys set` (standard input, never an argument).
    for provider in ("openai", "anthropic"):
        code, out, _ = session.run("keys", "set", provider, stdin=SECRETS[provider] + "\n")
        assert code == 0 and "Stored" in out

    # Battles against every provider and the local model; a compat: server without a key of
    # its own gets none, even with the OpenAI key in both the keyring and the environment.
    battles = []
    pairs = [(SPECS["openai"], SPECS["anthropic"]), (SPECS["gemini"], compat),
             (f"local:{tiny_model}", SPECS["openai"])]
    for left, right in pairs:
        code, data = session.ask(left, right)
        assert code == 0, data
        battles.append(data["battle_id"])
    assert server.requests_for("compat") and all(
        r.api_key is None for r in server.requests_for("compat"))

    # Now a key stored for that exact compat: address, and it alone goes there.
    code, _, _ = session.run("keys", "set", f"compat:{compat_base}", stdin=SECRETS["compat"])
    assert code == 0
    server.expected_keys["compat"] = SECRETS["compat"]
    code, data = session.ask(compat, SPECS["gemini"])
    assert code == 0, data
    battles.append(data["battle_id"])

    for n, battle_id in enumerate(battles):
        code, _, err = session.run("vote", battle_id, "ab"[n % 2])
        assert code == 0, err

    # An error from each provider, some echoing the key: the user sees the kind, not the key.
    for protocol in ("openai", "anthropic", "gemini", "compat"):
        spec = SPECS.get(protocol, compat)
        server.script(protocol, *echoing_errors(protocol))
        for expected in ("auth", "bad_request", "server"):
            code, data = session.ask(spec, f"local:{tiny_model}")
            assert code == 1
            side = data["a"] if data["a"]["error"] else data["b"]
            assert side["error"]["kind"] == expected, side
            assert side["error"]["message"].startswith("Side ")  # blind: by seat, not by name
            if expected != "auth":  # quoted, then scrubbed, in the error kept for the reveal
                saved = get_battle(holder, data["battle_id"])
                (stored,) = [a.error.message for a in (saved.a, saved.b) if a.error]
                assert "[key hidden]" in stored
            battles.append(data["battle_id"])
            code, _, err = session.run("vote", data["battle_id"], "a")
            assert code == 1 and "cannot be voted on" in err

    # Exports, key list, leaderboard.
    exports = [tmp_path / "tallies.csv", tmp_path / "votes.csv", tmp_path / "answers.csv"]
    assert session.run("export", "tallies", exports[0])[0] == 0
    assert session.run("export", "votes", exports[1])[0] == 0
    assert session.run("export", "votes", exports[2], "--answers")[0] == 0
    code, listed, _ = session.run("keys", "list")
    assert code == 0 and "openai" in listed and "keyring" in listed and "env GEMINI_API_KEY" in listed
    assert f"compat:{compat_base}" in listed
    assert session.run("keys", "list", "--json")[0] == 0
    assert session.run("leaderboard", "--json")[0] == 0

    # A warm local worker, started while every key is in this process's environment.
    monkeypatch.setenv("ANTHROPIC_API_KEY", SECRETS["anthropic"])
    local = make_contender(f"local:{tiny_model}", local_pool=local_pool)  # the worker stays warm
    answer = run_contender(local, Request("Hi", GenerationParams(max_tokens=4, n_ctx=256)),
                           CancelToken(), lambda *a: None)
    assert answer.error is None, answer.error
    workers = [w for w in local.pool.workers() if w.alive()]
    assert workers
    try:
        # --- the search ---
        for worker in workers:
            for name in ("cmdline", "environ"):
                assert_no_secret(Path(f"/proc/{worker.pid}/{name}").read_bytes(),
                                 f"the worker's {name}")
        files = [p for p in Path(fresh_home).rglob("*") if p.is_file()]
        names = {p.name for p in files}
        assert {"sidebyside.db", "sidebyside.db-wal", "keys.json", "worker.log"} <= names, names
        for path in files:
            assert_no_secret(path.read_bytes(), str(path))
        for path in exports:
            assert path.stat().st_size > 0
            assert_no_secret(path.read_bytes(), str(path))
        for text in session.printed + list(capfd.readouterr()):
            assert_no_secret(text, "the printed output")
    finally:
        holder.close()

    # Each key went to its own provider and nowhere else.
    for request in server.requests:
        protocol = request.protocol
        assert request.api_key in (SECRETS[protocol], None), protocol
        assert request.api_key == SECRETS[protocol] or protocol == "compat"
        sent = json.dumps(request.body) + json.dumps(request.query)
        assert_no_secret(sent, f"a {protocol} request body")
        for header, value in request.headers.items():
            if header not in ("authorization", "x-api-key", "x-goog-api-key"):
                assert_no_secret(value, f"the {header} header")


@pytest.mark.parametrize("variable", ["OPENAI_API_KEY", "MY_SERVICE_TOKEN", "DB_PASSWORD",
                                      "HF_SECRET", "AWS_CREDENTIALS"])
def test_the_worker_environment_carries_no_secret_variables(variable, tiny_model, monkeypatch,
                                                            local_pool):
    monkeypatch.setenv(variable, SECRETS["openai"])
    local = make_contender(f"local:{tiny_model}", local_pool=local_pool)  # the worker stays warm
    answer = run_contender(local, Request("Hi", GenerationParams(max_tokens=2, n_ctx=256)),
                           CancelToken(), lambda *a: None)
    assert answer.error is None
    (worker,) = [w for w in local.pool.workers() if w.alive()]
    environ = Path(f"/proc/{worker.pid}/environ").read_bytes()
    assert_no_secret(environ, "the worker's environment")
    assert f"{variable}=".encode() not in environ
    assert os.environ[variable] == SECRETS["openai"]  # the app itself keeps it
