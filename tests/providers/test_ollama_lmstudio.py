"""Ollama and LM Studio as sources of open models, against the fake server: discovery
(`models list`), and their models answering battles as open models."""

from __future__ import annotations

import json
import socket

from desktop.cli import main
from desktop.core.library import servers
from desktop.core.battle.specs import make_contender

from .fake_server import Reply


def _env(monkeypatch, server) -> None:
    monkeypatch.setenv("OLLAMA_HOST", server.root)
    monkeypatch.setenv("LMSTUDIO_BASE_URL", server.base_url("lmstudio"))
    monkeypatch.setenv("HF_HOME", str(server_home(monkeypatch)))


def server_home(monkeypatch):
    import os

    return os.path.join(os.environ["SIDEBYSIDE_HOME"], "hf")


def test_models_list_shows_ollama_and_lmstudio_models(monkeypatch, fake_server, capsys):
    _env(monkeypatch, fake_server)
    assert main(["models", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["models"]
    by_spec = {r["spec"]: r for r in rows}
    assert by_spec["ollama:qwen3:8b"]["source"] == "Ollama"
    assert by_spec["ollama:qwen3:8b"]["where"] == fake_server.root
    assert by_spec["ollama:qwen3:8b"]["quant"] == "Q4_K_M"
    assert by_spec["ollama:qwen3:8b"]["kind"] == "open"
    assert by_spec["lmstudio:qwen3-4b"]["source"] == "LM Studio"
    assert "lmstudio:text-embedding-nomic-embed-text-v1.5" not in by_spec  # not a chat model
    assert main(["models", "list"]) == 0
    text = capsys.readouterr().out
    assert "ollama:qwen3:8b" in text and "Ollama" in text and "LM Studio" in text


def test_no_server_running_means_no_models_and_no_error(monkeypatch, capsys):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("OLLAMA_HOST", f"127.0.0.1:{port}")
    monkeypatch.setenv("LMSTUDIO_BASE_URL", f"http://127.0.0.1:{port}/v1")
    monkeypatch.setenv("HF_HOME", server_home(monkeypatch))
    assert servers.served_models() == []
    assert main(["models", "list"]) == 0
    assert "No open models found yet" in capsys.readouterr().out


def test_ollama_host_forms(monkeypatch):
    for raw, root in [("", "http://127.0.0.1:11434"), ("0.0.0.0", "http://127.0.0.1:11434"),
                      ("example.lan:9999", "http://example.lan:9999"),
                      ("https://ollama.example.com", "https://ollama.example.com:443"),
                      ("http://127.0.0.1:11434/", "http://127.0.0.1:11434")]:
        monkeypatch.setenv("OLLAMA_HOST", raw)
        assert servers.ollama_root() == root


def test_an_ollama_contender_answers_a_battle_as_an_open_model(monkeypatch, fake_server, capsys):
    _env(monkeypatch, fake_server)
    fake_server.script("ollama", Reply(text="Paris is the capital.", model="qwen3:8b"))
    fake_server.script("compat", Reply(text="The capital is Paris."))
    code = main(["ask", "Capital of France?", "--left", "ollama:qwen3:8b",
                 "--right", fake_server.compat_spec("big-model"), "--json"])
    out = capsys.readouterr().out
    assert code == 0, out
    data = json.loads(out)
    left = data["left"]
    assert left["text"] == "Paris is the capital."
    assert left["kind"] == "open" and left["provider"] == "ollama"
    assert left["cost_usd"] == 0  # the user's own hardware
    sent = fake_server.requests_for("ollama")[0]
    assert sent.path == "/v1/chat/completions"
    assert sent.body["model"] == "qwen3:8b" and sent.body["keep_alive"] == "30m"
    assert "authorization" not in sent.headers
    # The warm-up asked Ollama to load the model before the battle started.
    assert fake_server.loads == [{"model": "qwen3:8b", "keep_alive": "30m"}]


def test_an_lmstudio_contender_is_open_and_talks_to_its_server(monkeypatch, fake_server):
    _env(monkeypatch, fake_server)
    contender = make_contender("lmstudio:qwen3-4b")
    assert contender.kind == "open" and contender.base_url == fake_server.base_url("lmstudio")
    from tests.providers.helpers import run

    answer = run(contender).answer
    assert answer.ok and answer.text == Reply().expected_text
    assert fake_server.requests_for("lmstudio")[0].body["model"] == "qwen3-4b"


def test_a_model_ollama_lacks_says_how_to_get_it(monkeypatch, fake_server):
    _env(monkeypatch, fake_server)
    fake_server.script("ollama", Reply(error="not_found"))
    from tests.providers.helpers import run

    answer = run(make_contender("ollama:mistral-small3.2")).answer
    assert answer.error.kind == "not_found"
    assert "ollama pull mistral-small3.2" in answer.error.message


def test_an_unreachable_ollama_says_so_plainly(monkeypatch):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("OLLAMA_HOST", f"127.0.0.1:{port}")
    from tests.providers.helpers import run

    answer = run(make_contender("ollama:qwen3:8b")).answer
    assert answer.error.kind == "network"
    assert "Ollama" in answer.error.message and "Traceback" not in answer.error.message
