"""`sidebyside ask`: one prompt to two contenders at once, live in the terminal or as JSON."""

from __future__ import annotations

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
    p.add_argument("prompt", metavar="PROMPT", nargs="?",
                   help="the prompt; '-' reads standard input (or use --file)")
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
                   help="llama.cpp threads (default: measured on first use; "
                   "`sidebyside doctor` says why)")
    p.add_argument("--gpu-layers", type=int, default=0, metavar="N",
                   help="layers to offload to a GPU (-1 for all)")
    p.add_argument("--json", action="store_true",
                   help="print one JSON object at the end (one line per prompt with --file)")
    p.add_argument("--blind", action="store_true",
                   help="a fair coin decides which contender is A and which is B; their names "
                   "stay hidden until you vote")
    p.add_argument("--category", metavar="NAME",
                   help="file the battle under this category (default: other); a new name "
                   "becomes one of your categories")
    p.add_argument("--file", metavar="PROMPTS",
                   help="run every prompt in a .txt (one per line), .csv ('prompt' and optional "
                   "'category' columns) or .jsonl file, one battle each")
    p.add_argument("--no-save", action="store_true", help="do not record the battle")
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
        if event.type == EV_STATUS and event.status and event.status.state == "notice":
            # Something the user should know once (the local model switched to safe mode).
            print(f"sidebyside: {event.status.message}", file=sys.stderr)
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
    from desktop.cli._store import StoreUnavailable
    from desktop.cli.recording import Session

    if args.file and args.prompt is not None:
        raise UsageError("give a PROMPT or --file PROMPTS, not both.")
    items = load_prompt_items(args.file) if args.file else [(None, read_prompt(args), None)]
    contenders = build_contenders(args)
    try:
        session = Session(args)
    except StoreUnavailable as exc:
        print(f"sidebyside: {exc}", file=sys.stderr)
        return 1
    params = params_from_args(args)
    status = 0
    done = 0
    try:
        for index, (line, prompt, category) in enumerate(items, 1):
            category = session.category_for(category)
            if args.file:
                from desktop.cli.recording import progress

                progress(index, len(items), line, category)
            request = Request(prompt=prompt, params=params)
            ok, stopped = ask_one(session, contenders, request, args, category, bool(args.file))
            status = status or (0 if ok else 1)
            done += 1
            if stopped and args.file and index < len(items):
                print(f"Stopped after {done} of {len(items)} prompts.", file=sys.stderr)
                break
    finally:
        shutdown_workers()
        session.close()
    if args.file:
        print(f"Ran {done} of {len(items)} prompts from {args.file}.", file=sys.stderr)
    return status


def load_prompt_items(path: str) -> list[tuple[int, str, str | None]]:
    """(line, prompt, category) for each good line; bad lines are reported and skipped."""
    from desktop.core.promptsets import PromptSetError, load_prompt_set

    try:
        prompt_set = load_prompt_set(path)
    except PromptSetError as exc:
        raise UsageError(exc.message) from None
    for problem in prompt_set.problems:
        print(f"{prompt_set.path.name} line {problem.line}: {problem.message}", file=sys.stderr)
    if not prompt_set.items:
        raise UsageError(f"'{path}' has no prompts to run.")
    return [(item.line, item.prompt, item.category) for item in prompt_set.items]


def ask_one(session, contenders: dict, request: Request, args, category: str,
            json_lines: bool) -> tuple[bool, bool]:
    """Run, save and show one battle. Returns (no side failed, the user stopped it)."""
    from desktop.cli.recording import after_battle, blind_answer, json_result, print_json
    from desktop.core.store import StoreError

    a_slot = session.new_assignment()
    labels = session.labels(a_slot)
    battle = run_battle(contenders, request, labels, args.json)
    answers = battle.answers
    record, save_error = None, None
    try:
        record = session.record(battle, a_slot, category)
    except StoreError as exc:
        save_error = exc.message
    if args.json:
        print_json(json_result(session, answers, record, a_slot), lines=json_lines)
    else:
        from desktop.cli.live import LivePrinter

        printer = LivePrinter(labels)
        print()
        for side in labels:  # A first when blind
            if session.blind:
                printer.metrics(side, blind_answer(answers[side]), labels[side])
            else:
                printer.metrics(side, answers[side], answers[side].contender)
        after_battle(record, session.blind)
    if save_error:
        print(f"sidebyside: the battle was not saved: {save_error}", file=sys.stderr)
    ok = save_error is None and all(a.error is None for a in answers.values())
    stopped = any(a.finish_reason == "cancelled" for a in answers.values())
    return ok, stopped


def shutdown_workers() -> None:
    """End local workers now rather than at interpreter exit (they would end anyway)."""
    client = sys.modules.get("desktop.core.local.client")
    if client is not None:
        client.POOL.shutdown()
