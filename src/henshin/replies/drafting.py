"""AI reply drafts: in a chosen language and tone, grounded in saved replies and articles.

A draft is a proposal shown in the composer, never a message: nothing here sends, and
every draft carries the guard findings a person must see before confirming it.

Generators are pluggable. :class:`GroundedTemplateGenerator` (the default, offline,
deterministic) builds the draft from the best matching saved reply with its variables
filled, framed by greeting / apology / closing phrases for the tone.
:class:`OpenAICompatibleGenerator` asks any OpenAI-compatible ``/v1/chat/completions``
endpoint (a local server or a hosted one) configured per workspace.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import httpx

from henshin.replies.guards import GuardContext, GuardFinding, ReplyDraft, run_guards
from henshin.replies.limits import Measure, compose_reply, measure, visibility_of
from henshin.replies.suggest import SuggestionSource
from henshin.replies.templates import render
from henshin.understand.analysis import analyze

Tone = Literal["friendly", "business", "apologetic"]
TONES: tuple[Tone, ...] = ("friendly", "business", "apologetic")


class DraftGenerationError(RuntimeError):
    """The configured generator could not produce a draft (unreachable, bad answer)."""


@dataclass(frozen=True, slots=True)
class DraftRequest:
    """Everything a generator may use to write a draft."""

    customer_text: str
    language: str  # "ja", "en", or the customer's language code
    tone: Tone
    sources: Sequence[SuggestionSource] = ()  # best first: saved replies and articles
    history: Sequence[str] = ()  # the ticket's earlier messages, oldest first
    variables: Mapping[str, str] = field(default_factory=dict)


class ReplyGenerator(Protocol):
    """Writes the body of a reply draft (without the self-identification)."""

    name: str

    def generate(self, request: DraftRequest) -> str:
        """Return the draft's body text."""
        ...


@dataclass(frozen=True, slots=True)
class AIDraft:
    """A proposed reply awaiting a person's confirmation."""

    text: str
    language: str
    tone: Tone
    generator: str
    grounded_on: tuple[str, ...]
    findings: list[GuardFinding]
    missing_variables: list[str]
    measure: Measure
    needs_confirmation: bool = True  # always: a draft is never sent by itself


_PHRASES: dict[str, dict[Tone, tuple[str, str]]] = {
    # tone: (opening, closing)
    "ja": {
        "friendly": ("コメントありがとうございます！", "また何かあれば気軽に声をかけてくださいね。"),
        "business": ("お問い合わせいただき、ありがとうございます。", "何卒よろしくお願いいたします。"),
        "apologetic": (
            "このたびはご不便をおかけし、大変申し訳ございません。",
            "ご迷惑をおかけしますが、何卒よろしくお願いいたします。",
        ),
    },
    "en": {
        "friendly": ("Thanks so much for reaching out!", "Give us a shout anytime!"),
        "business": ("Thank you for contacting us.", "Kind regards."),
        "apologetic": (
            "We're very sorry for the trouble this has caused.",
            "Thank you for your patience, and again, our apologies.",
        ),
    },
}
_FALLBACK_BODY = {
    "ja": "内容を確認のうえ、担当者より改めてご連絡いたします。",
    "en": "We're looking into this and will get back to you shortly.",
}
_ARTICLE_LINE = {"ja": "詳しくはこちらをご覧ください：{title}", "en": "This article may help: {title}"}


class GroundedTemplateGenerator:
    """Deterministic drafts from the best saved reply in the draft's language."""

    name = "grounded_template"

    def generate(self, request: DraftRequest) -> str:
        """Frame the best saved reply (variables filled) with the tone's phrases."""
        language = request.language if request.language in _PHRASES else "en"
        opening, closing = _PHRASES[language][request.tone]
        reply = _first(request.sources, "saved_reply", request.language)
        article = _first(request.sources, "article", request.language)
        body = render(reply.body, request.variables).text if reply else _FALLBACK_BODY[language]
        parts = [] if _already_opens(body, opening) else [opening]
        parts.append(body)
        if article is not None:
            link = article.title
            if url := request.variables.get("kb_url"):
                link = f"{link} {url}"
            parts.append(_ARTICLE_LINE[language].format(title=link))
        parts.append(closing)
        separator = "" if language == "ja" else " "
        return separator.join(p.strip() for p in parts if p.strip())


