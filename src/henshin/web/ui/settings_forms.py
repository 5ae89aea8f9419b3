"""Reading the Settings page's forms: raw form fields → the data the routing actions take.

Each reader returns the domain data or raises `FormProblems`, which maps a form field to a
translation key (and its values), so the page shows the problem next to that field in the
person's language. The actions validate again; these readers exist so that what a person
types wrong is explained in their words, next to where they typed it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from henshin.routing.hours import WEEKDAYS

ONE_YEAR_MINUTES = 60 * 24 * 365
_LIST_SPLIT = re.compile(r"[\n,、，;；]+")
_PERIOD_SPLIT = re.compile(r"[,、，;；\s]+")
_PERIOD = re.compile(r"^(\d{1,2}):?(\d{2})[-–—~〜ー](\d{1,2}):?(\d{2})$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_HTTP_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)

Form = Mapping[str, Any]


@dataclass
class FormProblems(Exception):
    """Problems with a submitted form: field name → (translation key, values for it)."""

    fields: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)

    def add(self, name: str, key: str, **values: Any) -> None:
        self.fields.setdefault(name, (key, values))

    def raise_if_any(self) -> None:
        if self.fields:
            raise self


def text_of(form: Form, name: str) -> str:
    return str(form.get(name) or "").strip()


def list_of(text: str) -> list[str]:
    """Items typed one per line or separated by commas (also 、 and full-width ones)."""
    return [item.strip() for item in _LIST_SPLIT.split(text) if item.strip()]


def number_of(form: Form, name: str, problems: FormProblems, *, key: str = "settings.error.minutes",
              maximum: int = ONE_YEAR_MINUTES) -> int | None:
    """A whole number 0 … ``maximum`` (full-width digits too); empty means none."""
    raw = unicodedata.normalize("NFKC", text_of(form, name))
    if not raw:
        return None
    if not raw.isdigit() or int(raw) > maximum:
        problems.add(name, key, value=raw)
        return None
    return int(raw)


def zone_name(form: Form, name: str, problems: FormProblems) -> str:
    value = text_of(form, name)
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        problems.add(name, "settings.error.timezone", value=value)
    return value


def periods_of(text: str) -> list[list[str]]:
    """``"09:00-12:00, 13:00〜18:00"`` → ``[["09:00", "12:00"], ["13:00", "18:00"]]``.

    Full-width digits and the usual Japanese range marks are accepted; a period that does
    not parse raises ValueError naming it.
    """
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"\s*([-–—~〜ー])\s*", r"\1", text)
    out: list[list[str]] = []
    for piece in _PERIOD_SPLIT.split(text):
        if not piece:
            continue
        match = _PERIOD.match(piece)
        if match is None:
            raise ValueError(piece)
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if m1 > 59 or m2 > 59 or start > 23 * 60 + 59 or end > 24 * 60 or start == end:
            raise ValueError(piece)
        out.append([f"{h1:02d}:{m1:02d}", f"{h2:02d}:{m2:02d}"])
    return out


def periods_text(periods: list[list[str]]) -> str:
    """The inverse of `periods_of`, for the form: ``09:00-12:00, 13:00-18:00``."""
    return ", ".join(f"{start}-{end}" for start, end in periods)


@dataclass(frozen=True)
class ProfileForm:
    """An agent's routing profile as the actions take it."""

    skills: dict[str, list[str]]
    max_open_tickets: int | None
    shift: dict[str, Any] | None


def read_profile(form: Form, networks: tuple[str, ...]) -> ProfileForm:
    """Skills, capacity and weekly shift from the member form."""
    problems = FormProblems()
    chosen_networks = [str(n) for n in form.getlist("networks")] if hasattr(form, "getlist") else []
    unknown = [n for n in chosen_networks if n not in networks]
    if unknown:
        problems.add("networks", "settings.error.choice", value=", ".join(unknown))
    skills = {
        "languages": [v.casefold() for v in list_of(text_of(form, "languages"))],
        "topics": list_of(text_of(form, "topics")),
        "networks": chosen_networks,
    }
    capacity = number_of(form, "max_open_tickets", problems, key="settings.error.count", maximum=10_000)
    shift = read_week(form, "shift", problems) if form.get("has_shift") else None
    problems.raise_if_any()
    return ProfileForm(skills=skills, max_open_tickets=capacity, shift=shift)


