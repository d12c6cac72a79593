"""Reading the team's votes: counts aggregated by the server, fitted here as own votes are.

The server does the heavy part: one GROUP BY over `votes` (per category, ordered pair, outcome,
identity-leak flag, and for the verdict kinds and mode) turns a million votes into a few hundred
rows. They come back as the same `Outcomes` arrays the leaderboard, export and report read for
own votes, each row standing for `count` votes; team votes are real battles with a known first
side, so they count for position bias too (`sided`).

Blind rule: names come only from votes. An unvoted battle's contenders are never read (the
`contenders` table is written only with a vote), so a battle nobody has voted on shows no one
its names through the team store.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from desktop.core.store.db import Store
from desktop.core.contenders.choices import OUTCOME_CODES
from desktop.core.store.sources import TEAM, Outcomes
from desktop.core.team.address import TeamError
from desktop.core.team.schema import ensure_schema
from desktop.core.team.server import connect, server_error
from desktop.core.team.settings import require


def _query(store: Store, sql: str, voter: str | None) -> list[tuple]:
    return _queries(store, [(sql, voter)])[0]


def _queries(store: Store, asks: list[tuple[str, str | None]]) -> list[list[tuple]]:
    """Each (sql, voter) on one connection; `{where}` in the sql narrows it to the voter."""
    settings = require(store)
    address = settings.address
    conn = connect(address)
    try:
        ensure_schema(conn)
        out = []
        for sql, voter in asks:
            where = "WHERE voter = %s" if voter else ""
            out.append(conn.execute(sql.format(where=where), (voter,) if voter else ()).fetchall())
        return out
    except TeamError:
        raise
    except Exception as exc:
        raise server_error(address, "read the team's votes", exc) from None
    finally:
        conn.close()


def check_voter_known(store: Store, voter: str | None) -> None:
    """TeamError when `--voter NAME` names nobody who has voted."""
    if not voter:
        return
    rows = _query(store, "SELECT DISTINCT voter FROM votes ORDER BY voter", None)
    names = [r[0] for r in rows]
    if voter not in names:
        raise TeamError("no_voter", f"No one called '{voter}' has voted in the team store. "
                        f"Voters: {', '.join(names) or 'none yet'}.")


def team_outcomes(store: Store, voter: str | None = None) -> Outcomes:
    rows, info_rows = _queries(store, [
        ("SELECT category, contender_a, contender_b, choice, identity_leak, count(*) "
         "FROM votes {where} GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5", voter),
        ("SELECT contender, model, provider, kind FROM contenders", None),
    ])
    index: dict[str, int] = {}
    category_names: dict[str, str] = {}
    n = len(rows)
    a = np.empty(n, dtype=np.int64)
    b = np.empty(n, dtype=np.int64)
    outcome = np.empty(n, dtype=np.int64)
    count = np.empty(n, dtype=np.int64)
    category = np.empty(n, dtype=object)
    leak = np.empty(n, dtype=bool)
    for r, (cat, ca, cb, choice, leaked, votes) in enumerate(rows):
        a[r] = index.setdefault(ca, len(index))
        b[r] = index.setdefault(cb, len(index))
        outcome[r], count[r], leak[r] = OUTCOME_CODES[choice], votes, leaked
        key = cat.lower()
        category_names.setdefault(key, cat)
        category[r] = key
    known = {c: (model, provider, kind) for c, model, provider, kind in info_rows}
    info = {name: known.get(name, ("", name.split(":")[0], "")) for name in index}
    return Outcomes(list(index), info, a, b, outcome, count, category, leak,
                    np.ones(n, dtype=bool), category_names, TEAM)


def team_pair_rows(store: Store, voter: str | None = None) -> list[tuple]:
    """For the verdict: (category, contender_a, contender_b, kind_a, kind_b, choice,
    identity_leak, mode, count) per distinct combination, counted by the server."""
    return _query(
        store,
        "SELECT category, contender_a, contender_b, kind_a, kind_b, choice, identity_leak, "
        "mode, count(*) FROM votes {where} GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 "
        "ORDER BY 1, 2, 3, 4, 5, 6, 7, 8",
        voter,
    )


def team_vote_rows(store: Store, voter: str | None = None,
                   category: str | None = None) -> Iterator[tuple]:
    """One row per team vote in Chatbot Arena's shape (`export votes --source team`)."""
    rows = _query(
        store,
        "SELECT voter, contender_a, contender_b, CASE choice WHEN 'a' THEN 'model_a' "
        "WHEN 'b' THEN 'model_b' WHEN 'tie' THEN 'tie' ELSE 'tie (bothbad)' END, category, "
        "round(extract(epoch FROM voted_at::timestamptz)::numeric, 3) "
        "FROM votes {where} ORDER BY voted_at, voter, battle_id",
        voter,
    )
    for voter_name, ca, cb, winner, cat, tstamp in rows:
        if category and category.lower() != "all" and cat.lower() != category.lower():
            continue
        yield (f"team:{voter_name}", ca, cb, winner, cat, float(tstamp))

