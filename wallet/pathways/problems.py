"""Problems with a pathway file, each naming its place: the error type, the raw-text nesting
check (no recursion, so 10,000 levels give a message, not a ``RecursionError``) and the
wording of JSON Schema errors."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jsonschema.exceptions import ValidationError

from verifier.credential import too_deep_at
from wallet.pathways.messages import N_, Message

#: JSON nesting allowed in the raw text (a requirement level takes two: object and list).
MAX_JSON_DEPTH = 64
#: Requirement levels allowed once sub-pathways are inlined.
MAX_LEVELS = 16
KINDS = ("all_of", "n_of", "ects_from", "achievement", "skills", "pathway")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a pathway file: where (a JSON path such as ``$.target``) and what."""

    path: str
    message: Message


class DefinitionError(ValueError):
    """A pathway file that cannot be used; ``problems`` says where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p.path}: {p.message}" for p in problems))
        self.problems = problems


def one(path: str, msgid: str, **params: Any) -> DefinitionError:
    return DefinitionError([Problem(path, Message(msgid, params))])


def check_nesting(text: str) -> None:
    """Refuse JSON nested deeper than ``MAX_JSON_DEPTH``, naming where, without recursion."""
    found = too_deep_at(text, MAX_JSON_DEPTH)
    if found is not None:
        line, column = found
        raise one(
            f"line {line}, column {column}",
            N_(
                "The file nests more than %(levels)d levels deep at line %(line)d, "
                "column %(column)d; a pathway may have at most %(max)d requirement levels."
            ),
            levels=MAX_JSON_DEPTH,
            line=line,
            column=column,
            max=MAX_LEVELS,
        )


def json_path(parts: Any) -> str:
    """A JSON path such as ``$.requirements.requirements[2].ects`` from path parts."""
    out = "$"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def schema_problem(error: ValidationError) -> Problem:
    path = json_path(error.absolute_path)
    validator_name = error.validator
    if validator_name == "enum" and list(error.absolute_path)[-1:] == ["kind"]:
        return Problem(
            path,
            Message(
                N_("Unknown requirement kind %(kind)s; use one of %(kinds)s."),
                {"kind": json.dumps(error.instance), "kinds": ", ".join(KINDS)},
            ),
        )
    if validator_name == "minimum" and isinstance(error.instance, int | float):
        return Problem(
            path,
            Message(
                N_("%(value)s is too small here: the least allowed is %(minimum)s."),
                {"value": error.instance, "minimum": error.validator_value},
            ),
        )
    if validator_name == "required":
        return Problem(
            path,
            Message(N_("Something required is missing: %(detail)s."), {"detail": error.message}),
        )
    if "propertyNames" in error.schema_path and isinstance(error.validator_value, list):
        return Problem(
            path,
            Message(
                N_("A property is not allowed here: %(name)s (allowed: %(allowed)s)."),
                {
                    "name": json.dumps(error.instance),
                    "allowed": ", ".join(map(str, error.validator_value)),
                },
            ),
        )
    if validator_name == "propertyNames" or validator_name == "additionalProperties":
        return Problem(
            path,
            Message(N_("A property is not allowed here: %(detail)s."), {"detail": error.message}),
        )
    if validator_name == "anyOf":
        return Problem(
            path,
            Message(
                N_(
                    "An achievement requirement needs an achievement_id, a specification_id, "
                    "or a title and an issuer."
                )
            ),
        )
    return Problem(path, Message(N_("Not allowed here: %(detail)s."), {"detail": error.message}))


def unique(problems: list[Problem]) -> list[Problem]:
    seen: set[tuple[str, str]] = set()
    out = []
    for problem in problems:
        key = (problem.path, str(problem.message))
        if key not in seen:
            seen.add(key)
            out.append(problem)
    return out


def _refs(node: Any, path: str) -> list[tuple[str, str]]:
    """Every sub-pathway reference under ``node`` with its path (iteratively)."""
    found, stack = [], [(node, path)]
    while stack:
        item, where = stack.pop()
        if item.get("kind") == "pathway":
            found.append((item["ref"], where))
        for i, child in enumerate(item.get("requirements", ())):
            stack.append((child, f"{where}.requirements[{i}]"))
    return found


def check_cycles(subs: Mapping[str, Any]) -> None:
    """Refuse sub-pathways that refer, directly or through others, back to themselves."""
    graph = {
        key: _refs(sub["requirements"], f"$.subpathways.{key}.requirements")
        for key, sub in subs.items()
    }
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in graph:
        if state.get(start):
            continue
        trail = [start]
        stack = [iter(graph[start])]
        state[start] = 1
        while stack:
            step = next(stack[-1], None)
            if step is None:
                state[trail.pop()] = 2
                stack.pop()
                continue
            ref, where = step
            if ref not in graph or state.get(ref) == 2:
                continue
            if state.get(ref) == 1:
                loop = trail[trail.index(ref) :] + [ref]
                raise one(
                    where,
                    N_("The sub-pathways refer to each other in a cycle: %(cycle)s."),
                    cycle=" → ".join(loop),
                )
            state[ref] = 1
            trail.append(ref)
            stack.append(iter(graph[ref]))