def read_week(form: Form, prefix: str, problems: FormProblems) -> dict[str, Any]:
    """A weekly schedule typed as ``<prefix>_mon`` … ``<prefix>_sun`` periods, ``<prefix>_timezone``
    and ``<prefix>_holidays`` (closed on Japanese national holidays): `WeeklySchedule` JSON."""
    week: dict[str, list[list[str]]] = {}
    for day in WEEKDAYS:
        try:
            periods = periods_of(text_of(form, f"{prefix}_{day}"))
        except ValueError as bad:
            problems.add(f"{prefix}_{day}", "settings.error.period", value=str(bad))
            continue
        if periods:
            week[day] = periods
    zone = zone_name(form, f"{prefix}_timezone", problems)
    if not week and not any(f"{prefix}_{day}" in problems.fields for day in WEEKDAYS):
        problems.add(f"{prefix}_mon", "settings.error.shift_empty")
    return {"timezone": zone, "week": week, "holiday_country": "JP" if form.get(f"{prefix}_holidays") else None}


def read_business_hours(form: Form) -> dict[str, Any] | None:
    """The workspace's business hours from the hours form (``has_hours`` off: calendar hours)."""
    if not form.get("has_hours"):
        return None
    problems = FormProblems()
    hours = read_week(form, "hours", problems)
    closed: list[str] = []
    for item in list_of(unicodedata.normalize("NFKC", text_of(form, "hours_closed_dates"))):
        day = item.replace("/", "-")
        try:
            closed.append(date.fromisoformat(day).isoformat())
        except ValueError:
            problems.add("hours_closed_dates", "settings.error.date", value=item)
    problems.raise_if_any()
    return {**hours, "closed_dates": sorted(set(closed))}


SLA_CHOICES = {"priority": ("low", "normal", "high", "urgent"), "escalation_level": ("L1", "L2", "L3")}


def read_sla_policy(form: Form, channel_ids: set[int]) -> dict[str, Any]:
    """An SLA policy's fields (``do_save_sla_policy``'s data) from the policy form."""
    problems = FormProblems()
    name = text_of(form, "name")
    if not name:
        problems.add("name", "settings.error.required")
    elif len(name) > 200:
        problems.add("name", "settings.error.too_long", limit=200)
    data: dict[str, Any] = {"name": name}
    for key, choices in SLA_CHOICES.items():
        value = text_of(form, key) or None
        if value is not None and value not in choices:
            problems.add(key, "settings.error.choice", value=value)
        data[key] = value
    channel = text_of(form, "channel_id")
    data["channel_id"] = None
    if channel:
        if not channel.isdigit() or int(channel) not in channel_ids:
            problems.add("channel_id", "settings.error.choice", value=channel)
        else:
            data["channel_id"] = int(channel)
    for key in ("first_response_minutes", "next_response_minutes", "resolution_minutes"):
        data[key] = number_of(form, key, problems)
    if not problems.fields and not any(data[k] for k in ("first_response_minutes", "next_response_minutes",
                                                           "resolution_minutes")):
        problems.add("first_response_minutes", "settings.error.one_target")
    data["warn_before_minutes"] = number_of(form, "warn_before_minutes", problems) or 0
    data["position"] = number_of(form, "position", problems, key="settings.error.count", maximum=10_000) or 0
    for flag in ("business_hours", "pause_when_snoozed", "enabled"):
        data[flag] = bool(form.get(flag))
    problems.raise_if_any()
    return data


def read_escalation(form: Form, levels: tuple[str, ...], team_ids: set[int], user_ids: set[int],
                    strategies: tuple[str, ...]) -> dict[str, Any]:
    """Where each level goes: ``{"L2": {"team_id": 3, "strategy": …, "notify_emails": […]}}``.

    A level with neither a team nor a person is left out (escalating to it keeps the
    ticket where it is and only records the level).
    """
    problems = FormProblems()
    config: dict[str, Any] = {}
    for level in levels:
        target: dict[str, Any] = {}
        for key, known in ((f"{level}_team_id", team_ids), (f"{level}_user_id", user_ids)):
            raw = text_of(form, key)
            if raw and (not raw.isdigit() or int(raw) not in known):
                problems.add(key, "settings.error.choice", value=raw)
            elif raw:
                target[key.removeprefix(f"{level}_")] = int(raw)
        strategy = text_of(form, f"{level}_strategy") or "least_loaded"
        if strategy not in strategies:
            problems.add(f"{level}_strategy", "settings.error.choice", value=strategy)
        emails = list_of(text_of(form, f"{level}_notify_emails"))
        wrong = [e for e in emails if not _EMAIL.match(e)]
        if wrong:
            problems.add(f"{level}_notify_emails", "settings.error.email", value=", ".join(wrong))
        slack = text_of(form, f"{level}_notify_slack_url")
        if slack and not _HTTP_URL.match(slack):
            problems.add(f"{level}_notify_slack_url", "settings.error.url", value=slack)
        elif slack:
            target["notify_slack_url"] = slack
        if target or emails:
            config[level] = {**target, "strategy": strategy, "notify_emails": emails}
    problems.raise_if_any()
    return config
