"""Server data is data (issue 19): a Hub or mirror (HF_ENDPOINT) that answers with a commit id,
an ETag or a file name holding `../..` is refused, naming the server, before anything is written
outside the Hub cache. `models pull` as a user runs it, in a real process, against the stand-in
Hub made hostile. An unreachable Hub and a bad repository id get one plain message. These tests
do not require Qt."""

from __future__ import annotations

import hashlib
import os
import socket
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.reliability.support import assert_plain

from .conftest import FILE, REPO
from .fake_hub import HubFile
from .test_cli_models import cli_env, sidebyside

ESCAPE = "../../../../escaped"


def files_outside(root: Path, inside: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")
                  if p.is_file() and inside not in p.parents)


def make_hostile(hub, how: str, tiny: bytes) -> str:
    """Turn the stand-in Hub hostile; returns the file name a user would then pull."""
    repo = hub.repos[REPO]
    if how == "commit":
        repo.commit = ESCAPE
        return FILE
    if how == "etag":
        hub.etag = ESCAPE
        return FILE
    name = ESCAPE + ".gguf"  # a file name: listed by the Hub, then served for any path
    repo.files.append(HubFile(name, tiny))
    hub.serve_any = repo.files[-1]
    return name


@pytest.mark.parametrize("how", ["commit", "etag", "file_name"])
def test_a_hostile_hub_cannot_make_a_pull_write_outside_the_cache(how, hub_env, tmp_path,
                                                                   tiny_gguf_data):
    env = cli_env(hub_env.url, tmp_path)
    home = Path(env["HF_HOME"])
    name = make_hostile(hub_env, how, tiny_gguf_data)

    pulled = sidebyside(env, "models", "pull", REPO, name)
    assert pulled.returncode == 1, (pulled.stdout, pulled.stderr)
    assert "verified" not in pulled.stdout
    message = pulled.stderr
    assert_plain(message)
    assert urlsplit(hub_env.url).netloc in message  # names the server
    assert "HF_ENDPOINT" in message and "nothing was written" in message
    assert files_outside(tmp_path, home) == []
    listed = sidebyside(env, "models", "list", "--json")
    assert '"models": []' in listed.stdout


def test_an_etag_carrying_a_terminal_escape_is_refused_and_not_echoed_raw(hub_env, tmp_path):
    hub_env.etag = "a" * 64 + "\x1b]0;owned\x07"  # an ETag with a terminal escape in it
    env = cli_env(hub_env.url, tmp_path)
    pulled = sidebyside(env, "models", "pull", REPO, FILE)
    assert pulled.returncode == 1
    assert "\x1b" not in pulled.stderr and urlsplit(hub_env.url).netloc in pulled.stderr
    assert not any(p.is_file() for p in Path(env["HF_HOME"]).rglob("*"))


def test_an_unreachable_hub_gives_the_plain_message_without_retry_lines(tmp_path):
    with socket.socket() as closed:  # a port where nothing listens
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}"
    env = cli_env(url, tmp_path)
    searched = sidebyside(env, "models", "search", "qwen")
    assert searched.returncode == 1
    assert_plain(searched.stderr)
    assert "Couldn't reach the Hugging Face Hub" in searched.stderr
    assert "Retrying" not in searched.stderr and "thrown while requesting" not in searched.stderr
    assert searched.stderr.strip().count("\n") == 0  # one line: the message


@pytest.mark.parametrize("repo", ["bad..id/model", "owner/-model-", "owner/na--me"])
def test_a_bad_repository_id_gets_a_plain_message(repo, hub_env, tmp_path):
    env = cli_env(hub_env.url, tmp_path)
    for action in ("files", "pull"):
        result = sidebyside(env, "models", action, repo, *(["x.gguf"] if action == "pull" else []))
        assert result.returncode == 2, result.stderr
        assert_plain(result.stderr)
        assert "is not a repository name" in result.stderr and "OWNER/NAME" in result.stderr
        assert "HFValidationError" not in result.stderr and "Try again" not in result.stderr


def test_a_hard_link_planted_at_the_partial_download_is_not_written_through(
        hub_env, tmp_path, tiny_gguf_data):
    """The partial download keeps a fixed name (so a pull can resume), so that name is the one a
    hostile hand could plant: a hard link there to a file elsewhere is refused, the file left
    byte for byte, and nothing is renamed into the cache."""
    env = cli_env(hub_env.url, tmp_path)
    storage = Path(env["HF_HOME"]) / "hub" / ("models--" + REPO.replace("/", "--"))
    blobs = storage / "blobs"
    blobs.mkdir(parents=True)
    precious = tmp_path / "precious.txt"
    precious.write_bytes(b"keep me")
    partial = blobs / (hashlib.sha256(tiny_gguf_data).hexdigest() + ".incomplete")
    os.link(precious, partial)

    pulled = sidebyside(env, "models", "pull", REPO, FILE)
    assert pulled.returncode == 1, (pulled.stdout, pulled.stderr)
    assert "verified" not in pulled.stdout
    assert_plain(pulled.stderr)
    assert str(partial) in pulled.stderr and "will not write to it" in pulled.stderr
    assert precious.read_bytes() == b"keep me"
    assert not [p for p in blobs.iterdir() if p != partial]


def test_a_link_planted_at_the_download_lock_is_refused_plainly(hub_env, tmp_path,
                                                                tiny_gguf_data):
    """The per-file lock has a fixed name in the Hub cache; a link planted there is not
    followed (the file it points to is left byte for byte) and the pull says so plainly."""
    env = cli_env(hub_env.url, tmp_path)
    locks = Path(env["HF_HOME"]) / "hub" / ".locks" / ("models--" + REPO.replace("/", "--"))
    locks.mkdir(parents=True)
    precious = tmp_path / "precious.txt"
    precious.write_bytes(b"keep me")
    (locks / (hashlib.sha256(tiny_gguf_data).hexdigest() + ".lock")).symlink_to(precious)

    pulled = sidebyside(env, "models", "pull", REPO, FILE)
    assert pulled.returncode == 1, (pulled.stdout, pulled.stderr)
    assert_plain(pulled.stderr)
    assert "download lock" in pulled.stderr and "pull again" in pulled.stderr
    assert precious.read_bytes() == b"keep me"
