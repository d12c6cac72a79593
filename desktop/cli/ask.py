"""`sidebyside ask`: one prompt to two contenders at once, live in the terminal or as JSON."""

from __future__ import annotations

import json
import sys

from desktop.cli import UsageError
from desktop.core.answer import EV_DELTA, EV_DONE, EV_STATUS
from desktop.core.errors import ContenderError
from desktop.core.params import GenerationParams, Request


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "ask", help="send one prompt to two models at once",
        description="Send one prompt to two contenders at the same moment and show both answers.",
    )
    p.add_argument("prompt", metavar="PROMPT", nargs="?", help="the prompt; '-' reads standard input")
    p.add_argument("--left", default="local", metavar="SPEC", help="left contender (default: local)")
    p.add_argument("--right", default="local", metavar="SPEC", help="right contender (default: local)")
    p.add_argument("--left-kind", choices=("open", "proprietary"), help="override the left kind")
    p.add_argument("--right-kind", choices=("open", "proprietary"), help="override the right kind")
    p.add_argument("--system", default="", metavar="TEXT", help="system prompt for both sides")
    p.add_argument("--max-tokens", type=_positive_int, default=512, metavar="N")
    p.add_argument("--temperature", type=float, default=0.7, metavar="T")
    p.add_argument("--top-p", type=float, default=0.95, metavar="P")
    p.add_argument("--seed", type=int, default=None, metavar="N")
    p.add_argument("--n-ctx", type=_positive_int, default=4096, metavar="N",
                   help="local model context size in tokens")
    p.add_argument("--threads", type=_positive_int, default=None, metavar="N",
                   help="llama.cpp threads (default: measured rule, see docs/performance.md)")
    p.add_argument("--gpu-layers", type=int, default=0, metavar="N",
                   help="layers to offload to a GPU (-1 for all)")
    p.add_argument("--json", action="store_true", help="print one JSON object at the end")
    p.set_defaults(func=run)


def _positive_int(text: str) -> int:
    import argparse

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def read_prompt(args) -> str:
    if args.prompt is None:
        raise UsageError("give a PROMPT (or '-' to read it from standard input).")
    prompt = sys.stdin.read() if args.prompt == "-" else args.prompt
    if not prompt.strip():
        raise UsageError("the prompt is empty; type something for the models to answer.")
    return prompt


def params_from_args(args) -> GenerationParams:
    return GenerationParams(
        system=args.system, temperature=args.temperature, top_p=args.top_p,
        max_tokens=args.max_tokens, seed=args.seed, n_ctx=args.n_ctx,
        n_threads=args.threads, n_gpu_layers=args.gpu_layers,
    )


def build_contenders(args) -> dict:
    from desktop.core.specs import make_contender

    try:
        return {
            "left": make_contender(args.left, args.left_kind),
            "right": make_contender(args.right, args.right_kind),
        }
    except ContenderError as exc:
        raise UsageError(exc.message) from None


def run_battle(contenders: dict, request: Request, labels: dict[str, str], as_json: bool):
    """Run one battle, streaming it live unless `as_json`; returns the engine's Battle."""
    from desktop.cli.live import LivePrinter
    from desktop.core.engine import Battle

    battle = Battle(contenders["left"], contenders["right"], request).start()
    printer = None if as_json else LivePrinter(labels)
    events = battle.events()
    while True:
        try:
            event = next(events)
        except StopIteration:
            break
        except KeyboardInterrupt:  # Ctrl+C stops both sides; partial answers are kept
            battle.stop()
            continue
        if printer is None:
            continue
        if event.type == EV_DELTA:
            printer.text(event.side, event.text)
        elif event.type == EV_STATUS and event.status and event.status.state == "retrying":
            printer.status(event.side, event.status.message)
        elif event.type == EV_DONE:
            printer.finish(event.side)
    battle.wait()
    return battle


def run(args) -> int:
    prompt = read_prompt(args)
    contenders = build_contenders(args)
    request = Request(prompt=prompt, params=params_from_args(args))
    try:
        labels = {"left": "left", "right": "right"}
        battle = run_battle(contenders, request, labels, args.json)
    finally:
        shutdown_workers()
    answers = battle.answers
    if args.json:
        print(json.dumps({side: answers[side].to_dict() for side in ("left", "right")},
                         ensure_ascii=False, indent=2))
    else:
        from desktop.cli.live import LivePrinter

        printer = LivePrinter(labels)
        print()
        for side in ("left", "right"):
            printer.metrics(side, answers[side], answers[side].contender)
    return 0 if all(a.error is None for a in answers.values()) else 1


def shutdown_workers() -> None:
    """End local workers now rather than at interpreter exit (they would end anyway)."""
    client = sys.modules.get("desktop.core.local.client")
    if client is not None:
        client.POOL.shutdown()
