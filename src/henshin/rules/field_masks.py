"""Building the field masks of `henshin.rules.index` from the rule parts filed per field.

For a field with a few values (network, channel, priority…) every value some rule names
gets its own mask, and one mask stands for all the others; a number field is cut into
regions by the thresholds the rules name; yes/no fields have two masks. Each mask is
computed by asking the naive evaluator (`value_holds`) about a representative value, so
the masks cannot disagree with the reference.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from henshin.rules.conditions import ConditionNode, iter_leaves
from henshin.rules.fields import CONDITION_FIELDS, ConditionField, FieldKind
from henshin.rules.index import FieldMasks, FlagMasks, LabelMasks, NumberMasks, ValueMasks
from henshin.rules.naive import value_holds

_FIELD_OF_ATTRIBUTE = {f.attribute: f for f in CONDITION_FIELDS.values()}
_UNNAMED = object()  # a value equal to none a rule names: stands for all such values


class FieldMaskBuilder:
    """Masks over the fields outside the text, for the ``all`` parts or the either parts.

    For the ``all`` parts a rule's bit is set where all its parts on the field hold (and
    where it has none); for either parts, where some branch on the field holds.
    """

    def __init__(self, bit: Callable[[int], int], everyone: int, *, every_part: bool) -> None:
        self.bit = bit  # rule number → its bit
        self.everyone = everyone
        self.every_part = every_part
        self.parts: defaultdict[str, dict[int, list[ConditionNode]]] = defaultdict(dict)
        self.label_opens: defaultdict[str, defaultdict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.label_closes: defaultdict[str, defaultdict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.label_needed: defaultdict[str, int] = defaultdict(int)

    def add(self, number: int, attribute: str, part: ConditionNode) -> None:
        """File a part of rule ``number`` whose every leaf tests ``attribute``."""
        self.parts[attribute].setdefault(number, []).append(part)

    def add_labels(self, number: int, attribute: str, names: list[str], *, opens: bool) -> None:
        """File "has any of ``names``" (``opens``) or "has none of them" for rule ``number``."""
        bit = self.bit(number)
        by_label = (self.label_opens if opens else self.label_closes)[attribute]
        for name in names:
            by_label[name] |= bit
        if opens:
            self.label_needed[attribute] |= bit

    def masks(self) -> FieldMasks:
        """The masks of everything filed."""
        values: list[ValueMasks] = []
        flags: list[FlagMasks] = []
        numbers: list[NumberMasks] = []
        for attribute, parts in sorted(self.parts.items()):
            condition_field = _FIELD_OF_ATTRIBUTE[attribute]
            if condition_field.kind is FieldKind.FLAG:
                flags.append(self._flag_masks(attribute, parts))
            elif condition_field.kind is FieldKind.NUMBER:
                numbers.append(self._number_masks(attribute, parts))
            else:
                values.append(self._value_masks(condition_field, parts))
        labels = [
            LabelMasks(
                attribute=attribute,
                unlabelled=self._start & ~self.label_needed[attribute],
                by_label={
                    name: (self.label_opens[attribute][name], self.label_closes[attribute][name])
                    for name in {*self.label_opens[attribute], *self.label_closes[attribute]}
                },
            )
            for attribute in sorted({*self.label_opens, *self.label_closes})
        ]
        return FieldMasks(tuple(values), tuple(flags), tuple(numbers), tuple(labels))

    @property
    def _start(self) -> int:
        """The mask before any rule is filed: all rules hold (``all`` parts), none opens (either)."""
        return self.everyone if self.every_part else 0

    def _holding(self, parts: dict[int, list[ConditionNode]], actual: Any, rules: int) -> int:
        """``rules`` with each listed rule's bit set when its parts hold for ``actual``, else cleared."""
        combine = all if self.every_part else any
        for number, nodes in parts.items():
            if combine(value_holds(node, actual) for node in nodes):
                rules |= self.bit(number)
            else:
                rules &= ~self.bit(number)
        return rules

    def _flag_masks(self, attribute: str, parts: dict[int, list[ConditionNode]]) -> FlagMasks:
        return FlagMasks(
            attribute=attribute,
            when_true=self._holding(parts, True, self._start),
            when_false=self._holding(parts, False, self._start),
        )

    def _value_masks(
        self, condition_field: ConditionField, parts: dict[int, list[ConditionNode]]
    ) -> ValueMasks:
        otherwise = self._holding(parts, _UNNAMED, self._start)
        named: defaultdict[Any, dict[int, list[ConditionNode]]] = defaultdict(dict)
        for number, nodes in parts.items():
            for value in _named_values(condition_field, nodes):
                named[value][number] = nodes
        return ValueMasks(
            attribute=condition_field.attribute,
            by_value={value: self._holding(rules, value, otherwise) for value, rules in named.items()},
            otherwise=otherwise,
        )

    def _number_masks(self, attribute: str, parts: dict[int, list[ConditionNode]]) -> NumberMasks:
        # A rule's verdict changes only at its own thresholds: sweep the regions in order
        # and re-evaluate a rule only where one of its thresholds starts or ends a region.
        own = {n: {float(leaf.value) for node in nodes for leaf in iter_leaves(node)} for n, nodes in parts.items()}
        thresholds = sorted(set().union(*own.values()))
        position = {threshold: i for i, threshold in enumerate(thresholds)}
        points: list[Fraction | float] = [Fraction(thresholds[0]) - 1]
        for i, threshold in enumerate(thresholds):
            above = Fraction(thresholds[i + 1]) if i + 1 < len(thresholds) else Fraction(threshold) + 2
            points += [threshold, (Fraction(threshold) + above) / 2]
        changes: defaultdict[int, dict[int, list[ConditionNode]]] = defaultdict(dict)
        for number, values in own.items():
            for value in values:
                changes[2 * position[value] + 1][number] = parts[number]
                changes[2 * position[value] + 2][number] = parts[number]
        regions = [self._holding(parts, points[0], self._start)]
        for region in range(1, len(points)):
            regions.append(self._holding(changes.get(region, {}), points[region], regions[-1]))
        return NumberMasks(
            attribute=attribute,
            thresholds=tuple(thresholds),
            regions=tuple(regions),
            missing=self._holding(parts, None, self._start),
        )


def _named_values(condition_field: ConditionField, nodes: list[ConditionNode]) -> set[Any]:
    """The values of a field at which a rule's verdict may differ from `_UNNAMED`'s."""
    if condition_field.kind is FieldKind.RANKED:  # order comparisons tell every rank apart
        return {None, *(condition_field.choices or ())}
    named: set[Any] = set()
    for node in nodes:
        for leaf in iter_leaves(node):
            named.update(leaf.value if isinstance(leaf.value, list) else [leaf.value])
    return named
