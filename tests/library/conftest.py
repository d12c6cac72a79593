"""Fixtures for the model library: a stand-in Hub on loopback with a tiny GGUF, a plain repo
and a gated one, and the environment pointing huggingface_hub at it (HF_ENDPOINT, HF_HOME)."""

from __future__ import annotations

import pytest

from .fake_hub import FakeHub, HubFile, HubRepo, gguf_bytes, running_fake_hub

REPO = "tiny-org/Tiny-Chat-GGUF"
FILE = "Tiny-Chat-Q8_0.gguf"
GATED = "gated-org/Gated-Chat-GGUF"


@pytest.fixture(scope="session")
def tiny_gguf_data(tmp_path_factory) -> bytes:
    return gguf_bytes(tmp_path_factory.mktemp("hub-files"))


@pytest.fixture
def fake_hub(tiny_gguf_data) -> FakeHub:
    with running_fake_hub() as hub:
        hub.add(HubRepo(REPO, [
            HubFile(FILE, tiny_gguf_data),
            HubFile("Tiny-Chat-F16.gguf", tiny_gguf_data + b"\0" * 1024),
            HubFile("README.md", b"# Tiny chat\n", lfs=False),
        ]))
        hub.add(HubRepo(GATED, [HubFile("Gated-Chat-Q4_K_M.gguf", tiny_gguf_data)], gated=True,
                        licence="llama3.2", downloads=10, granted_tokens={"hf_granted"}))
        hub.add(HubRepo("other-org/Not-A-Model", [HubFile("weights.bin", b"x" * 10)]))
        yield hub


@pytest.fixture
def hub_env(monkeypatch, fake_hub, tmp_path):
    monkeypatch.setenv("HF_ENDPOINT", fake_hub.url)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    return fake_hub
