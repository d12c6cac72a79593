"""One team member voting in a process of its own (the team tests start several at once).

    python -m tests.team.voter_process VOTES SEED

Uses SIDEBYSIDE_HOME (already joined to the team) and SIDEBYSIDE_TEAM_PASSWORD. Saves a battle
and votes on it VOTES times through the store's own functions, printing `ACK <battle id>` once
each vote is durably recorded, and pushes the outbox after every few votes, as the end of a
command does; a push that fails (the server is down) leaves the queue for the next one.
"""

from __future__ import annotations

import random
import sys

from desktop.core.store import cast_vote, make_record, open_store, save_battle
from desktop.core.team.push import push_outbox
from tests.store.helpers import answer

CONTENDERS = ["local", "openai:gpt-4o-mini", "anthropic:claude-3-5-haiku-latest",
              "compat:m3@http://127.0.0.1:9/v1"]
CATEGORIES = ["coding", "writing", "other"]
PUSH_EVERY = 5


def main() -> int:
    votes, seed = int(sys.argv[1]), int(sys.argv[2])
    rng = random.Random(seed)
    store = open_store()
    for n in range(votes):
        left, right = rng.sample(CONTENDERS, 2)
        record = make_record(f"prompt {seed}-{n}", answer(left, f"text {n}"),
                             answer(right, f"other {n}"), mode="blind",
                             category=rng.choice(CATEGORIES))
        save_battle(store, record)
        choice = rng.choices(["a", "b", "tie", "both_bad"], [5, 4, 1, 1])[0]
        cast_vote(store, record.id, choice)
        print(f"ACK {record.id}", flush=True)
        if n % PUSH_EVERY == PUSH_EVERY - 1 and push_outbox(store).error is not None:
            print("PUSH-FAILED", flush=True)  # the server is down: the queue waits
    push_outbox(store)
    store.close()
    print("DONE", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
