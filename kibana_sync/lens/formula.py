"""Lens formulas (``count(kql='level:ERROR') / count()``): the helper columns Kibana stores beside a formula
column (one per aggregation, ``<id>X0``, ``<id>X1``..., then a ``math`` column holding the tinymath tree).

The tree is rebuilt the way Kibana's tinymath grammar (``@kbn/tinymath``, PEG) builds it, including each node's
``location`` and ``text`` (which keep the whitespace around the sub-expression), so compiled formulas compare
equal to the ones Kibana's editor saved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from kibana_sync.lens.metrics import ALIASES, FIELD_OPERATIONS, NUMBER_ARGUMENT, REFERENCE_OPERATIONS

RECORDS_FIELD = "___records___"  # Lens's pseudo-field of `count`
# Operations whose params carry `emptyAsNull` (show gaps instead of zeros).
EMPTY_AS_NULL_OPERATIONS = ("count", "sum", "average", "min", "max", "median", "standard_deviation",
                            "unique_count")

_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_NAME = re.compile(r"[a-zA-Z_-]+")
_VARIABLE = re.compile(r"[a-zA-Z0-9_.@\[\]{}$#%&:?!~-]+")  # tinymath's ValidChar, without operators
_ARGUMENT_NAME = re.compile(r"[a-zA-Z_]+")
_QUOTED = re.compile(r"'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"")
_OPERATORS = {"+": "add", "-": "subtract", "*": "multiply", "/": "divide"}
_SPACE = " \t\n\r"


class FormulaError(ValueError):
    pass


@dataclass
class _Parser:
    text: str
    pos: int = 0

    def space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in _SPACE:
            self.pos += 1

    def node(self, start: int, **fields: Any) -> dict[str, Any]:
        return {**fields, "location": {"min": start, "max": self.pos}, "text": self.text[start:self.pos]}

    def expression(self) -> Any:
        return self._binary(("+", "-"), self._multiply_divide)

    def _multiply_divide(self) -> Any:
        return self._binary(("*", "/"), self._factor)

    def _binary(self, operators: tuple[str, ...], operand: Any) -> Any:
        start = self.pos
        self.space()
        left = operand()
        rest = []
        while self.pos < len(self.text) and self.text[self.pos] in operators:
            operator = self.text[self.pos]
            self.pos += 1
            rest.append((operator, operand()))
        self.space()
        for operator, right in rest:  # left-associative; only the outermost node gets location and text
            left = {"type": "function", "name": _OPERATORS[operator], "args": [left, right]}
        if rest:
            left.update(self.node(start))
        return left

    def _factor(self) -> Any:
        self.space()
        if self.text.startswith("(", self.pos):
            self.pos += 1
            self.space()
            inner = self.expression()
            self.space()
            self._expect(")")
            self.space()
            return inner
        name = _NAME.match(self.text, self.pos)
        if name and self.text.startswith("(", name.end()):
            return self._function()
        return self._literal()

    def _function(self) -> dict[str, Any]:
        start = self.pos
        self.space()
        name = _NAME.match(self.text, self.pos)
        assert name is not None
        self.pos = name.end() + 1
        self.space()
        args: list[Any] = []
        if not self.text.startswith(")", self.pos):
            args.append(self._argument())
            while True:
                self.space()
                if not self.text.startswith(",", self.pos):
                    break
                self.pos += 1
                self.space()
                args.append(self._argument())
        self.space()
        self._expect(")")
        self.space()
        return self.node(start, type="function", name=name.group(), args=args)

    def _argument(self) -> Any:
        start = self.pos
        name = _ARGUMENT_NAME.match(self.text, self.pos)
        if name:
            after = name.end()
            while after < len(self.text) and self.text[after] in _SPACE:
                after += 1
            if self.text.startswith("=", after) and not self.text.startswith("==", after):
                self.pos = after + 1
                self.space()
                value = self._argument_value()
                return self.node(start, type="namedArgument", name=name.group(), value=value)
        return self.expression()

    def _argument_value(self) -> Any:
        quoted = _QUOTED.match(self.text, self.pos)
        if quoted:
            self.pos = quoted.end()
            value = quoted.group(1) if quoted.group(1) is not None else quoted.group(2)
            return re.sub(r"\\(.)", r"\1", value)
        number = _NUMBER.match(self.text, self.pos)
        if number:
            self.pos = number.end()
            return _parse_number(number.group())
        raise FormulaError(f"expected a quoted value at position {self.pos} of {self.text!r}")

    def _literal(self) -> Any:
        start = self.pos
        self.space()
        number = _NUMBER.match(self.text, self.pos)
        if number:
            self.pos = number.end()
            self.space()
            return _parse_number(number.group())
        variable = _VARIABLE.match(self.text, self.pos)
        if not variable:
            raise FormulaError(f"unexpected {self.text[self.pos:self.pos + 10]!r} at position {self.pos} of "
                               f"{self.text!r}")
        self.pos = variable.end()
        self.space()
        return self.node(start, type="variable", value=variable.group())

    def _expect(self, char: str) -> None:
        if not self.text.startswith(char, self.pos):
            raise FormulaError(f"expected {char!r} at position {self.pos} of {self.text!r}")
        self.pos += 1


def _parse_number(text: str) -> float:
    number = float(text)
    return int(number) if number.is_integer() and not any(c in text for c in ".eE") else number


def parse_formula(text: str) -> Any:
    """The tinymath tree of ``text``; raises FormulaError (a ValueError) saying where it stopped."""
    parser = _Parser(text)
    tree = parser.expression()
    if parser.pos != len(text):
        raise FormulaError(f"unexpected {text[parser.pos:parser.pos + 10]!r} at position {parser.pos} of "
                           f"{text!r}")
    return tree


def formula_columns(formula: str, column_id: str, label: str,
                    inherited: dict[str, Any]) -> tuple[dict[str, dict[str, Any]], str]:
    """The helper columns of ``formula`` (in columnOrder order) and the id the formula column references.
    ``inherited``: the formula column's filter/timeShift/reducedTimeRange, which every aggregation applies."""
    helpers = _Helpers(column_id, f"Part of {label}", inherited)
    tree = helpers.replace(parse_formula(formula))
    if isinstance(tree, str) and tree in helpers.columns:
        return helpers.columns, tree
    math_id = helpers.next_id()
    helpers.columns[math_id] = {
        "label": helpers.label, "dataType": "number", "operationType": "math", "isBucketed": False,
        "scale": "ratio", "params": {"tinymathAst": tree}, "references": list(helpers.direct),
        "customLabel": True}
    return helpers.columns, math_id


