"""The window measurements' child side: each runs in a fresh, offscreen interpreter.

    python -m bench.gui_probe battle ROUNDS MAX_TOKENS   # targets 1 and 2 (env: the remote)
    python -m bench.gui_probe stop TRIALS                # target 5 (env: a stalling remote)
    python -m bench.gui_probe render TOKENS REPEATS      # target 3
    python -m bench.gui_probe idle                       # target 8: the window at rest
    python -m bench.gui_probe loaded                     # target 8: window + model worker

Each prints one JSON line. Rounds are driven as a user drives them: a real `MainWindow`, the
prompt typed into the prompt box, Send, the real engine, the embedded model in its llama.cpp
worker and the loopback server as the "proprietary" side, both answers rendered.
"""

from __future__ import annotations

import json
import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Keys come from the environment; the harness never reads or writes a real keyring.
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")

from bench.raw_llama import PROMPT  # noqa: E402

HEARTBEAT_MS = 5


def _window(max_tokens: int = 200, remote: str = "openai:gpt-4o-mini", left: str = "local"):
    from PySide6.QtTest import QTest

    from desktop.core.contenders.params import GenerationParams
    from desktop.gui import settings_store
    from desktop.gui.app import make_app
    from desktop.gui.main_window import MainWindow

    app = make_app()
    settings = settings_store.WindowSettings(
        contenders=[settings_store.ContenderChoice(left), settings_store.ContenderChoice(remote)],
        params=GenerationParams(temperature=0.0, seed=1, max_tokens=max_tokens,
                                n_threads=int(os.environ.get("BENCH_THREADS") or 0) or None),
        blind=False,  # contender 1 (local) is A: the figures can name the sides
    )
    window = MainWindow(settings)
    window.show()
    QTest.qWaitForWindowExposed(window)
    return app, window


def wait_until(condition, timeout_s: float = 120.0, poll_ms: int = 20) -> None:
    """Run the event loop until `condition()` holds (polled every `poll_ms`)."""
    from PySide6.QtCore import QEventLoop, QTimer

    if condition():
        return
    loop = QEventLoop()
    timer = QTimer()
    timer.setInterval(poll_ms)
    deadline = time.monotonic() + timeout_s
    timer.timeout.connect(lambda: (condition() or time.monotonic() > deadline) and loop.quit())
    timer.start()
    loop.exec()
    timer.stop()
    timer.deleteLater()
    if not condition():
        raise TimeoutError(f"gave up after {timeout_s:.0f} s")


class Heartbeat:
    """A 5 ms timer on the UI thread; lateness = gap between ticks minus the interval."""

    def __init__(self, interval_ms: int = HEARTBEAT_MS) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.interval_ms = interval_ms
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self.samples: list[float] = []
        self.late: list[tuple[float, float]] = []  # (seconds into the round, lateness ms) > 16 ms
        self.recording = False
        self._last: float | None = None
        self._since = 0.0
        # Diagnosis: where a late tick's time went (on the CPU, or runnable but not running).
        self._sched = open("/proc/thread-self/schedstat") if os.environ.get("BENCH_STALL_STACKS") else None
        self._last_sched = (0, 0)

    def _tick(self) -> None:
        now = time.perf_counter()
        sched = (0, 0)
        if self._sched is not None:
            self._sched.seek(0)
            on_cpu, waiting, _ = self._sched.read().split()
            sched = (int(on_cpu), int(waiting))
        if self.recording and self._last is not None:
            late = max(0.0, (now - self._last) * 1000 - self.interval_ms)
            self.samples.append(late)
            if late > 16:
                entry = [round(now - self._since, 3), round(late, 1)]
                if self._sched is not None:
                    entry += [round((sched[0] - self._last_sched[0]) / 1e6, 1),
                              round((sched[1] - self._last_sched[1]) / 1e6, 1)]
                self.late.append(tuple(entry))
        self._last = now
        self._last_sched = sched

    def record(self, on: bool) -> None:
        self._last = None
        self._since = time.perf_counter()
        self.recording = on
        if on and not self.timer.isActive():
            self.timer.start()


