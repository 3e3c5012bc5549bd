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
from typing import TYPE_CHECKING, Any

from dateutil.relativedelta import relativedelta

from cellclinic.lib.dates import age_on

if TYPE_CHECKING:  # types only: the schema calls this module to check a file's conditions
    from cellclinic.programs.schema import Item, ProgramDefinition

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
    if len(keys) == 1 and keys <= set(COMBINATIONS):
        (key,) = keys
        return COMBINATIONS[key](raw[key], definition, f"{where}.{key}")
    if "item" not in keys or len(keys) != 2:
        raise RuleError(f"{where}: unknown condition {sorted(keys)}")
    item = _item(definition, raw["item"], f"{where}.item")
    (test_name,) = keys - {"item"}
    at = f"{where}.{test_name}"
    parse_test = ITEM_TESTS.get(test_name)
    if parse_test is None:
        raise RuleError(f"{at}: unknown test '{test_name}'")
    return parse_test(item, test_name, raw[test_name], at)


def _parse_list(raw: Any, definition: ProgramDefinition, at: str) -> tuple[Node, ...]:
    if not isinstance(raw, list) or not raw:
        raise RuleError(f"{at}: give a non-empty list of conditions")
    return tuple(parse_condition(child, definition, f"{at}[{i}]") for i, child in enumerate(raw))


def _parse_age(raw: Any, definition: ProgramDefinition, at: str) -> Age:
    if not isinstance(raw, dict) or len(raw) != 1 or next(iter(raw)) not in COMPARISONS:
        raise RuleError(f"{at}: give one of {', '.join(COMPARISONS)}, e.g. {{lt: 5}}")
    op, years = next(iter(raw.items()))
    if not _is_whole(years) or years < 0:
        raise RuleError(f"{at}.{op}: a whole number of years")
    _item(definition, BIRTH_DATE, at)
    return Age(op, years)


def _parse_missing(raw: Any, definition: ProgramDefinition, at: str) -> Missing:
    _item(definition, raw, at)
    return Missing(raw)


# The conditions that are not about one item: each takes (value, definition, where).
COMBINATIONS: dict[str, Callable[[Any, ProgramDefinition, str], Node]] = {
    "all": lambda raw, definition, at: All(_parse_list(raw, definition, at)),
    "any": lambda raw, definition, at: AnyOf(_parse_list(raw, definition, at)),
    "not": lambda raw, definition, at: Not(parse_condition(raw, definition, at)),
    "missing": _parse_missing,
    "age": _parse_age,
}


def _is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _needs(item: Item, kind: str, test_name: str, at: str, what: str) -> None:
    if item.type != kind:
        raise RuleError(f"{at}: {item.id} is a {item.type} item; '{test_name}' needs {what}")


def _parse_one_of(item: Item, test_name: str, value: Any, at: str) -> OneOf:
    values = (value,) if test_name == "equals" else value
    _needs(item, "choice", test_name, at, "a choice")
    _values_in(values, item.choices, item.id, at)
    return OneOf(item.id, tuple(values))


def _parse_contains(item: Item, test_name: str, value: Any, at: str) -> Contains:
    values = (value,) if test_name == "contains" else value
    _needs(item, "multi_choice", test_name, at, "a multi-choice")
    _values_in(values, item.choices, item.id, at)
    return Contains(item.id, tuple(values))


def _parse_compare(item: Item, test_name: str, value: Any, at: str) -> Compare:
    _needs(item, "integer", test_name, at, "a number")
    if not _is_whole(value):
        raise RuleError(f"{at}: compare with a whole number")
    return Compare(item.id, test_name, value)


def _parse_is(item: Item, test_name: str, value: Any, at: str) -> IsBool:
    if item.type != "boolean" or not isinstance(value, bool):
        raise RuleError(f"{at}: 'is' tests a yes/no item against true or false")
    return IsBool(item.id, value)


def _parse_months_ago(item: Item, test_name: str, value: Any, at: str) -> MonthsAgo:
    _needs(item, "date", test_name, at, "a date")
    if not _is_whole(value) or value < 0:
        raise RuleError(f"{at}: a whole number of months")
    return MonthsAgo(item.id, test_name == "on_or_after_months_ago", value)


# The tests on one item's answer: each takes (item, test name, value, where).
ITEM_TESTS: dict[str, Callable[[Item, str, Any, str], Node]] = {
    "equals": _parse_one_of,
    "in": _parse_one_of,
    "contains": _parse_contains,
    "contains_any": _parse_contains,
    **dict.fromkeys(COMPARISONS, _parse_compare),
    "is": _parse_is,
    "on_or_after_months_ago": _parse_months_ago,
    "before_months_ago": _parse_months_ago,
}


def _item(definition: ProgramDefinition, item_id: Any, where: str) -> Item:
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
    return PYTHON[type(node)](node)


