"""Ledgers (整改台账): tables whose rows are problems, with measures, responsible, deadline and status."""

from __future__ import annotations

from .models import Category, Table


def ledger_categories(tables: tuple[Table, ...], year: int | None) -> tuple[list[Category], list[str]]:
    return [], []