class StallWatch:
    """Diagnosis (BENCH_STALL_STACKS=1): a thread that notes the UI thread's Python stack
    whenever the heartbeat is overdue by more than `threshold_ms`."""

    def __init__(self, heartbeat: Heartbeat, threshold_ms: float = 12.0) -> None:
        import threading

        self.heartbeat, self.threshold_s = heartbeat, threshold_ms / 1000
        self.main = threading.main_thread().ident
        self.stacks: dict[str, int] = {}
        self.threads: dict[str, float] = {}
        self.collections: list[tuple] = []
        threading.Thread(target=self._run, daemon=True).start()
        import gc

        def on_gc(phase, info, started={}):  # noqa: B006  (the dict is the callback's memory)
            if phase == "start":
                started["t"] = time.perf_counter()
            elif self.heartbeat.recording:
                took = (time.perf_counter() - started.get("t", 0)) * 1000
                if took > 2:
                    self.collections.append((round(started["t"] - self.heartbeat._since, 3),
                                             info["generation"], round(took, 1),
                                             threading.current_thread().name))

        gc.callbacks.append(on_gc)

    def _thread_times(self) -> None:
        import threading

        names = {t.native_id: t.name for t in threading.enumerate()}
        for tid in os.listdir("/proc/self/task"):
            try:
                fields = open(f"/proc/self/task/{tid}/stat").read().rsplit(")", 1)[1].split()
                comm = open(f"/proc/self/task/{tid}/comm").read().strip()
            except OSError:
                continue
            cpu_s = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            self.threads[f"{tid} {names.get(int(tid), comm)}"] = cpu_s

    def _run(self) -> None:
        import traceback

        n = 0
        while True:
            time.sleep(0.002)
            n += 1
            if n % 100 == 0:
                self._thread_times()
            last = self.heartbeat._last
            if not self.heartbeat.recording or last is None:
                continue
            if time.perf_counter() - last > self.threshold_s + self.heartbeat.interval_ms / 1000:
                frames = sys._current_frames()
                import threading as _t
                names = {t.ident: t.name for t in _t.enumerate()}
                stack = ""
                for ident, frame in frames.items():
                    if ident == _t.get_ident():
                        continue
                    stack += f"[{names.get(ident, ident)}]\n" + "".join(traceback.format_stack(frame, limit=4)[-2:])
                self.stacks[stack] = self.stacks.get(stack, 0) + 1
                time.sleep(0.01)


def _send(window, prompt: str = PROMPT) -> None:
    window.compare.new_round()
    window.compare.prompt.setPlainText(prompt)
    window.compare.send_button.click()


def _finished(window) -> bool:
    from desktop.gui import round_controller as rc

    return window.controller.state == rc.FINISHED


def _answers(window) -> dict:
    return window.controller.runner.battle.answers


def battle(rounds: int, max_tokens: int) -> dict:
    """Rounds of local vs the remote streaming fast, with a heartbeat on the UI thread."""
    app, window = _window(max_tokens)
    heartbeat = Heartbeat()
    watch = StallWatch(heartbeat) if os.environ.get("BENCH_STALL_STACKS") else None
    if os.environ.get("BENCH_SWITCH"):
        sys.setswitchinterval(float(os.environ["BENCH_SWITCH"]))
    _send(window)  # the first round loads the model; it is not measured
    wait_until(lambda: _finished(window), 300)
    local, remote, lateness, per_round = [], [], [], []
    for _ in range(rounds):
        heartbeat.record(True)
        _send(window)
        wait_until(lambda: _finished(window), 300)
        heartbeat.record(False)
        answers = _answers(window)
        for answer in answers.values():
            if answer.error is not None:
                raise RuntimeError(f"{answer.contender}: {answer.error}")
        local.append(answers["left"].tokens_per_s)
        remote.append(answers["right"].tokens_per_s)
        per_round.append({
            "local_tokens": answers["left"].output_tokens,
            "local_tokens_per_s": round(answers["left"].tokens_per_s, 1),
            "remote_tokens": answers["right"].output_tokens,
            "remote_tokens_per_s": round(answers["right"].tokens_per_s, 1),
            "remote_s": round(answers["right"].total_s, 2),
            "local_s": round(answers["left"].total_s, 2),
            "heartbeat_max_ms": round(max(heartbeat.samples[len(lateness):], default=0), 1),
            "local_threads": _local_threads(),
        })
        lateness = list(heartbeat.samples)
    if watch is not None:
        for name, cpu in sorted(watch.threads.items(), key=lambda kv: -kv[1])[:12]:
            print(f"thread {name}: {cpu:.2f} s", file=sys.stderr)
        print(f"collections over 2 ms: {watch.collections}", file=sys.stderr)
    window.close()
    if watch is not None:
        for stack, count in sorted(watch.stacks.items(), key=lambda kv: -kv[1])[:12]:
            print(f"--- {count}x\n{stack}", file=sys.stderr)
    return {"local_tokens_per_s": local, "remote_tokens_per_s": remote, "lateness_ms": lateness,
            "rounds": per_round, "late_ticks": heartbeat.late}


