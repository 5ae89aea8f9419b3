"""`CompiledRuleSet`: a workspace's enabled rules, ready to match one subject quickly.

Built by `henshin.rules.compiler.compile_rule_set`. Matching ANDs one bitset per field the
rules test (`henshin.rules.index`), folds the subject's text once and runs one
Aho-Corasick pass for every keyword of every rule, then visits only the rules left, in
order: a rule's regexes are run (each distinct pattern at most once per subject), then
its residual predicate if it has one. It stops after a matched ``stop_processing`` rule.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from henshin.rules.index import RuleIndex, rule_indexes
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


class CompiledRuleSet:
    """All enabled rules of a workspace, compiled; see `compile_rule_set`."""

    def __init__(
        self,
        *,
        rules: Sequence[tuple[RuleId, RuleSpec]],
        predicates: Sequence[Predicate | None],
        regex_needs: Sequence[tuple[tuple[int, bool], ...]],
        regex_tests: Sequence[Callable[[RuleSubject], bool]],
        automaton: Any,
        index: RuleIndex,
        members: Mapping[str | None, int],
        keyword_count: int,
    ) -> None:
        self._matched = [MatchedRule(rule_id, rule) for rule_id, rule in rules]
        # (regex outcomes needed, residual predicate or None, result, stop) per rule:
        # one lookup per survivor
        self._entries = [
            (needs, predicate, matched, matched.rule.stop_processing)
            for needs, predicate, matched in zip(regex_needs, predicates, self._matched, strict=True)
        ]
        self._regex_tests = list(regex_tests)
        self._automaton = automaton
        self._index = index
        self._members = dict(members)
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

    def _survivors(self, subject: RuleSubject, trigger: str | None) -> tuple[int, KeywordHits]:
        """The rules every mask lets through (a bitset) and the keyword hits they were given."""
        index = self._index
        rules, either = index.by_fields(subject, self._members.get(trigger, 0))
        if not rules & index.reads_text:  # no rule left looks at the text: skip the scan
            return rules & either, set()
        # keyword_hits, inlined: this runs once per engagement
        automaton = self._automaton
        hits = set() if automaton is None else set(map(_second, automaton.iter(scan_form(subject.folded_text))))
        return index.by_keywords(hits, rules, either), hits

    def candidates(
        self, subject: RuleSubject, *, trigger: str | None = "engagement_received"
    ) -> list[int]:
        """Indexes of the rules the masks let through: matched, or left to their residual."""
        return rule_indexes(self._survivors(subject, trigger)[0], len(self._entries))

    def match(
        self, subject: RuleSubject, *, trigger: str | None = "engagement_received"
    ) -> list[MatchedRule]:
        """Rules whose conditions hold, in order, up to the first matched stop rule.

        ``trigger`` limits matching to the rules of that trigger; None takes every rule.
        """
        rules, hits = self._survivors(subject, trigger)
        matched: list[MatchedRule] = []
        entries = self._entries
        last = len(entries) - 1
        regex_outcomes: dict[int, bool] = {}  # each pattern runs at most once per subject
        while rules:  # highest bit first: rules in evaluation order (see `rule_indexes`)
            top = rules.bit_length() - 1
            rules ^= 1 << top
            needs, predicate, result, stop = entries[last - top]
            if needs and not self._regexes_hold(subject, needs, regex_outcomes):
                continue
            if predicate is None or predicate(subject, hits):
                matched.append(result)
                if stop:
                    break
        return matched

    def _regexes_hold(
        self, subject: RuleSubject, needs: tuple[tuple[int, bool], ...], outcomes: dict[int, bool]
    ) -> bool:
        for test_id, wanted in needs:
            outcome = outcomes.get(test_id)
            if outcome is None:
                outcome = outcomes[test_id] = self._regex_tests[test_id](subject)
            if outcome is not wanted:
                return False
        return True
