"""The screening rule language: conditions on intake answers, written in program files.

A condition is a small tree of mappings (never code):

    {item: cp.epilepsy, equals: uncontrolled}          {item: cp.epilepsy, in: [a, b]}
    {item: cp.seizure_free_months, lte: 6}             (lt, lte, gt, gte on integer items)
    {item: cp.goals, contains: cognition}              {item: cp.goals, contains_any: [a, b]}
    {item: cp.autism, is: true}                        {missing: cp.seizure_free_months}
    {age: {lt: 5}}                                     (whole years from patient.birth_date)
    {item: stroke.onset_date, on_or_after_months_ago: 6}
    {item: stroke.onset_date, before_months_ago: 12}
    {all: [...]}   {any: [...]}   {not: {...}}

Logic is three-valued: a test on a missing answer is *unknown*, and all/any/not combine
unknowns as SQL does (Kleene logic). A rule fires only when its condition is *true*, so a
rule that needs a missing answer does not fire (programs.md section 4); `missing` is the
one test that is true or false, never unknown.

Each condition compiles twice: to a Python callable (one screening) and to SQL over the
stored answers (re-screening every past inquiry at once). Both take one as-of date; the
calendar thresholds (birthdays, "6 months ago") are computed once in Python with
`dateutil.relativedelta`, so both forms count intervals exactly as the spec says.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta

from cellclinic.programs.answers import age_on
from cellclinic.programs.schema import ProgramDefinition

BIRTH_DATE = "patient.birth_date"
Tri = bool | None  # True, False, or None for unknown
Test = Callable[[dict[str, Any], "Thresholds"], Tri]
COMPARISONS = ("lt", "lte", "gt", "gte")


class RuleError(Exception):
    """A rule that cannot be used; the message names where it is."""


# --- the tree ---------------------------------------------------------------------------


@dataclass(frozen=True)
class All:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class AnyOf:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class Missing:
    item: str


@dataclass(frozen=True)
class OneOf:
    """A choice answer is one of these values."""

    item: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Compare:
    item: str
    op: str
    value: int


@dataclass(frozen=True)
class Contains:
    """A multi-choice answer holds at least one of these values."""

    item: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class IsBool:
    item: str
    value: bool


@dataclass(frozen=True)
class Age:
    op: str
    years: int


@dataclass(frozen=True)
class MonthsAgo:
    """A date answer on or after (or before) the as-of date minus so many months."""

    item: str
    on_or_after: bool
    months: int


Node = All | AnyOf | Not | Missing | OneOf | Compare | Contains | IsBool | Age | MonthsAgo


# --- parsing ----------------------------------------------------------------------------


def parse_condition(raw: Any, definition: ProgramDefinition, where: str) -> Node:
    """Check one condition against the program's items; errors say where and why."""
    if not isinstance(raw, dict) or not raw:
        raise RuleError(f"{where}: a condition is a mapping such as {{item: ..., equals: ...}}")
    keys = set(raw)
    if keys <= {"all", "any"} and len(keys) == 1:
        key = next(iter(keys))
        children = raw[key]
        if not isinstance(children, list) or not children:
            raise RuleError(f"{where}.{key}: give a non-empty list of conditions")
        parsed = tuple(
            parse_condition(child, definition, f"{where}.{key}[{i}]")
            for i, child in enumerate(children)
        )
        return All(parsed) if key == "all" else AnyOf(parsed)
    if keys == {"not"}:
        return Not(parse_condition(raw["not"], definition, f"{where}.not"))
    if keys == {"missing"}:
        _item(definition, raw["missing"], f"{where}.missing")
        return Missing(raw["missing"])
    if keys == {"age"}:
        test = raw["age"]
        if not isinstance(test, dict) or len(test) != 1 or next(iter(test)) not in COMPARISONS:
            raise RuleError(f"{where}.age: give one of {', '.join(COMPARISONS)}, e.g. {{lt: 5}}")
        op, years = next(iter(test.items()))
        if isinstance(years, bool) or not isinstance(years, int) or years < 0:
            raise RuleError(f"{where}.age.{op}: a whole number of years")
        _item(definition, BIRTH_DATE, f"{where}.age")
        return Age(op, years)
    if "item" not in keys or len(keys) != 2:
        raise RuleError(f"{where}: unknown condition {sorted(keys)}")
    item_id = raw["item"]
    item = _item(definition, item_id, f"{where}.item")
    (test_name,) = keys - {"item"}
    value = raw[test_name]
    at = f"{where}.{test_name}"
    if test_name in ("equals", "in"):
        values = (value,) if test_name == "equals" else value
        if item.type != "choice":
            raise RuleError(f"{at}: {item_id} is a {item.type} item; '{test_name}' needs a choice")
        _values_in(values, item.choices, item_id, at)
        return OneOf(item_id, tuple(values))
    if test_name in ("contains", "contains_any"):
        values = (value,) if test_name == "contains" else value
        if item.type != "multi_choice":
            raise RuleError(
                f"{at}: {item_id} is a {item.type} item; '{test_name}' needs a multi-choice"
            )
        _values_in(values, item.choices, item_id, at)
        return Contains(item_id, tuple(values))
    if test_name in COMPARISONS:
        if item.type != "integer":
            raise RuleError(f"{at}: {item_id} is a {item.type} item; '{test_name}' needs a number")
        if isinstance(value, bool) or not isinstance(value, int):
            raise RuleError(f"{at}: compare with a whole number")
        return Compare(item_id, test_name, value)
    if test_name == "is":
        if item.type != "boolean" or not isinstance(value, bool):
            raise RuleError(f"{at}: 'is' tests a yes/no item against true or false")
        return IsBool(item_id, value)
    if test_name in ("on_or_after_months_ago", "before_months_ago"):
        if item.type != "date":
            raise RuleError(f"{at}: {item_id} is a {item.type} item; '{test_name}' needs a date")
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise RuleError(f"{at}: a whole number of months")
        return MonthsAgo(item_id, test_name == "on_or_after_months_ago", value)
    raise RuleError(f"{at}: unknown test '{test_name}'")