def _local_threads() -> int | None:
    """The thread count the local worker used for its latest answer (chosen by the app)."""
    from desktop.core.local.workers import WorkerPool

    used = [w.n_threads for w in WorkerPool.every_worker() if w.n_threads]
    return used[0] if used else None


def stop(trials: int) -> dict:
    """Stop pressed while the local model generates and the remote has stalled mid-answer."""
    app, window = _window(max_tokens=2000)
    panes = window.compare.panes
    _send(window, "Say hello.")  # load the model first
    wait_until(lambda: _finished(window), 300)
    done_at: dict[str, float] = {}
    window.controller.seat_done.connect(lambda position, _a: done_at.setdefault(position, time.perf_counter()))
    samples, finished_samples = [], []
    for _ in range(trials):
        done_at.clear()
        _send(window)
        # Both sides are mid-answer: local text is arriving, the remote has sent its first
        # pieces and then stalled (the server holds the connection open, sending nothing).
        wait_until(lambda: len(panes["a"].markdown.source) > 40 and panes["b"].markdown.source, 120)
        time.sleep(0.05)
        pressed = time.perf_counter()
        window.compare.stop_button.click()
        wait_until(lambda: len(done_at) == 2 and window.controller.runner.is_idle(), 30, poll_ms=1)
        samples.append((max(done_at.values()) - pressed) * 1000)
        wait_until(lambda: _finished(window), 30, poll_ms=1)
        finished_samples.append((time.perf_counter() - pressed) * 1000)
        reasons = {a.finish_reason for a in _answers(window).values()}
        if reasons != {"cancelled"}:
            raise RuntimeError(f"a stopped side ended with {reasons}")
    window.close()
    return {"stop_ms": samples, "stop_to_saved_ms": finished_samples}


def render(tokens: int, repeats: int) -> dict:
    """Stream `tokens` pieces into a shown answer pane in the battle runner's batches."""
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QWidget

    from bench.remote import stream_pieces
    from desktop.gui.answer_pane import AnswerPane
    from desktop.gui.app import make_app

    make_app()
    pieces = stream_pieces(tokens)
    # At 2,000 tokens/s the runner drains every 33 ms: about 66 pieces merged per append.
    batch = 66
    batches = ["".join(pieces[i:i + batch]) for i in range(0, len(pieces), batch)]
    costs = []
    for _ in range(repeats):
        holder = QWidget()
        holder.resize(620, 700)
        pane = AnswerPane("a", holder)
        pane.resize(620, 700)
        holder.show()
        QCoreApplication.processEvents()
        pane.begin()
        started = time.perf_counter()
        for text in batches:
            pane.append(text)
            pane._render()  # what the render timer does, once per batch
            QCoreApplication.processEvents()  # layout and paint, as the event loop would
        costs.append(time.perf_counter() - started)
        holder.close()
        holder.deleteLater()
        QCoreApplication.processEvents()
    return {"seconds": costs, "batches": len(batches), "chars": sum(map(len, pieces))}


def idle() -> dict:
    """Resident size of the window at rest, a few seconds after start, no model loaded."""
    from PySide6.QtTest import QTest

    from bench.common import rss_mb

    app, window = _window()
    QTest.qWait(3000)  # the background work after the first paint has settled
    rss = rss_mb(os.getpid())
    window.close()
    return {"rss_mb": rss}


def loaded() -> dict:
    """Resident size of the window and of the llama.cpp worker once the model has answered."""
    from PySide6.QtTest import QTest

    from bench.common import rss_mb

    app, window = _window(max_tokens=32)
    _send(window, "Say hello.")
    wait_until(lambda: _finished(window), 300)
    QTest.qWait(1000)
    workers = window.controller.local_pool.workers()
    result = {"app_rss_mb": rss_mb(os.getpid()),
              "worker_rss_mb": sum(rss_mb(w.pid) for w in workers), "workers": len(workers)}
    window.close()
    return result


def main(argv: list[str]) -> int:
    command, args = argv[0], [int(a) for a in argv[1:]]
    commands = {"battle": battle, "stop": stop, "render": render, "idle": idle, "loaded": loaded}
    result = commands[command](*args)
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()
    pool = sys.modules.get("desktop.core.local.workers")
    if pool is not None:
        pool.WorkerPool.shutdown_every_pool()
    os._exit(0)  # no Qt teardown to wait for


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
