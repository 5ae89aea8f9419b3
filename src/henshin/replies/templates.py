"""Saved-reply templates: ``{variable}`` placeholders filled from the ticket and the agent.

``{customer_name}`` becomes the customer's name; ``{{`` and ``}}`` are literal braces.
A variable with no value is never dropped or rendered silently: it stays visible as
``{name}`` in the text and is listed in :attr:`Rendered.missing`, so the composer can
refuse to send until the agent fills it in. A name outside :data:`KNOWN_VARIABLES`
(a typo such as ``{custmer_name}``) is listed in :attr:`Rendered.unknown` as well.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

# The variables the composer knows how to fill, and what each means.
KNOWN_VARIABLES: dict[str, str] = {
    "customer_name": "the customer's display name",
    "handle": "the customer's @handle on the network",
    "agent_name": "the replying agent's name",
    "brand_name": "the workspace's brand name",
    "order_url": "a link to the customer's order",
    "support_url": "the support department's contact form",
    "kb_url": "a knowledge-base article link",
    "ticket_id": "the ticket's reference",
    "network": "the network the reply goes to",
}

_TOKEN = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}|[{}]")


class TemplateSyntaxError(ValueError):
    """A lone ``{`` or ``}``, or a placeholder that is not a plain name."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} at position {position}")
        self.position = position


@dataclass(frozen=True, slots=True)
class Rendered:
    """A filled template, and the variables that could not be filled."""

    text: str
    missing: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """True when every variable was filled (the reply may be sent as it is)."""
        return not self.missing


def variables_in(template: str) -> list[str]:
    """Return the variable names a template uses, in order of first use, without repeats."""
    names: list[str] = []
    for match in _scan(template):
        name = match.group(1)
        if name and name not in names:
            names.append(name)
    return names


def render(template: str, variables: Mapping[str, object]) -> Rendered:
    """Fill ``template``'s placeholders from ``variables``.

    A variable that is absent, ``None`` or blank is missing: its placeholder is kept
    visible and its name reported. Raises :class:`TemplateSyntaxError` on a lone brace.
    """
    out: list[str] = []
    missing: list[str] = []
    unknown: list[str] = []
    last = 0
    for match in _scan(template):
        out.append(template[last : match.start()])
        last = match.end()
        placeholder = match.group(0)
        name = match.group(1)
        if placeholder == "{{":
            out.append("{")
        elif placeholder == "}}":
            out.append("}")
        elif name is not None:
            value = variables.get(name)
            text = "" if value is None else str(value).strip()
            if text:
                out.append(text)
                continue
            out.append(placeholder)
            if name not in missing:
                missing.append(name)
            if name not in KNOWN_VARIABLES and name not in unknown:
                unknown.append(name)
    out.append(template[last:])
    return Rendered(text="".join(out), missing=missing, unknown=unknown)


def check_template(template: str) -> list[str]:
    """Return the unknown variable names in a template (raises on a syntax error)."""
    return [name for name in variables_in(template) if name not in KNOWN_VARIABLES]


def _scan(template: str) -> list[re.Match[str]]:
    matches = list(_TOKEN.finditer(template))
    for match in matches:
        if match.group(0) in ("{", "}"):
            raise TemplateSyntaxError(
                f"unmatched {match.group(0)!r} (write {{{{ or }}}} for a literal brace)",
                match.start(),
            )
    return matches
