"""One planned change to one object, and the actions a plan is made of."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from kibana_sync.kibana.stores.base import Key
from kibana_sync.sync.field_diff import FieldChange


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    RECREATE = "recreate"  # a rule's type or consumer, a connector's type: the APIs cannot update those
    ENABLE = "enable"
    DISABLE = "disable"


SIGNS: dict[Action, str] = {
    Action.CREATE: "+", Action.UPDATE: "~", Action.DELETE: "-", Action.RECREATE: "-+",
    Action.ENABLE: "~", Action.DISABLE: "~",
}


@dataclass
class Change:
    """One object to write or delete, with what differs in the user's terms."""

    action: Action
    store: str  # the name of the kind's store (``Kind.store``)
    kind: str  # kind name for messages ("dashboard"), or the saved-object type when no kind owns it
    type: str  # saved-object type, "rule" or "connector"
    id: str
    title: str
    desired: dict[str, Any] | None = None  # what to send (compiled), None for deletes
    fields: list[FieldChange] = field(default_factory=list)
    set_enabled: bool | None = None  # rules: enable/disable after an update
    live: dict[str, Any] | None = None  # a recreated rule as Kibana had it, put back if the create fails
    note: str = ""
    error: str = ""  # why push cannot write it; a plan with any error writes nothing
    conflict: str = ""  # Kibana has it without kibana-sync's marker: push refuses, diff shows it
    adopted: bool = False  # made without kibana-sync; this push takes it over (--adopt / adopt: true)

    @property
    def key(self) -> Key:
        return (self.type, self.id)

    @property
    def sign(self) -> str:
        return "!" if self.error or self.conflict else SIGNS[self.action]

    @property
    def label(self) -> str:
        return f'{self.kind.replace("_", " ")} "{self.title}"'