def _python_item(node: OneOf | Compare | Contains | IsBool | MonthsAgo) -> Test:
    """A test of one item's answer: unknown when it is missing."""
    key = node.item

    def test(answers: dict[str, Any], t: Thresholds) -> Tri:
        value = answers.get(key)
        if value is None:
            return None
        return _test_value(node, value, t)

    return test


def _kleene(children: list[Test], decisive: bool) -> Test:
    """all (decisive False) or any (decisive True): one decisive child decides; otherwise
    an unknown child makes the whole unknown."""

    def combined(answers: dict[str, Any], t: Thresholds) -> Tri:
        result: Tri = not decisive
        for child in children:
            value = child(answers, t)
            if value is decisive:
                return decisive
            if value is None:
                result = None
        return result

    return combined


def _python_not(node: Not) -> Test:
    child = compile_python(node.child)

    def negate(answers: dict[str, Any], t: Thresholds) -> Tri:
        value = child(answers, t)
        return None if value is None else not value

    return negate


def _python_age(node: Age) -> Test:
    op, years = node.op, node.years

    def age_test(answers: dict[str, Any], t: Thresholds) -> Tri:
        birth = answers.get(BIRTH_DATE)
        if birth is None:
            return None
        return _compare(age_on(date.fromisoformat(birth), t.as_of), op, years)

    return age_test


def _python_missing(node: Missing) -> Test:
    key = node.item
    return lambda answers, t: answers.get(key) is None


PYTHON: dict[type, Callable[[Any], Test]] = {
    All: lambda node: _kleene([compile_python(child) for child in node.children], False),
    AnyOf: lambda node: _kleene([compile_python(child) for child in node.children], True),
    Not: _python_not,
    Missing: _python_missing,
    Age: _python_age,
    **dict.fromkeys((OneOf, Compare, Contains, IsBool, MonthsAgo), _python_item),
}


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
    return SQL[type(node)](node, dialect, t)


Sql = tuple[str, list[Any]]


def _sql_all_or_any(node: All | AnyOf, dialect: Dialect, t: Thresholds) -> Sql:
    parts = [compile_sql(child, dialect, t) for child in node.children]
    joiner = " AND " if isinstance(node, All) else " OR "
    return "(" + joiner.join(sql for sql, _ in parts) + ")", [p for _, ps in parts for p in ps]


def _sql_not(node: Not, dialect: Dialect, t: Thresholds) -> Sql:
    sql, params = compile_sql(node.child, dialect, t)
    return f"(NOT {sql})", params


def _sql_missing(node: Missing, dialect: Dialect, t: Thresholds) -> Sql:
    sql, params = dialect.text(node.item)
    return f"({sql} IS NULL)", params


# age >= N  <=>  birth <= the latest birth date with age N; age > N is age >= N + 1.
AGE_SQL = {"gte": ("<=", 0), "lt": (">", 0), "gt": ("<=", 1), "lte": (">", 1)}


def _sql_age(node: Age, dialect: Dialect, t: Thresholds) -> Sql:
    sql, params = dialect.text(BIRTH_DATE)
    op, extra_year = AGE_SQL[node.op]
    return f"({sql} {op} %s)", params + [t.birth_cutoff(node.years + extra_year)]


def _sql_one_of(node: OneOf, dialect: Dialect, t: Thresholds) -> Sql:
    sql, params = dialect.text(node.item)
    marks = ", ".join(["%s"] * len(node.values))
    return f"({sql} IN ({marks}))", params + list(node.values)


def _sql_contains(node: Contains, dialect: Dialect, t: Thresholds) -> Sql:
    sql, params = dialect.text(node.item)
    tests, values = [], []
    for value in node.values:
        tests.append(f"{dialect.position(sql, '%s')} > 0")
        values.extend(params + [f'"{value}"'])
    return "(" + " OR ".join(tests) + ")", values


def _sql_compare(node: Compare, dialect: Dialect, t: Thresholds) -> Sql:
    sql, params = dialect.integer(node.item)
    return f"({sql} {SQL_OPS[node.op]} %s)", params + [node.value]


def _sql_is(node: IsBool, dialect: Dialect, t: Thresholds) -> Sql:
    sql, params = dialect.text(node.item)
    return f"({sql} = '{dialect.boolean_literal(node.value)}')", params


def _sql_months_ago(node: MonthsAgo, dialect: Dialect, t: Thresholds) -> Sql:
    sql, params = dialect.text(node.item)
    op = ">=" if node.on_or_after else "<"
    return f"({sql} {op} %s)", params + [t.months_ago(node.months)]


SQL: dict[type, Callable[[Any, Dialect, Thresholds], Sql]] = {
    All: _sql_all_or_any,
    AnyOf: _sql_all_or_any,
    Not: _sql_not,
    Missing: _sql_missing,
    Age: _sql_age,
    OneOf: _sql_one_of,
    Contains: _sql_contains,
    Compare: _sql_compare,
    IsBool: _sql_is,
    MonthsAgo: _sql_months_ago,
}
