"""The head-to-head matrix: how each contender did against each other one.

`score[i, j]` is the points i took from j (a win 1, a tie or both-bad ½), `games[i, j]` how many
counted votes they met in, and `rate(i, j)` i's share of the points, which is what a leaderboard
cell shows. `score[i, j] + score[j, i] == games[i, j]`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from desktop.core.stats.bradley_terry import pair_matrix


@dataclass
class HeadToHead:
    contenders: list[str]
    games: np.ndarray  # (k, k) int
    score: np.ndarray  # (k, k) float

    def rate(self, i: int, j: int) -> float | None:
        return float(self.score[i, j] / self.games[i, j]) if self.games[i, j] else None

    def to_dict(self) -> dict:
        k = len(self.contenders)
        return {
            "contenders": list(self.contenders),
            "games": self.games.astype(int).tolist(),
            "score": self.score.tolist(),
            "rate": [[self.rate(i, j) for j in range(k)] for i in range(k)],
        }


def head_to_head(
    contenders: list[str], a: np.ndarray, b: np.ndarray, outcome: np.ndarray,
    weight: np.ndarray | None = None,
) -> HeadToHead:
    k = len(contenders)
    score = pair_matrix(a, b, outcome, k, weight)
    games = np.rint(score + score.T).astype(int)
    return HeadToHead(list(contenders), games, score)
