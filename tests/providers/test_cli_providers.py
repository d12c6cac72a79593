"""`sidebyside ask` with remote contenders on the fake server: the output a user relies on."""

from __future__ import annotations

import json

import pytest

from desktop.cli import main

from .fake_server import Reply
from .helpers import KEYS, assert_no_key

SPECS = {
    "openai": "openai:gpt-4o-mini",
    "anthropic": "anthropic:claude-sonnet-4-5",
    "gemini": "gemini:gemini-2.5-flash",
}


def ask(capsys, left: str, right: str, *extra: str) -> tuple[int, dict | str, str]:
    code = main(["ask", "Say something.", "--left", left, "--right", right, *extra])
    out, err = capsys.readouterr()
    assert_no_key(out + err)
    if "--json" in extra:
        return code, json.loads(out), err
    return code, out, err


@pytest.mark.parametrize("protocol", ["openai", "anthropic", "gemini", "compat"])
def test_json_has_exactly_the_streamed_text_and_reported_usage(provider_env, capsys, protocol):
    server = provider_env
    server.expected_keys.update({p: KEYS[p] for p in ("openai", "anthropic", "gemini")})
    server.script(protocol, Reply(text="Exactly this, ünïcode 🎉.", prompt_tokens=17, output_tokens=6))
    spec = SPECS.get(protocol) or server.compat_spec("llama3")
    other = "anthropic:claude-3-5-haiku-latest" if protocol != "anthropic" else "openai:gpt-4o"
    code, data, _ = ask(capsys, other, spec, "--json")
    assert code == 0
    right = data["right"]
    assert right["text"] == "Exactly this, ünïcode 🎉."
    assert (right["prompt_tokens"], right["output_tokens"]) == (17, 6)
    assert right["finish_reason"] == "stop" and right["error"] is None
    assert data["left"]["text"] == Reply().expected_text


def test_fault_gives_exit_1_kind_partial_text_and_plain_message(provider_env, capsys):
    provider_env.script("openai", Reply(text="kept words then", fault="drop", fault_after=2))
    code, data, _ = ask(capsys, "anthropic:claude-sonnet-4-5", SPECS["openai"], "--json")
    assert code == 1
    right = data["right"]
    assert right["text"] == "kept words"
    assert right["error"]["kind"] == "network"
    assert right["finish_reason"] == "error"
    assert "Traceback" not in right["error"]["message"]
    assert data["left"]["error"] is None


def test_auth_failure_never_shows_the_key(provider_env, capsys):
    provider_env.expected_keys["gemini"] = "AIza-some-other-key-entirely"
    code, data, err = ask(capsys, SPECS["openai"], SPECS["gemini"], "--json")
    assert code == 1
    assert data["right"]["error"]["kind"] == "auth"


def test_429_retry_after_then_success_in_live_mode(provider_env, capsys):
    provider_env.script("anthropic", Reply.fail("rate_limit", headers={"retry-after": "1"}),
                        Reply(text="Patience pays."))
    code, out, err = ask(capsys, SPECS["openai"], SPECS["anthropic"])
    assert code == 0
    assert "Patience pays." in out
    assert "Anthropic is rate limiting requests (429); trying again in 1.0 s" in out + err
