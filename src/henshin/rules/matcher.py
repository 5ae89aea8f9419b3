"""`CompiledRuleSet`: a workspace's enabled rules, ready to match one subject quickly.

Built by `henshin.rules.compiler.compile_rule_set`. Matching folds the subject's text once,
runs one Aho-Corasick pass for every keyword of every rule, picks the candidate rules from
that pass (a rule gated by keywords none of which occur cannot match) and the network, and
evaluates only those, in rule order, stopping after a matched ``stop_processing`` rule.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from henshin.rules.schema import RuleSpec
from henshin.rules.subject import RuleSubject

RuleId = int | str
KeywordHits = set[int]
Predicate = Callable[[RuleSubject, KeywordHits], bool]

_second = itemgetter(1)


@dataclass(frozen=True)
class MatchedRule:
    """A rule whose conditions hold for a subject."""

    rule_id: RuleId
    rule: RuleSpec


def ordered_enabled_rules(
    rules: Iterable[RuleSpec | tuple[RuleId, RuleSpec]],
) -> list[tuple[RuleId, RuleSpec]]:
    """Enabled rules as ``(rule_id, rule)`` in evaluation order: position, then as given.

    A bare `RuleSpec` gets its index in ``rules`` as its id.
    """
    numbered: list[tuple[int, RuleId, RuleSpec]] = []
    for index, item in enumerate(rules):
        rule_id, rule = (index, item) if isinstance(item, RuleSpec) else item
        if rule.enabled:
            numbered.append((index, rule_id, rule))
    numbered.sort(key=lambda entry: (entry[2].position, entry[0]))
    return [(rule_id, rule) for _, rule_id, rule in numbered]


def scan_form(folded: str) -> str:
    """The form the keyword automaton reads: UTF-8 bytes spelled as Latin-1 characters.

    The automaton walks bytes (at most 256 branches a node) instead of thousands of CJK
    characters, which measured about twice as fast; UTF-8 never matches mid-character.
    """
    return folded.encode("utf-8").decode("latin-1")


@dataclass(frozen=True)
class NumericGate:
    """Rules opened by ``attribute <op> threshold``; thresholds ascending."""

    attribute: str
    op: str  # gt, gte, lt, lte
    thresholds: tuple[float, ...]
    rules: tuple[tuple[int, ...], ...]  # rules per threshold

    def opened(self, value: float) -> tuple[tuple[int, ...], ...]:
        """The rule groups whose threshold ``value`` satisfies."""
        if self.op == "gt":
            return self.rules[: bisect_left(self.thresholds, value)]
        if self.op == "gte":
            return self.rules[: bisect_right(self.thresholds, value)]
        if self.op == "lt":
            return self.rules[bisect_right(self.thresholds, value) :]
        return self.rules[bisect_left(self.thresholds, value) :]


@dataclass(frozen=True)
class TriggerIndex:
    """Which rules of one trigger can match, from facts cheap to look up.

    Each rule is filed under its gate: a set of facts at least one of which must be true
    for the rule to match (a keyword found, ``network == "x"``, ``tags ∋ vip``,
    ``sentiment_score <= -0.3``…). Rules without a gate are always evaluated.
    """

    always: tuple[int, ...]
    by_keyword: Mapping[int, tuple[int, ...]]
    by_value: Mapping[tuple[str, Any], tuple[int, ...]]  # (attribute, value)
    value_attributes: tuple[str, ...]
    by_flag: Mapping[tuple[str, bool], tuple[int, ...]]
    flag_attributes: tuple[str, ...]
    by_label: Mapping[tuple[str, str], tuple[int, ...]]  # (set attribute, label)
    label_attributes: tuple[str, ...]
    numeric: tuple[NumericGate, ...]

    def candidates(self, subject: RuleSubject, hits: KeywordHits) -> list[int]:
        """Rule indexes (ascending) whose gate opens for ``subject``."""
        found = set(self.always)
        by_keyword = self.by_keyword
        for keyword_id in hits:
            rules = by_keyword.get(keyword_id)
            if rules:
                found.update(rules)
        for attribute in self.value_attributes:
            rules = self.by_value.get((attribute, getattr(subject, attribute)))
            if rules:
                found.update(rules)
        for attribute in self.flag_attributes:
            rules = self.by_flag.get((attribute, bool(getattr(subject, attribute))))
            if rules:
                found.update(rules)
        for attribute in self.label_attributes:
            for label in getattr(subject, attribute):
                rules = self.by_label.get((attribute, label))
                if rules:
                    found.update(rules)
        for gate in self.numeric:
            value = getattr(subject, gate.attribute)
            if value is not None:
                for rules in gate.opened(value):
                    found.update(rules)
        return sorted(found)


class CompiledRuleSet:
    """All enabled rules of a workspace, compiled; see `compile_rule_set`."""

    def __init__(
        self,
        *,
        rules: Sequence[tuple[RuleId, RuleSpec]],
        predicates: Sequence[Predicate],
        automaton: Any,
        indexes: Mapping[str | None, TriggerIndex],
        keyword_count: int,
    ) -> None:
        self._matched = [MatchedRule(rule_id, rule) for rule_id, rule in rules]
        # (predicate, result, stop) per rule: one lookup per candidate in the hot loop
        self._entries = [
            (predicate, matched, matched.rule.stop_processing)
            for predicate, matched in zip(predicates, self._matched, strict=True)
        ]
        self._automaton = automaton
        self._indexes = dict(indexes)
        self.keyword_count = keyword_count

    def __len__(self) -> int:
        return len(self._matched)

    @property
    def rules(self) -> list[MatchedRule]:
        """The compiled rules in evaluation order."""
        return list(self._matched)

    def keyword_hits(self, subject: RuleSubject) -> KeywordHits:
        """Ids of every keyword (of any rule) found in the subject's folded text."""
        if self._automaton is None:
            return set()
        return set(map(_second, self._automaton.iter(scan_form(subject.folded_text))))

    def candidates(
        self, subject: RuleSubject, *, trigger: str | None = "engagement_received"
    ) -> list[int]:
        """Indexes of the rules worth evaluating (for measurements and tests)."""
        index = self._indexes.get(trigger)
        return [] if index is None else index.candidates(subject, self.keyword_hits(subject))

    def match(
        self, subject: RuleSubject, *, trigger: str | None = "engagement_received"
    ) -> list[MatchedRule]:
        """Rules whose conditions hold, in order, up to the first matched stop rule.

        ``trigger`` limits matching to the rules of that trigger; None takes every rule.
        """
        index = self._indexes.get(trigger)
        if index is None:
            return []
        hits = self.keyword_hits(subject)
        matched: list[MatchedRule] = []
        entries = self._entries
        for rule_index in index.candidates(subject, hits):
            predicate, result, stop = entries[rule_index]
            if predicate(subject, hits):
                matched.append(result)
                if stop:
                    break
        return matched
