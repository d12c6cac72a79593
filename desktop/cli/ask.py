"""`sidebyside ask`: one prompt to two contenders at once, live in the terminal or as JSON.

`ask --continue BATTLE_ID PROMPT` sends the next turn of a saved conversation: each contender
keeps its seat and gets its own earlier answers. The round's rules are the core's
`RoundSession`; this module only reads arguments and shows what happens.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import sys

from desktop.cli import CommandFailed, UsageError
from desktop.cli._store import StoreUnavailable, command_store
from desktop.cli.ask_results import (
    AskContext, after_battle, json_result, labels, print_json, progress,
)
from desktop.cli.live import LivePrinter
from desktop.cli.reveal_output import drive_paced
from desktop.cli.starter_run import starter_items
from desktop.core.contenders.answer import EV_DELTA, EV_DONE, EV_STATUS, EV_THINKING
from desktop.core.base.errors import ContenderError
from desktop.core.contenders.params import (
    REASONING_LEVELS, GenerationParams, ParamsError, check_params, settle_text,
)
from desktop.core.battle.reveal import LIVE, REVEAL_MODES
from desktop.core.battle.round_session import RoundSession, TurnRefused
from desktop.core.battle.specs import make_contender
from desktop.core.operations import battles as battle_ops
from desktop.core.prompts.promptsets import PromptSetError, load_prompt_set
from desktop.core.providers.clients import ClientPool
from desktop.core.store import BattleNotFound, ConversationEnded, StoreError, resolve_battle_id


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "ask", help="send one prompt to two models at once",
        description="Send one prompt to two contenders at the same moment and show both answers.",
    )
    p.add_argument("prompt", metavar="PROMPT", nargs="?",
                   help="the prompt; '-' reads standard input (or use --file)")
    p.add_argument("--left", metavar="SPEC", help="left contender (default: local)")
    p.add_argument("--right", metavar="SPEC", help="right contender (default: local)")
    p.add_argument("--continue", dest="continue_id", metavar="BATTLE_ID",
                   help="send PROMPT as the next turn of this saved battle (same contenders, "
                   "same seats, each with its own earlier answers)")
    p.add_argument("--left-kind", choices=("open", "proprietary"), help="override the left kind")
    p.add_argument("--right-kind", choices=("open", "proprietary"), help="override the right kind")
    p.add_argument("--system", default="", metavar="TEXT", help="system prompt for both sides")
    p.add_argument("--max-tokens", type=_positive_int, default=512, metavar="N")
    p.add_argument("--temperature", type=float, default=0.7, metavar="T")
    p.add_argument("--top-p", type=float, default=0.95, metavar="P")
    p.add_argument("--seed", type=int, default=None, metavar="N")
    p.add_argument("--reasoning", choices=REASONING_LEVELS, default=None,
                   help="how hard reasoning models think; each provider's own setting, left out "
                   "(with a note) where a model cannot take it (default: the provider's default)")
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
    p.add_argument("--reveal", choices=REVEAL_MODES, default=None,
                   help="how the answers appear: paced (both at the slower side's pace), together "
                   "(both once complete) or live (each as it arrives); default: paced with "
                   "--blind, else live")
    p.add_argument("--category", metavar="NAME",
                   help="file the battle under this category (default: other); a new name "
                   "becomes one of your categories")
    p.add_argument("--file", metavar="PROMPTS",
                   help="run every prompt in a .txt (one per line), .csv ('prompt' and optional "
                   "'category' columns) or .jsonl file, one battle each")
    p.add_argument("--promptset", metavar="NAME",
                   help="run a starter prompt set (see `sidebyside promptsets`) from its first "
                   "prompt without a vote for these two contenders")
    p.add_argument("--no-save", action="store_true", help="do not record the battle")
    p.set_defaults(func=run)


def _positive_int(text: str) -> int:
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
    prompt = _read_stdin() if args.prompt == "-" else args.prompt
    try:  # an argument's bytes that are not UTF-8 arrive as lone surrogates
        settle_text(prompt)
    except ParamsError as exc:
        raise UsageError(exc.message) from None
    if not prompt.strip():
        raise UsageError("the prompt is empty; type something for the models to answer.")
    return prompt


def _read_stdin() -> str:
    """Standard input as UTF-8, strictly: bytes that are not UTF-8 are a plain error now,
    before anything is sent, rather than a battle answered (and paid for) that cannot be saved."""
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:  # already text (a test's StringIO)
        return sys.stdin.read()
    data = stream.read()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(
            f"the prompt on standard input is not valid UTF-8 text (byte 0x{data[exc.start]:02x} "
            f"at byte {exc.start + 1}). Save it as UTF-8 and try again; nothing was sent.") from None


def check_args(args) -> GenerationParams:
    """The parameters, checked at the surface before any contender is built or anything sent."""
    params = params_from_args(args)
    local = any((spec or "local").split(":", 1)[0] == "local" for spec in (args.left, args.right))
    try:
        settle_text(params.system, "The system prompt")
        check_params(params, local=local)
    except ParamsError as exc:
        raise UsageError(exc.message) from None
    return params


def params_from_args(args) -> GenerationParams:
    return GenerationParams(
        system=args.system, temperature=args.temperature, top_p=args.top_p,
        max_tokens=args.max_tokens, seed=args.seed, n_ctx=args.n_ctx,
        n_threads=args.threads, n_gpu_layers=args.gpu_layers, reasoning=args.reasoning,
    )


def build_contenders(args, pool=None, clients=None) -> dict:
    """The two contenders; local ones run their workers in `pool`, remote ones connect through
    `clients` (both the command's own)."""
    try:
        return {
            "left": make_contender(args.left or "local", args.left_kind, local_pool=pool,
                                   clients=clients),
            "right": make_contender(args.right or "local", args.right_kind, local_pool=pool,
                                    clients=clients),
        }
    except ContenderError as exc:
        raise UsageError(exc.message) from None


def drive_turn(battle, labels: dict[str, str], as_json: bool, session=None) -> None:
    """Drain one started turn's events, streaming them live unless `as_json`; the session
    words each status as it may be shown (blind: by seat)."""
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
        if event.type == EV_STATUS and event.status and event.status.state == "announce":
            # Something the user should know once (the local model switched to safe mode).
            print(f"sidebyside: {event.status.message}", file=sys.stderr)
            continue
        if printer is None:
            if event.type == EV_STATUS and event.status and event.status.state == "notice":
                # A setting left out: said on stderr, so the JSON on stdout stays one object.
                print(f"sidebyside: {labels[event.slot]}: {event.status.message}", file=sys.stderr)
            continue
        if event.type == EV_DELTA:
            printer.text(event.slot, event.text)
        elif event.type == EV_THINKING:
            printer.thought(event.slot, event.text)
        elif event.type == EV_STATUS and event.status and event.status.state in (
                "retrying", "notice"):
            status = session.public_status(event.slot, event.status) if session else event.status
            printer.status(event.slot, status.message)
        elif event.type == EV_DONE:
            printer.finish(event.slot)
    battle.wait()


def run(args) -> int:

    if args.continue_id:
        return run_continue(args)
    if args.file and args.prompt is not None:
        raise UsageError("give a PROMPT or --file PROMPTS, not both.")
    check_args(args)
    with local_worker_pool() as pool, ClientPool() as clients:
        contenders = build_contenders(args, pool, clients)
        if getattr(args, "promptset", None):
            items = starter_items(args, contenders)
            if not items:
                close_contenders(contenders)
                return 0
        else:
            items = (load_prompt_items(args.file) if args.file
                     else [(None, read_prompt(args), None)])
        try:
            context = AskContext(args)
        except StoreUnavailable as exc:
            close_contenders(contenders)
            print(f"sidebyside: {exc}", file=sys.stderr)
            return 1
        return run_items(args, items, contenders, context)


def run_items(args, items, contenders: dict, context) -> int:
    params = params_from_args(args)
    status = 0
    done = 0
    try:
        for index, (line, prompt, category) in enumerate(items, 1):
            category = context.category_for(category)
            if args.file:
                progress(index, len(items), line, category)
            session = RoundSession(contenders, params, blind=context.blind, category=category,
                                   store=context.store, reveal=getattr(args, "reveal", None))
            ok, stopped = ask_turn(session, prompt, args, bool(args.file))
            status = status or (0 if ok else 1)
            done += 1
            if stopped and args.file and index < len(items):
                print(f"Stopped after {done} of {len(items)} prompts.", file=sys.stderr)
                break
    finally:
        close_contenders(contenders)
        context.close()
    if args.file:
        print(f"Ran {done} of {len(items)} prompts from {args.file}.", file=sys.stderr)
    return status


def run_continue(args) -> int:
    """The next turn of a saved conversation; exit 1 when it ended (voted) or is unknown."""

    if args.file:
        raise UsageError("--continue sends one PROMPT; --file cannot be used with it.")
    if args.left or args.right or args.blind or args.no_save:
        raise UsageError("--continue keeps the battle's contenders, seats and mode; drop "
                         "--left/--right/--blind/--no-save.")
    prompt = read_prompt(args)
    with command_store() as store, local_worker_pool() as pool, ClientPool() as clients:
        try:
            battle_id = resolve_battle_id(store, args.continue_id)
            session = RoundSession.resume(store, battle_id, functools.partial(
                make_contender, local_pool=pool, clients=clients))
            if args.reveal:
                session.reveal = args.reveal
        except (BattleNotFound, ConversationEnded) as exc:
            raise CommandFailed(exc.message) from None
        except ContenderError as exc:
            raise CommandFailed(exc.message) from None
        try:
            ok, _ = ask_turn(session, prompt, args, False)
        finally:
            close_contenders(session.contenders)
    return 0 if ok else 1


def load_prompt_items(path: str) -> list[tuple[int, str, str | None]]:
    """(line, prompt, category) for each good line; bad lines are reported and skipped."""
    try:
        prompt_set = load_prompt_set(path)
    except PromptSetError as exc:
        raise UsageError(exc.message) from None
    for problem in prompt_set.problems:
        print(f"{prompt_set.path.name} line {problem.line}: {problem.message}", file=sys.stderr)
    if not prompt_set.items:
        raise UsageError(f"'{path}' has no prompts to run.")
    return [(item.line, item.prompt, item.category) for item in prompt_set.items]


def ask_turn(session, prompt: str, args, json_lines: bool) -> tuple[bool, bool]:
    """Run, save and show one turn. Returns (no side failed, the user stopped it)."""

    shown = labels(session)
    try:
        battle = session.start_turn(prompt)
    except TurnRefused as exc:  # refused before anything was sent
        raise CommandFailed(exc.message) from None
    if args.json or session.reveal == LIVE:
        drive_turn(battle, shown, args.json, session)
    else:
        drive_paced(battle, shown, session.reveal)
    answers = battle.answers
    record, save_error = None, None
    try:
        record = (battle_ops.save_turn(session.store, session, battle).value.record
                  if session.store is not None else session.finish_turn(battle))  # --no-save
    except StoreError as exc:
        save_error = exc.message
    if args.json:
        print_json(json_result(session, answers, record), lines=json_lines)
    else:
        printer = LivePrinter(shown)
        print()
        for slot in sorted(shown, key=shown.get):  # A first when blind
            name = shown[slot] if session.blind else answers[slot].contender
            printer.metrics(slot, session.public_answer(answers[slot], session.seat_of(slot)),
                            name, blind=not session.revealed)
        after_battle(record, session.blind)
    if save_error:
        print(f"sidebyside: the battle was not saved: {save_error}", file=sys.stderr)
    ok = save_error is None and all(a.error is None for a in answers.values())
    stopped = any(a.finish_reason == "cancelled" for a in answers.values())
    return ok, stopped


def close_contenders(contenders: dict) -> None:
    for contender in contenders.values():
        contender.close()


@contextlib.contextmanager
def local_worker_pool():
    """The command's pool of local model workers, ended when the command ends (rather than at
    interpreter exit). Loaded only when a local contender needs it."""
    # deferred: the worker pool brings subprocess, logging and concurrent.futures (~14 ms), and
    # every command's parser imports this module
    from desktop.core.local.workers import WorkerPool  # noqa: PLC0415

    with WorkerPool() as pool:
        yield pool
