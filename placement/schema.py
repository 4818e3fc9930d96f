"""The complete metadata that the migrations own, and the filter autogenerate uses.

Other packages keep their models next to their code (e.g. `staff/models.py`) on the same `Base`;
importing them here makes one metadata for Alembic and for the drift test.
"""

from __future__ import annotations

import importlib

from sqlalchemy import MetaData

from placement.models import Base

MODEL_MODULES = ("staff.models",)


def full_metadata() -> MetaData:
    for module in MODEL_MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
    return Base.metadata


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Ignore tables that are not ours (Rasa's `events` when the tracker shares the database)."""
    if type_ == "table":
        return name in full_metadata().tables or name == "alembic_version"
    return True
