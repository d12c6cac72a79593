"""The team tests run against a real PostgreSQL server: one throwaway cluster per test session
(tests/team/pg_cluster.py), and a fresh role and database per test."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.team.pg_cluster import Cluster


@pytest.fixture(scope="session")
def pg_cluster():
    cluster = Cluster().init()
    try:
        yield cluster
    finally:
        cluster.destroy()


@dataclass
class Team:
    cluster: Cluster
    user: str
    password: str
    db: str

    @property
    def address(self) -> str:
        return self.cluster.address(self.user, self.db)

    def sql(self, query: str) -> str:
        return self.cluster.psql(query, self.db)


@pytest.fixture
def team(pg_cluster) -> Team:
    user, password, db = pg_cluster.new_team()
    return Team(pg_cluster, user, password, db)
