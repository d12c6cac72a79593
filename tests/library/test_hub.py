"""The model library against a stand-in Hub on loopback: search, files, pull with progress,
resume after a dropped connection, a damaged download, a gated repository, rm. These tests do
not require Qt."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import pytest

from desktop.core.library import (
    CANCELLED, CORRUPT, GATED, NETWORK, NOT_FOUND, LibraryError, download, hub,
)
from desktop.core.library.memory import Machine

from .conftest import FILE, GATED as GATED_REPO, REPO


def test_search_finds_gguf_repositories_only(hub_env):
    hits = hub.search("chat")
    assert [h.repo for h in hits] == [REPO, GATED_REPO]  # most downloaded first
    assert [h.gated for h in hits] == [False, True]
    searched = [s for s in hub_env.seen if s.path == "/api/models"]
    assert searched[-1].query["search"] == ["chat"]
    assert searched[-1].query["filter"] == ["gguf"]
    assert hub.search("not-a-model") == []


def test_files_lists_gguf_files_with_quantisation_size_and_fit(hub_env, tiny_gguf_data):
    small = Machine(ram_bytes=8 * 1024**3)
    listing = hub.files(REPO, machine=small)
    assert listing.licence == "apache-2.0" and not listing.gated
    assert [f.file for f in listing.files] == [FILE, "Tiny-Chat-F16.gguf"]  # README left out
    first = listing.files[0]
    assert first.quant == "Q8_0" and listing.files[1].quant == "F16"
    assert first.size_bytes == len(tiny_gguf_data)
    assert first.sha256 == hashlib.sha256(tiny_gguf_data).hexdigest()
    assert first.fits == "yes" and first.path is None
    tiny = Machine(ram_bytes=first.memory_bytes - 1)
    assert hub.files(REPO, machine=tiny).files[0].fits == "no"


def test_pull_reports_progress_and_verifies(hub_env, tiny_gguf_data):
    seen = []
    done = download.pull(REPO, FILE, on_progress=seen.append)
    assert Path(done.path).read_bytes() == tiny_gguf_data
    assert done.spec == f"local:{done.path}"
    # The Hub's cache layout, so huggingface_hub and other tools find the file too.
    assert "models--tiny-org--Tiny-Chat-GGUF/snapshots/" in done.path
    assert Path(done.path).is_symlink()
    downloading = [p for p in seen if p.state == "downloading"]
    assert downloading and downloading[-1].done_bytes == len(tiny_gguf_data)
    assert all(p.total_bytes == len(tiny_gguf_data) for p in downloading)
    assert downloading[-1].speed_bps and downloading[-1].eta_s == 0
    assert [p.state for p in seen][-2:] == ["verifying", "done"]
    assert [i.path for i in hub.installed()] == [done.path]
    assert hub.files(REPO).files[0].path == done.path
    # huggingface_hub itself sees the file as cached.
    from huggingface_hub import try_to_load_from_cache

    assert try_to_load_from_cache(REPO, FILE, cache_dir=hub.cache_dir()) == done.path


def test_a_dropped_connection_resumes_with_a_range_request(hub_env, tiny_gguf_data):
    hub_env.drop_after = 1_200_000
    done = download.pull(REPO, FILE)
    assert Path(done.path).read_bytes() == tiny_gguf_data
    ranges = hub_env.ranges()
    assert ranges[0] == "" and ranges[1].startswith("bytes=") and ranges[1] != "bytes=0-"


def test_a_partial_file_resumes_and_a_damaged_one_is_caught(hub_env, tiny_gguf_data):
    cancel = threading.Event()

    def cancel_after_first_chunk(progress):
        if progress.done_bytes >= 1024**2:
            cancel.set()

    with pytest.raises(LibraryError) as stopped:
        download.pull(REPO, FILE, on_progress=cancel_after_first_chunk, cancel=cancel)
    assert stopped.value.kind == CANCELLED
    partial = next(hub.cache_dir().rglob("*.incomplete"))
    kept = partial.stat().st_size
    assert 0 < kept < len(tiny_gguf_data)
    # Damage a byte of what was kept: the resumed file must fail the SHA-256 check.
    data = bytearray(partial.read_bytes())
    data[100] ^= 0xFF
    partial.write_bytes(bytes(data))
    with pytest.raises(LibraryError) as damaged:
        download.pull(REPO, FILE)
    assert damaged.value.kind == CORRUPT
    assert "SHA-256" in damaged.value.message and "Pull again" in damaged.value.message
    assert hub_env.ranges()[-1] == f"bytes={kept}-"
    assert not list(hub.cache_dir().rglob("*.incomplete")) and hub.installed() == []
    done = download.pull(REPO, FILE)  # afresh, now whole
    assert Path(done.path).read_bytes() == tiny_gguf_data


def test_a_server_sending_wrong_bytes_is_caught(hub_env):
    hub_env.corrupt = True
    with pytest.raises(LibraryError) as damaged:
        download.pull(REPO, FILE)
    assert damaged.value.kind == CORRUPT
    assert hub.installed() == []


def test_gated_repository_says_what_to_do(hub_env, memory_keyring):
    with pytest.raises(LibraryError) as no_token:
        download.pull(GATED_REPO, "Gated-Chat-Q4_K_M.gguf")
    assert no_token.value.kind == GATED
    assert "accept" in no_token.value.message.lower()
    assert "sidebyside keys set huggingface" in no_token.value.message
    from desktop.core.base import keys

    keys.set_key("huggingface", "hf_not_granted")
    with pytest.raises(LibraryError) as not_granted:
        download.pull(GATED_REPO, "Gated-Chat-Q4_K_M.gguf")
    assert not_granted.value.kind == GATED
    assert "not been granted" in not_granted.value.message
    assert "hf_not_granted" not in not_granted.value.message
    keys.set_key("huggingface", "hf_granted")
    done = download.pull(GATED_REPO, "Gated-Chat-Q4_K_M.gguf")
    assert Path(done.path).is_file()
    resolves = [s for s in hub_env.seen if "/resolve/" in s.path]
    assert resolves[-1].headers.get("authorization") == "Bearer hf_granted"


def test_unknown_repo_and_file_and_no_network(hub_env, monkeypatch):
    with pytest.raises(LibraryError) as unknown:
        hub.files("nobody/nothing")
    assert unknown.value.kind == NOT_FOUND and "nobody/nothing" in unknown.value.message
    with pytest.raises(LibraryError) as missing:
        download.pull(REPO, "nope.gguf")
    assert missing.value.kind == NOT_FOUND
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    with pytest.raises(LibraryError) as offline:
        hub.search("chat")
    assert offline.value.kind == NETWORK
    assert "Couldn't reach the Hugging Face Hub" in offline.value.message


def test_not_enough_disk_space_is_said_before_downloading(hub_env, monkeypatch):
    import shutil
    from collections import namedtuple

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(10**9, 10**9, 1000))
    with pytest.raises(LibraryError) as full:
        download.pull(REPO, FILE)
    assert full.value.kind == "no_space" and "HF_HOME" in full.value.message
    assert hub_env.downloads_started == 0


def test_rm_deletes_the_file_and_its_blob(hub_env):
    done = download.pull(REPO, FILE)
    blob = Path(done.path).resolve()
    assert hub.remove(REPO, FILE) == [done.path]
    assert not Path(done.path).exists() and not blob.exists()
    with pytest.raises(LibraryError) as again:
        hub.remove(REPO, FILE)
    assert again.value.kind == NOT_FOUND
