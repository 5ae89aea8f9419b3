"""Reads for the composer: saved reply lists and search, suggestions, the reply generator."""

from __future__ import annotations

from sqlalchemy.orm import Session

from henshin.kit.errors import InvalidInput
from henshin.kit.secrets import secret_box
from henshin.knowledge import repository as kb_repo
from henshin.knowledge.queries import public_path
from henshin.models import Engagement, SavedReply, Ticket, Workspace
from henshin.replies import repository as repo
from henshin.replies.composer import ComposeContext, ComposerSettings
from henshin.replies.drafting import (
    GroundedTemplateGenerator,
    OpenAICompatibleGenerator,
    ReplyGenerator,
)
from henshin.replies.listeners import SuggestionCatalog, article_source, saved_reply_source
from henshin.replies.schemas import (
    ComposerSettingsOut,
    GeneratorOut,
    SavedReplyList,
    SavedReplyOut,
    SuggestedArticle,
    SuggestedReply,
    SuggestionsOut,
)
from henshin.replies.suggest import SuggestionSource
from henshin.replies.templates import variables_in
from henshin.understand.normalize import fold

MAX_PAGE = 200


def saved_reply_out(row: SavedReply) -> SavedReplyOut:
    return SavedReplyOut(
        id=row.id, title=row.title, body=row.body, shortcut=row.shortcut,
        language=row.language, network=row.network, tags=list(row.tags or []),
        shared=row.owner_user_id is None, owner_user_id=row.owner_user_id,
        variables=variables_in(row.body), usage_count=row.usage_count,
        last_used_at=row.last_used_at, created_at=row.created_at, updated_at=row.updated_at,
    )


def list_saved_replies(
    db: Session,
    workspace_id: int,
    viewer_user_id: int,
    *,
    q: str | None = None,
    language: str | None = None,
    network: str | None = None,
    shortcut: str | None = None,
    scope: str = "all",
    limit: int = 50,
    offset: int = 0,
) -> SavedReplyList:
    """Saved replies the viewer may use, matching every word of ``q`` (width/kana/case folded).

    A query starting with ``/`` finds by shortcut prefix too, as the composer types it.
    """
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}")
    if offset < 0:
        raise InvalidInput("offset cannot be negative")
    words = fold(q.strip()).split() if q and q.strip() else []
    query = repo.visible_saved_replies(
        workspace_id, viewer_user_id, folded_words=words, language=language,
        network=network, shortcut=shortcut, scope=scope,
    )
    rows = repo.page_of_saved_replies(db, query, limit, offset)
    if words:
        # Shortcut and title matches first: what the agent is most likely typing towards.
        rows.sort(key=lambda r: (
            not any((r.shortcut or "").startswith(w) for w in words),
            -sum(w in fold(r.title) for w in words),
        ))
    return SavedReplyList(items=[saved_reply_out(r) for r in rows], total=repo.count(db, query))


def suggestions(
    db: Session,
    catalog: SuggestionCatalog,
    context: ComposeContext | None = None,
    *,
    viewer_user_id: int,
    limit: int = 5,
    answering: tuple[Workspace, Ticket, Engagement | None] | None = None,
) -> SuggestionsOut:
    """The saved replies and articles most relevant to the message being answered.

    Pass the composer's ``context``, or just ``answering=(workspace, ticket, engagement)``
    (the suggestions need nothing else: the ticket page asks for them on every load).
    """
    if not 1 <= limit <= 20:
        raise InvalidInput("limit must be between 1 and 20")
    if context is not None:
        answering = (context.workspace, context.ticket, context.answered)
    assert answering is not None, "pass a context or what is being answered"
    workspace, ticket, answered = answering
    text = answered.text if answered else ticket.subject
    language = (answered.language if answered else None) or ticket.language
    index, owners = catalog.index_for(db, workspace.id)
    # Personal replies of other agents are in the index too: ask for extra and drop them.
    found_replies = [
        s for s in index.suggest(text, language=language, network=ticket.network,
                                 k=limit * 3, kind="saved_reply")
        if owners.get(s.id) in (None, viewer_user_id)
    ][:limit]
    found_articles = index.suggest(text, language=language, k=limit, kind="article")
    if language is not None and not found_replies and not found_articles:
        # A language the workspace keeps no answers in: rank everything instead.
        found_replies = [
            s for s in index.suggest(text, network=ticket.network, k=limit * 3,
                                     kind="saved_reply")
            if owners.get(s.id) in (None, viewer_user_id)
        ][:limit]
        found_articles = index.suggest(text, k=limit, kind="article")
    reply_rows = repo.saved_replies_by_ids(db, workspace.id, [int(s.id[1:]) for s in found_replies])
    article_rows = kb_repo.articles_by_ids(db, workspace.id, [int(s.id[1:]) for s in found_articles])
    replies = [
        SuggestedReply(id=r.id, title=r.title, body=r.body, shortcut=r.shortcut,
                       language=r.language, score=round(s.score, 4))
        for s in found_replies if (r := reply_rows.get(int(s.id[1:]))) is not None
    ]
    articles = [
        SuggestedArticle(id=a.id, title=a.title, slug=a.slug, language=a.language,
                         public_url=public_path(workspace.slug, a), score=round(s.score, 4))
        for s in found_articles
        if (a := article_rows.get(int(s.id[1:]))) is not None and a.published
    ]
    return SuggestionsOut(
        ticket_id=ticket.id,
        in_reply_to=answered.id if answered else None,
        customer_text=text, language=language, saved_replies=replies, articles=articles,
    )


def grounding_sources(
    db: Session, suggestions_out: SuggestionsOut, workspace_id: int
) -> list[SuggestionSource]:
    """The suggested saved replies and articles as the draft generator's sources, best first."""
    rows = repo.saved_replies_by_ids(db, workspace_id, [r.id for r in suggestions_out.saved_replies])
    articles = kb_repo.articles_by_ids(db, workspace_id, [a.id for a in suggestions_out.articles])
    sources = [saved_reply_source(rows[r.id]) for r in suggestions_out.saved_replies if r.id in rows]
    sources += [article_source(articles[a.id]) for a in suggestions_out.articles if a.id in articles]
    return sources


def reply_generator(workspace: Workspace) -> ReplyGenerator:
    """The workspace's configured draft generator (the grounded template one by default)."""
    config = dict((workspace.settings or {}).get("reply_generator") or {})
    if config.get("kind") != "openai_compatible" or not config.get("base_url"):
        return GroundedTemplateGenerator()
    api_key = None
    if config.get("api_key_encrypted"):
        api_key = secret_box().decrypt_json(config["api_key_encrypted"]).get("api_key")
    return OpenAICompatibleGenerator(str(config["base_url"]), api_key, str(config.get("model") or ""))


def composer_settings_out(workspace: Workspace) -> ComposerSettingsOut:
    """The composer settings as the API shows them (never the API key itself)."""
    settings = ComposerSettings.of(workspace)
    generator = dict((workspace.settings or {}).get("reply_generator") or {})
    return ComposerSettingsOut(
        self_identification=settings.self_identification,
        undo_seconds=settings.undo_seconds,
        marker_style=settings.marker_style,
        support_url=settings.support_url,
        order_patterns=list(settings.order_patterns),
        generator=GeneratorOut(
            kind=str(generator.get("kind") or "grounded_template"),
            base_url=generator.get("base_url"),
            model=generator.get("model"),
            has_api_key=bool(generator.get("api_key_encrypted")),
        ),
    )