class OpenAICompatibleGenerator:
    """Drafts from any OpenAI-compatible chat-completions endpoint."""

    name = "openai_compatible"

    def __init__(
        self,
        base_url: str,
        api_key: str | None,
        model: str,
        *,
        timeout_s: float = 20.0,
        temperature: float = 0.3,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        root = base_url.rstrip("/")
        self.url = f"{root}/chat/completions" if root.endswith("/v1") else f"{root}/v1/chat/completions"
        self.model = model
        self.temperature = temperature
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(timeout=timeout_s, headers=headers, transport=transport)

    def generate(self, request: DraftRequest) -> str:
        """Ask the endpoint for a draft grounded in the request's sources."""
        payload: dict[str, Any] = {
            "model": self.model,
            "temperature": self.temperature,
            "messages": chat_messages(request),
        }
        try:
            response = self._client.post(self.url, json=payload)
            response.raise_for_status()
            content = response.json()["choices"][0]["message"]["content"]
        except (httpx.HTTPError, KeyError, IndexError, TypeError, ValueError) as error:
            raise DraftGenerationError(f"draft generator at {self.url} failed: {error}") from error
        if not isinstance(content, str) or not content.strip():
            raise DraftGenerationError(f"draft generator at {self.url} returned no text")
        return content.strip()

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._client.close()


_TONE_WORDS = {
    "friendly": "friendly and warm, but still polite",
    "business": "polite and businesslike (in Japanese: 丁寧語・敬語)",
    "apologetic": "sincerely apologetic and polite (in Japanese: お詫びの敬語)",
}


def chat_messages(request: DraftRequest) -> list[dict[str, str]]:
    """The chat messages sent to an OpenAI-compatible generator for ``request``."""
    grounding = "\n\n".join(
        f"[{s.kind} {s.id}] {s.title}\n{render(s.body, request.variables).text}"
        for s in request.sources
    )
    system = (
        "You draft replies for a brand's social customer-care team. "
        f"Write in language '{request.language}', tone: {_TONE_WORDS[request.tone]}. "
        "Answer only from the saved replies and knowledge-base articles given; if they do "
        "not answer the question, say the team will check and follow up. Never include "
        "phone numbers, email addresses, postal addresses, order or card numbers; for "
        "orders, payments and refunds, invite the customer to a direct message instead. "
        "Do not add a greeting with your own name or a signature. Reply with the text only."
    )
    history = "\n".join(f"- {line}" for line in request.history)
    user = (
        f"Customer message:\n{request.customer_text}\n\n"
        + (f"Earlier in this conversation:\n{history}\n\n" if history else "")
        + f"Sources:\n{grounding or '(none)'}"
    )
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def draft_reply(
    *,
    customer_text: str,
    tone: Tone,
    network: str,
    kind: str,
    language: str = "customer",
    customer_language: str | None = None,
    sources: Sequence[SuggestionSource] = (),
    history: Sequence[str] = (),
    variables: Mapping[str, str] | None = None,
    handle: str | None = None,
    prefix: str | None = None,
    signature: str | None = None,
    guard_context: GuardContext | None = None,
    generator: ReplyGenerator | None = None,
) -> AIDraft:
    """Write a reply draft and run it through the guards; it is never sent from here.

    ``language`` is "ja", "en", or "customer" (the customer's detected language, or
    ``customer_language`` when the caller already knows it). ``sources`` are the matched
    saved replies and articles, best first (see ``SuggestionIndex.suggest``).
    """
    if tone not in TONES:
        raise ValueError(f"unknown tone {tone!r}; expected one of {', '.join(TONES)}")
    resolved = language
    if language == "customer":
        resolved = customer_language or _detect_language(customer_text)
    values = dict(variables or {})
    request = DraftRequest(
        customer_text=customer_text,
        language=resolved,
        tone=tone,
        sources=sources,
        history=history,
        variables=values,
    )
    chosen = generator or GroundedTemplateGenerator()
    body = render_variables_safely(chosen.generate(request), values)
    text = compose_reply(body.text, prefix=prefix, signature=signature)
    context = guard_context or GuardContext(customer_text=customer_text)
    reply = ReplyDraft(text=text, visibility=visibility_of(kind), network=network, kind=kind)
    return AIDraft(
        text=text,
        language=resolved,
        tone=tone,
        generator=chosen.name,
        grounded_on=tuple(s.id for s in sources),
        findings=run_guards(reply, context),
        missing_variables=body.missing,
        measure=measure(text, network=network, kind=kind, handle=handle),
    )


@dataclass(frozen=True, slots=True)
class _Body:
    text: str
    missing: list[str]


def render_variables_safely(text: str, variables: Mapping[str, str]) -> _Body:
    """Fill ``{variables}`` a generator left in its text; stray braces are kept as written."""
    try:
        rendered = render(text, variables)
    except ValueError:
        return _Body(text=text, missing=[])
    return _Body(text=rendered.text, missing=rendered.missing)


def _first(sources: Sequence[SuggestionSource], kind: str, language: str) -> SuggestionSource | None:
    for source in sources:
        if source.kind == kind and source.language in (None, language):
            return source
    return None


def _already_opens(body: str, opening: str) -> bool:
    head = body[:40].lower()
    markers = ("ありがとうございます", "申し訳", "thank", "sorry", "apolog")
    return any(m in head for m in markers) and any(m in opening.lower() for m in markers)


def _detect_language(text: str) -> str:
    return str(analyze(text).language)