def _item(definition: ProgramDefinition, item_id: Any, where: str) -> Any:
    if not isinstance(item_id, str):
        raise RuleError(f"{where}: name an item id")
    try:
        return definition.item(item_id)
    except KeyError:
        raise RuleError(f"{where}: the program has no item {item_id!r}") from None


def _values_in(values: Any, choices: tuple[str, ...], item_id: str, where: str) -> None:
    if not isinstance(values, (list, tuple)) or not values:
        raise RuleError(f"{where}: give a value or a non-empty list")
    unknown = [v for v in values if v not in choices]
    if unknown:
        raise RuleError(f"{where}: {item_id} has no choice {unknown[0]!r}")


# --- calendar thresholds -----------------------------------------------------------------


def latest_birth_with_age(years: int, as_of: date) -> date:
    """The last birth date whose age at `as_of` is at least `years` (ages only fall as
    births get later, so one date divides the calendar)."""
    guess = as_of - relativedelta(years=years) + timedelta(days=3)
    while age_on(guess, as_of) < years:
        guess -= timedelta(days=1)
    return guess


@dataclass(frozen=True)
class Thresholds:
    """Calendar cut-off dates for one as-of date, computed once per screening run."""

    as_of: date

    def birth_cutoff(self, years: int) -> str:
        return latest_birth_with_age(years, self.as_of).isoformat()

    def months_ago(self, months: int) -> str:
        return (self.as_of - relativedelta(months=months)).isoformat()


# --- Python ------------------------------------------------------------------------------


def compile_python(node: Node) -> Test:
    """A callable (answers, thresholds) -> True / False / None (unknown)."""
    if isinstance(node, All):
        children = [compile_python(child) for child in node.children]

        def all_of(answers: dict[str, Any], t: Thresholds) -> Tri:
            result: Tri = True
            for child in children:
                value = child(answers, t)
                if value is False:
                    return False
                if value is None:
                    result = None
            return result

        return all_of
    if isinstance(node, AnyOf):
        children = [compile_python(child) for child in node.children]

        def any_of(answers: dict[str, Any], t: Thresholds) -> Tri:
            result: Tri = False
            for child in children:
                value = child(answers, t)
                if value is True:
                    return True
                if value is None:
                    result = None
            return result

        return any_of
    if isinstance(node, Not):
        child = compile_python(node.child)

        def negate(answers: dict[str, Any], t: Thresholds) -> Tri:
            value = child(answers, t)
            return None if value is None else not value

        return negate
    if isinstance(node, Missing):
        key = node.item
        return lambda answers, t: answers.get(key) is None
    if isinstance(node, Age):
        op, years = node.op, node.years

        def age_test(answers: dict[str, Any], t: Thresholds) -> Tri:
            birth = answers.get(BIRTH_DATE)
            if birth is None:
                return None
            return _compare(age_on(date.fromisoformat(birth), t.as_of), op, years)

        return age_test
    key = node.item

    def test(answers: dict[str, Any], t: Thresholds) -> Tri:
        value = answers.get(key)
        if value is None:
            return None
        return _test_value(node, value, t)

    return test


