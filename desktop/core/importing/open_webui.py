"""Open WebUI's evaluation feedback export as votes (see `readers` for the format): each
(feedback, opponent) pair of an arena comparison becomes one vote."""

from __future__ import annotations

from collections.abc import Iterator

from desktop.core.importing.fields import (
    A_WINS, B_WINS, CONTROL, MAX_NAME, OUT_OF_RANGE, TIE, BadRow, Skipped, Vote, bad_name, shown,
    unix_time,
)


def looks_like_open_webui(item: dict) -> bool:
    return isinstance(item.get("data"), dict) and ("type" in item or "meta" in item)


_RATINGS = {"1": A_WINS, "-1": B_WINS, "0": TIE}


def open_webui_votes(line: int, item: dict) -> Iterator[Vote | BadRow | Skipped]:
    data = item.get("data")
    if item.get("type", "rating") != "rating" or not isinstance(data, dict):
        yield Skipped(line)
        return
    opponents = data.get("sibling_model_ids") or []
    if not opponents:
        yield Skipped(line)  # a thumbs up or down on one answer, not a comparison
        return
    feedback_id, model = item.get("id"), data.get("model_id")
    if not isinstance(feedback_id, str) or not feedback_id.strip():
        yield BadRow(line, "a feedback without an id")
        return
    if not isinstance(model, str) or not model.strip() or len(model) > MAX_NAME:
        yield BadRow(line, "no data.model_id")
        return
    rating = data.get("rating")
    outcome = None if isinstance(rating, (bool, float)) or not isinstance(rating, (int, str)) \
        or (isinstance(rating, int) and abs(rating) > 1) else _RATINGS.get(str(rating).strip())
    if outcome is None:
        yield BadRow(line, f"rating {shown(rating, 20)} is not 1, -1 or 0")
        return
    if not isinstance(opponents, list) or not all(isinstance(o, str) for o in opponents):
        yield BadRow(line, "data.sibling_model_ids is not a list of model names")
        return
    tstamp = unix_time(item.get("created_at"))
    if tstamp is OUT_OF_RANGE:
        yield BadRow(line, f"created_at '{shown(item.get('created_at'), 24)}' is out of range "
                           "(a time in Unix seconds is expected)")
        return
    model = model.strip()
    # An over-long opponent is only left out (as before); control characters refuse the row.
    reason = bad_name(model) or next((bad_name(o) for o in opponents if CONTROL.search(o)), None)
    if reason:
        yield BadRow(line, reason)
        return
    for opponent in dict.fromkeys(o.strip() for o in opponents):
        if opponent and opponent != model and len(opponent) <= MAX_NAME:
            yield Vote(line, f"{feedback_id}:{opponent}", model, opponent, outcome, None, tstamp)
