"""The building blocks of every YAML model a person writes: strict models and references to other objects."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    """Base of every YAML model: unknown keys are errors, so typos never pass silently."""

    # defer_build: a run validates a few kinds of object, so the validators of the others are never built; this
    # takes about a sixth off the start-up of validate and build.
    model_config = ConfigDict(extra="forbid", populate_by_name=True, defer_build=True)


class External(Model):
    """A reference to an object that Kibana has but this repo does not manage (e.g. a Fleet data view)."""

    external: str


Ref = str | External


def ref_id(ref: Ref) -> str:
    return ref.external if isinstance(ref, External) else ref


@dataclass(frozen=True)
class RefUse:
    """One place where an object points at another; ``project`` resolves and checks these."""

    kind: str  # the target kind's name, e.g. "data_view"
    ref: Ref
    path: tuple[str | int, ...]  # where in the YAML the reference is written
