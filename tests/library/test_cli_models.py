"""`sidebyside models ...` as a user runs it, in real processes, against the stand-in Hub:
search, files, pull with progress, a pull killed mid-download then resumed to a verified file,
a gated repository's message, rm; and the pulled model answering a battle through llama.cpp."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.reliability.support import wait_until

from .conftest import FILE, GATED, REPO


def cli_env(hub_url: str, tmp_path: Path) -> dict[str, str]:
    env = os.environ.copy()
    env.update({
        "HF_ENDPOINT": hub_url, "HF_HOME": str(tmp_path / "hf-home"),
        "HF_HUB_DISABLE_TELEMETRY": "1",
        # No keyring in the child: the token, when a test wants one, comes from HF_TOKEN.
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
        "OLLAMA_HOST": "127.0.0.1:9", "LMSTUDIO_BASE_URL": "http://127.0.0.1:9/v1",
    })
    env.pop("HF_TOKEN", None)
    return env


def sidebyside(env, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "desktop", *args], capture_output=True,
                          text=True, timeout=240, env=env)


def test_search_files_pull_list_and_rm(hub_env, tmp_path, tiny_gguf_data):
    env = cli_env(hub_env.url, tmp_path)
    found = sidebyside(env, "models", "search", "tiny", "--json")
    assert found.returncode == 0, found.stderr
    assert [m["repo"] for m in json.loads(found.stdout)["models"]] == [REPO]

    files = sidebyside(env, "models", "files", REPO, "--json")
    assert files.returncode == 0, files.stderr
    listing = json.loads(files.stdout)
    assert listing["licence"] == "apache-2.0"
    first = listing["files"][0]
    assert (first["file"], first["quant"], first["size_bytes"]) == (FILE, "Q8_0",
                                                                    len(tiny_gguf_data))
    assert first["fits"] in ("yes", "tight") and first["path"] is None

    pulled = sidebyside(env, "models", "pull", REPO, FILE)
    assert pulled.returncode == 0, pulled.stderr
    assert "MB/s" in pulled.stderr and "Downloaded and verified" in pulled.stdout
    listed = json.loads(sidebyside(env, "models", "list", "--json").stdout)["models"]
    assert [(m["source"], m["quant"]) for m in listed] == [("Hugging Face", "Q8_0")]
    assert Path(listed[0]["where"]).read_bytes() == tiny_gguf_data

    removed = sidebyside(env, "models", "rm", REPO, "--json")
    assert removed.returncode == 0 and json.loads(removed.stdout)["removed"]
    assert json.loads(sidebyside(env, "models", "list", "--json").stdout)["models"] == []


def test_catalogue_lists_current_models_with_memory_and_fit(tmp_path):
    env = cli_env("http://127.0.0.1:9", tmp_path)  # the catalogue needs no network
    run = sidebyside(env, "models", "search", "--json")
    assert run.returncode == 0, run.stderr
    models = json.loads(run.stdout)["models"]
    families = " ".join(m["name"] for m in models)
    for name in ("Qwen3", "Llama 3", "Gemma 3", "Mistral Small", "Phi-4", "SmolLM3"):
        assert name in families
    sizes = [m["params_b"] for m in models]
    assert min(sizes) <= 0.6 and max(sizes) >= 30
    for model in models:
        assert model["licence"] and model["repo"].count("/") == 1
        for f in model["files"]:
            assert f["memory_bytes"] > f["size_bytes"] > 0 and f["fits"] in ("yes", "tight", "no")


def test_a_pull_killed_mid_download_resumes_to_a_verified_file(hub_env, tmp_path,
                                                               tiny_gguf_data):
    env = cli_env(hub_env.url, tmp_path)
    hub_env.stall_after = 1_500_000  # the server goes silent mid-file; the client waits
    child = subprocess.Popen([sys.executable, "-m", "desktop", "models", "pull", REPO, FILE],
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert hub_env.stalled.wait(60), "the download never started"
        # The first megabyte reaches the disk before the stall; wait for it, then kill. The
        # writer is another process, so its file on disk is the only signal there is.

        def partial_with_a_megabyte():
            found = list(Path(env["HF_HOME"]).rglob("*.incomplete"))
            return found if found and found[0].stat().st_size >= 1024**2 else None

        partials = wait_until(partial_with_a_megabyte, 30, "1 MiB of the partial file on disk")
        kept = partials[0].stat().st_size
        assert 0 < kept < len(tiny_gguf_data)
        child.send_signal(signal.SIGKILL)
        child.wait(30)
    finally:
        if child.poll() is None:
            child.kill()
    hub_env.stall_after = None
    hub_env.release()

    resumed = sidebyside(env, "models", "pull", REPO, FILE, "--json")
    assert resumed.returncode == 0, resumed.stderr
    result = json.loads(resumed.stdout)
    assert result["verified"] and Path(result["path"]).read_bytes() == tiny_gguf_data
    assert hub_env.ranges()[-1] == f"bytes={kept}-"  # only the rest was downloaded


def test_a_gated_repo_says_what_to_do_and_a_corrupt_download_is_refused(hub_env, tmp_path):
    env = cli_env(hub_env.url, tmp_path)
    gated = sidebyside(env, "models", "pull", GATED, "Gated-Chat-Q4_K_M.gguf")
    assert gated.returncode == 1
    assert "gated" in gated.stderr and "sidebyside keys set huggingface" in gated.stderr
    assert "Traceback" not in gated.stderr
    hub_env.corrupt = True
    damaged = sidebyside(env, "models", "pull", REPO, FILE)
    assert damaged.returncode == 1
    assert "SHA-256" in damaged.stderr and "Traceback" not in damaged.stderr
    assert not list(Path(env["HF_HOME"]).rglob("*.gguf"))


def test_bad_input_is_a_usage_error(hub_env, tmp_path):
    env = cli_env(hub_env.url, tmp_path)
    bad = sidebyside(env, "models", "files", "not a repo")
    assert bad.returncode == 2 and "OWNER/NAME" in bad.stderr
    unknown = sidebyside(env, "models", "pull", "someone/Unknown-GGUF")
    assert unknown.returncode == 2 and "models files" in unknown.stderr


def test_the_pulled_model_answers_a_battle(hub_env, tmp_path):
    env = cli_env(hub_env.url, tmp_path)
    pulled = json.loads(sidebyside(env, "models", "pull", REPO, FILE, "--json").stdout)
    battle = sidebyside(env, "ask", "Say hello.", "--left", pulled["spec"], "--right", "local",
                        "--json", "--max-tokens", "8", "--no-save")
    assert battle.returncode == 0, battle.stderr
    left = json.loads(battle.stdout)["left"]
    assert left["contender"] == pulled["spec"] and left["kind"] == "open"
    assert left["error"] is None and left["output_tokens"] > 0


def test_search_shows_gated_repositories_as_gated(hub_env, tmp_path):
    # The Hub leaves `gated` out of search results unless asked for it (the stand-in does too).
    env = cli_env(hub_env.url, tmp_path)
    found = sidebyside(env, "models", "search", "chat", "--json")
    assert found.returncode == 0, found.stderr
    gated = {m["repo"]: m["gated"] for m in json.loads(found.stdout)["models"]}
    assert gated == {REPO: False, GATED: True}
    shown = sidebyside(env, "models", "search", "chat")
    line = next(li for li in shown.stdout.splitlines() if li.startswith(GATED))
    assert "(gated)" in line and "downloads" in line