class _Helpers:
    """Replaces each Lens aggregation in the tree by the id of a helper column, depth first like Kibana."""

    def __init__(self, column_id: str, label: str, inherited: dict[str, Any]) -> None:
        self.column_id = column_id
        self.label = label
        self.inherited = inherited
        self.columns: dict[str, dict[str, Any]] = {}
        self.direct: list[str] = []  # helpers the math column references

    def next_id(self) -> str:
        return f"{self.column_id}X{len(self.columns)}"

    def replace(self, node: Any) -> Any:
        if not isinstance(node, dict) or node.get("type") != "function":
            if isinstance(node, dict) and node.get("type") == "variable":
                raise FormulaError(f"field {node['value']!r} outside an aggregation such as sum(...)")
            return node
        operation = ALIASES.get(node["name"], node["name"])
        if operation in FIELD_OPERATIONS or operation in REFERENCE_OPERATIONS:
            id_ = self._aggregation(operation, node)
            if id_ not in self.direct:
                self.direct.append(id_)
            return id_
        return {**node, "args": [self.replace(a) for a in node["args"]]}

    def _aggregation(self, operation: str, node: dict[str, Any]) -> str:
        positional = [a for a in node["args"] if not (isinstance(a, dict) and a.get("type") == "namedArgument")]
        named = {a["name"]: a["value"] for a in node["args"]
                 if isinstance(a, dict) and a.get("type") == "namedArgument"}
        column: dict[str, Any] = {"label": self.label, "dataType": "number", "operationType": operation,
                                  "isBucketed": False, "scale": "ratio"}
        params: dict[str, Any] = {}
        if operation in REFERENCE_OPERATIONS:
            if len(positional) != 1 or not isinstance(positional[0], dict):
                raise FormulaError(f"{operation} needs one metric")
            inner = self._aggregation(ALIASES.get(positional[0]["name"], positional[0]["name"]), positional[0])
            column["references"] = [inner]
            if operation == "counter_rate":
                column["timeScale"] = "s"
        else:
            field = positional[0]["value"] if positional and isinstance(positional[0], dict) else None
            if field is None and operation != "count":
                raise FormulaError(f"{operation} needs a field")
            column["sourceField"] = field or RECORDS_FIELD
            if operation in EMPTY_AS_NULL_OPERATIONS:
                params["emptyAsNull"] = False
            if operation == "last_value":
                params.update({"sortField": "@timestamp", "showArrayValues": False})
                # Kibana limits a formula's last value to documents that have the field.
                column["filter"] = {"query": f'"{field}": *', "language": "kuery"}
        column.update(self.inherited)
        if operation in NUMBER_ARGUMENT:
            key = NUMBER_ARGUMENT[operation]
            if key not in named:
                raise FormulaError(f"{operation} needs {key}=<number>")
            params[key] = named.pop(key)
        _named_options(column, named)
        column["params"] = params
        column["customLabel"] = True
        id_ = self.next_id()
        self.columns[id_] = column
        return id_


def _named_options(column: dict[str, Any], named: dict[str, Any]) -> None:
    for key, value in named.items():
        if key in ("kql", "lucene"):
            column["filter"] = {"query": value, "language": "kuery" if key == "kql" else "lucene"}
        elif key == "shift":
            column["timeShift"] = value
        elif key == "reducedTimeRange":
            column["reducedTimeRange"] = value
        else:
            raise FormulaError(f"unknown formula argument {key}=")


def formula_parts(formula: str) -> tuple[list[str], list[str]]:
    """The fields and the KQL queries (``kql='...'``) a formula names, in order."""
    fields: list[str] = []
    queries: list[str] = []

    def walk(node: Any) -> None:
        if not isinstance(node, dict):
            return
        if node.get("type") == "variable":
            fields.append(node["value"])
        elif node.get("type") == "namedArgument" and node["name"] == "kql":
            queries.append(node["value"])
        for arg in node.get("args", []):
            walk(arg)

    walk(parse_formula(formula))
    return fields, queries
