"""The action plan: the report's findings ordered into steps, one per fix.

Steps come from audit/knowledge/actions/actions.toml (who does it, the effort); a step
blocks delisting when one of its findings does (the remediation catalog says which).
Causes come before symptoms: a listing or a receiver's rejection is not fixed by itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from audit.knowledge.actions import ActionStep, actions
from audit.render.report.groups import FindingGroup
from audit.render.report.view import check_label

TOP_CAUSES = 5


@dataclass(frozen=True)
class PlanItem:
    anchor: str
    title: str
    code: str
    severity: str
    count: int


@dataclass(frozen=True)
class PlanStep:
    number: int
    title: str
    owner: str
    effort: str
    blocks_delisting: bool
    symptom: bool
    items: tuple[PlanItem, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(item.code for item in self.items))


def _fallback(check: str) -> ActionStep:
    """A code no step names (a newer check's): its own step, after the known ones."""
    return ActionStep(
        f"other-{check}", f"Other {check_label(check)} fixes", "mail admin", "varies", False, ()
    )


def build_plan(groups: Sequence[FindingGroup]) -> tuple[PlanStep, ...]:
    catalog = actions()
    order = {step.id: index for index, step in enumerate(catalog.steps)}
    by_step: dict[str, tuple[ActionStep, list[FindingGroup]]] = {}
    for group in groups:
        step = catalog.step_for(group.code) or _fallback(group.check)
        by_step.setdefault(step.id, (step, []))[1].append(group)

    def rank(step: ActionStep) -> tuple[int, int]:
        return (1 if step.symptom else 0, order.get(step.id, len(order)))

    ordered = sorted(by_step.values(), key=lambda pair: rank(pair[0]))
    return tuple(
        PlanStep(
            number=number,
            title=step.title,
            owner=step.owner,
            effort=step.effort,
            blocks_delisting=any(g.blocks_delisting for g in members),
            symptom=step.symptom,
            items=tuple(PlanItem(g.anchor, g.title, g.code, g.severity, g.count) for g in members),
        )
        for number, (step, members) in enumerate(ordered, start=1)
    )


def top_causes(plan: Sequence[PlanStep]) -> tuple[PlanStep, ...]:
    """What to fix first: the causes, blocking ones first, at most TOP_CAUSES."""
    causes = [step for step in plan if not step.symptom]
    return tuple(sorted(causes, key=lambda s: not s.blocks_delisting)[:TOP_CAUSES])
