"""The "proprietary" side of a benchmark battle: the loopback test server, in its own process.

It runs apart from the app so that its own work (formatting and pacing thousands of events a
second) is not charged to the app's interpreter lock, as a real remote API's would not be. The
app reaches it through OPENAI_BASE_URL; the reply every request gets is set with `set_reply`.

    with RemoteServer() as remote:
        remote.set_reply(pieces=stream_pieces(4000), delay_s=0.0005)
        env = remote.env()
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

from bench.common import ROOT

_SERVER = r"""
import json, sys, time
from tests.providers import fake_server
from tests.providers.fake_server import FakeServer, Reply

# Paced streams: every event is due at start + i * delay_s. What is due is written together
# once the stream is at least TICK_S ahead of schedule, as a network link coalesces small
# writes into segments, instead of one write and one sleep per event.
TICK_S = %(tick)r
_write = fake_server._Handler._write
_end_chunks = fake_server._Handler._end_chunks

def _paced_write(self, text, reply):
    if not reply.delay_s or reply.fault or not TICK_S:
        return _write(self, text, reply)
    pace = self.__dict__.setdefault("_pace", {"t0": time.perf_counter(), "n": 0, "due": []})
    pace["due"].append(text)
    pace["n"] += 1
    ahead = pace["t0"] + pace["n"] * reply.delay_s - time.perf_counter()
    if ahead >= TICK_S:
        _flush(self, reply)
        time.sleep(ahead)

def _flush(self, reply):
    pace = self.__dict__.get("_pace")
    if pace and pace["due"]:
        _write(self, "".join(pace["due"]), Reply(delay_s=0.0))
        pace["due"].clear()

def _paced_end(self):
    _flush(self, None)
    _end_chunks(self)

fake_server._Handler._write = _paced_write
fake_server._Handler._end_chunks = _paced_end
server = FakeServer().start()
print(json.dumps(server.env()), flush=True)
for line in sys.stdin:
    server.default_reply = Reply(**json.loads(line))
    print("ok", flush=True)
server.stop()
"""

# Words and Markdown shapes an answer is made of; pieces are single tokens (a word and a space).
_WORDS = ("the model answers each question with care and the window shows every word as it "
          "arrives from the server while the other side keeps thinking about its own reply").split()


def stream_pieces(n: int) -> list[str]:
    """`n` token-sized pieces of Markdown: paragraphs, a list now and then, a code block."""
    pieces: list[str] = []
    i = 0
    while len(pieces) < n:
        block = (i // 60) % 5
        word = _WORDS[i % len(_WORDS)]
        if i % 60 == 0 and i:
            pieces.append("\n\n")
            if block == 2:
                pieces.append("- ")
            elif block == 4:
                pieces.append("```python\n")
        if block == 2 and i % 12 == 11:
            pieces.append(f"{word}\n- ")
        elif block == 4 and i % 8 == 7:
            pieces.append(f"{word}()\n")
        else:
            pieces.append(f"{word} ")
        if block == 4 and i % 60 == 59:
            pieces.append("\n```")
        i += 1
    return pieces[:n]


class RemoteServer:
    def __init__(self, tick_s: float = 0.002) -> None:
        self.tick_s = tick_s

    def __enter__(self) -> "RemoteServer":
        self.process = subprocess.Popen(
            [sys.executable, "-c", _SERVER % {"tick": self.tick_s}], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            text=True, cwd=ROOT,
        )
        self._env = json.loads(self.process.stdout.readline())
        return self

    def env(self) -> dict[str, str]:
        return {**self._env, "OPENAI_API_KEY": "sk-bench-0000"}

    def set_reply(self, **reply) -> None:
        self.process.stdin.write(json.dumps(reply) + "\n")
        self.process.stdin.flush()
        assert self.process.stdout.readline().strip() == "ok"

    def __exit__(self, *exc) -> None:
        self.process.stdin.close()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


_READER = r"""
import json, sys, httpx
base, key = sys.argv[1], sys.argv[2]
body = {"model": "gpt-4o-mini", "stream": True, "messages": [{"role": "user", "content": "hi"}]}
said = False
with httpx.Client(timeout=None) as client:
    while True:
        with client.stream("POST", base + "/chat/completions", json=body,
                           headers={"Authorization": "Bearer " + key}) as response:
            for line in response.iter_lines():
                if line.startswith("data: ") and line != "data: [DONE]":
                    json.loads(line[6:])
                    if not said:
                        said = print("reading", flush=True) or True
"""


class StreamReader:
    """A separate client reading the remote's paced stream, parsing every event, over and over:
    the load the app's remote side puts on the machine, without the app. Raw llama-cpp-python
    is measured beside it, so raw and the app share the machine with the same neighbour."""

    def __init__(self, remote: RemoteServer) -> None:
        self.env = remote.env()

    def __enter__(self) -> "StreamReader":
        self.process = subprocess.Popen(
            [sys.executable, "-c", _READER, self.env["OPENAI_BASE_URL"],
             self.env["OPENAI_API_KEY"]],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        # Its start (an interpreter, httpx) is not the steady load: begin once it reads.
        if self.process.stdout.readline().strip() != "reading":
            raise RuntimeError("the stream reader did not start")
        time.sleep(0.2)
        return self

    def __exit__(self, *exc) -> None:
        self.process.kill()
        self.process.wait()