def _compare(left: int, op: str, right: int) -> bool:
    return {"lt": left < right, "lte": left <= right, "gt": left > right, "gte": left >= right}[op]


def _test_value(node: Node, value: Any, t: Thresholds) -> bool:
    if isinstance(node, OneOf):
        return value in node.values
    if isinstance(node, Contains):
        return any(v in value for v in node.values)
    if isinstance(node, Compare):
        return _compare(value, node.op, node.value)
    if isinstance(node, IsBool):
        return value is node.value
    if isinstance(node, MonthsAgo):
        cutoff = (t.as_of - relativedelta(months=node.months)).isoformat()
        return value >= cutoff if node.on_or_after else value < cutoff
    raise AssertionError(node)


# --- SQL ---------------------------------------------------------------------------------


class Dialect:
    """How to read one answer out of the stored JSON, per database."""

    def __init__(self, vendor: str, column: str) -> None:
        if vendor not in ("sqlite", "postgresql"):
            raise RuleError(f"bulk screening does not support {vendor}")
        self.vendor = vendor
        self.column = column

    def text(self, item: str) -> tuple[str, list[Any]]:
        """The answer as SQL text: a string, a number, a boolean, or a list's JSON text."""
        if self.vendor == "sqlite":
            return f"CAST(json_extract({self.column}, %s) AS TEXT)", [f'$."{item}"']
        return f"({self.column} ->> %s)", [item]

    def integer(self, item: str) -> tuple[str, list[Any]]:
        if self.vendor == "sqlite":
            return f"json_extract({self.column}, %s)", [f'$."{item}"']
        return f"CAST({self.column} ->> %s AS INTEGER)", [item]

    def boolean_literal(self, value: bool) -> str:
        if self.vendor == "sqlite":
            return "1" if value else "0"
        return "true" if value else "false"

    def position(self, haystack: str, needle: str) -> str:
        return (
            f"instr({haystack}, {needle})"
            if self.vendor == "sqlite"
            else f"strpos({haystack}, {needle})"
        )


SQL_OPS = {"lt": "<", "lte": "<=", "gt": ">", "gte": ">="}


def compile_sql(node: Node, dialect: Dialect, t: Thresholds) -> tuple[str, list[Any]]:
    """A boolean SQL expression that is NULL where the Python form gives None."""
    if isinstance(node, (All, AnyOf)):
        parts = [compile_sql(child, dialect, t) for child in node.children]
        joiner = " AND " if isinstance(node, All) else " OR "
        return "(" + joiner.join(sql for sql, _ in parts) + ")", [p for _, ps in parts for p in ps]
    if isinstance(node, Not):
        sql, params = compile_sql(node.child, dialect, t)
        return f"(NOT {sql})", params
    if isinstance(node, Missing):
        sql, params = dialect.text(node.item)
        return f"({sql} IS NULL)", params
    if isinstance(node, Age):
        sql, params = dialect.text(BIRTH_DATE)
        # age >= N  <=>  birth <= the latest birth date with age N
        cutoff_n = t.birth_cutoff(node.years)
        cutoff_n1 = t.birth_cutoff(node.years + 1)
        condition = {
            "gte": f"({sql} <= %s)",
            "lt": f"({sql} > %s)",
            "gt": f"({sql} <= %s)",
            "lte": f"({sql} > %s)",
        }[node.op]
        return condition, params + [cutoff_n1 if node.op in ("gt", "lte") else cutoff_n]
    if isinstance(node, OneOf):
        sql, params = dialect.text(node.item)
        marks = ", ".join(["%s"] * len(node.values))
        return f"({sql} IN ({marks}))", params + list(node.values)
    if isinstance(node, Contains):
        sql, params = dialect.text(node.item)
        tests, values = [], []
        for value in node.values:
            tests.append(f"{dialect.position(sql, '%s')} > 0")
            values.extend(params + [f'"{value}"'])
        return "(" + " OR ".join(tests) + ")", values
    if isinstance(node, Compare):
        sql, params = dialect.integer(node.item)
        return f"({sql} {SQL_OPS[node.op]} %s)", params + [node.value]
    if isinstance(node, IsBool):
        sql, params = dialect.text(node.item)
        return f"({sql} = '{dialect.boolean_literal(node.value)}')", params
    if isinstance(node, MonthsAgo):
        sql, params = dialect.text(node.item)
        op = ">=" if node.on_or_after else "<"
        return f"({sql} {op} %s)", params + [t.months_ago(node.months)]
    raise AssertionError(node)
