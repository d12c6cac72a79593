"""The curated catalogue shipped with the app (catalogue.json, package data)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources

GB = 1e9


@dataclass(frozen=True)
class CatalogueFile:
    quant: str
    file: str
    size_bytes: int
    memory_bytes: int


@dataclass(frozen=True)
class CatalogueModel:
    name: str
    family: str
    params_b: float
    repo: str
    licence: str
    quants: tuple[CatalogueFile, ...]

    def smallest(self) -> CatalogueFile:
        return min(self.quants, key=lambda q: q.size_bytes)


def load() -> list[CatalogueModel]:
    text = resources.files("desktop.core.library").joinpath("catalogue.json").read_text("utf-8")
    models = []
    for entry in json.loads(text)["models"]:
        quants = tuple(
            CatalogueFile(q["quant"], q["file"], int(q["size_gb"] * GB), int(q["memory_gb"] * GB))
            for q in entry["quants"]
        )
        models.append(CatalogueModel(entry["name"], entry["family"], float(entry["params_b"]),
                                     entry["repo"], entry["licence"], quants))
    return models


def find(repo: str) -> CatalogueModel | None:
    return next((m for m in load() if m.repo.lower() == repo.lower()), None)
