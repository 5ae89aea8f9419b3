from datetime import UTC, datetime, timedelta

from henshin.replies.guards import (
    GuardContext,
    LaterPost,
    PastReply,
    ReplyDraft,
    run_guards,
    unresolved,
)

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def public(text: str, kind: str = "reply") -> ReplyDraft:
    return ReplyDraft(text=text, visibility="public", network="x", kind=kind)


def codes(reply: ReplyDraft, context: GuardContext) -> dict[str, str]:
    return {f.code: f.severity for f in run_guards(reply, context)}


def test_phone_and_email_in_a_public_reply_are_blocked_with_a_move_to_dm_suggestion() -> None:
    findings = run_guards(public("090-1234-5678 または help@example.com までご連絡ください"), GuardContext(customer_intents=frozenset()))
    pii = findings[0]
    assert pii.code == "personal_data_public" and pii.severity == "block"
    assert pii.suggestion == "move_to_private"
    assert {s.kind for s in pii.spans} == {"phone", "email"}
    assert "電話番号" in pii.message_ja and "phone" in pii.message_en


def test_the_same_data_in_a_dm_is_fine() -> None:
    dm = ReplyDraft(text="090-1234-5678 までご連絡ください", visibility="private", network="x", kind="dm")
    assert run_guards(dm, GuardContext(customer_intents=frozenset())) == []


def test_customer_data_quoted_back_is_caught_even_in_another_format() -> None:
    context = GuardContext(customer_text="注文番号 AB-99812 が届きません", customer_intents=frozenset())
    findings = run_guards(public("AB99812 の件、確認します"), context)
    assert any(f.code == "personal_data_public" and "引用" in f.message_ja for f in findings)


def test_repeating_the_same_guidance_is_flagged_with_the_earlier_reply() -> None:
    earlier = PastReply("お手数ですがDMにてご注文番号をお知らせください。", NOW - timedelta(days=2), "t1")
    context = GuardContext(previous_replies_to_contact=[earlier], customer_intents=frozenset())
    findings = run_guards(public("恐れ入りますが、DMでご注文番号をお送りください。"), context)
    repeat = next(f for f in findings if f.code == "repeated_guidance")
    assert repeat.evidence == (earlier.text,)
    other = run_guards(public("店舗の営業時間は10時から20時です。"), context)
    assert all(f.code != "repeated_guidance" for f in other)


def test_later_posts_are_shown_and_a_self_solved_post_is_called_out() -> None:
    context = GuardContext(later_posts_by_author=[LaterPost("自己解決しました！", NOW)], customer_intents=frozenset())
    finding = next(f for f in run_guards(public("確認します"), context) if f.code == "context_moved_on")
    assert "自己解決" in finding.message_ja and finding.evidence == ("自己解決しました！",)


def test_do_not_contact_blocks_proactive_replies_but_not_answering_their_dm() -> None:
    labelled = frozenset({"do_not_contact"})
    proactive = GuardContext(contact_labels=labelled, is_proactive=True, customer_intents=frozenset())
    assert codes(public("新商品はいかがですか"), proactive)["do_not_contact"] == "block"
    their_dm = GuardContext(contact_labels=labelled, is_proactive=False, customer_intents=frozenset())
    dm = ReplyDraft(text="お問い合わせありがとうございます", visibility="private", network="x", kind="dm")
    assert run_guards(dm, their_dm) == []


def test_an_author_who_asked_for_no_reply_is_detected_from_their_words() -> None:
    context = GuardContext(customer_text="@brand 新作おいしかった！返信不要です", is_proactive=True, customer_intents=frozenset())
    assert codes(public("ありがとうございます！"), context)["do_not_contact"] == "block"
    english = GuardContext(customer_text="love this place, please don't reply", customer_intents=frozenset())
    assert codes(public("Thank you!"), english)["do_not_contact"] == "warn"


def test_money_matters_in_public_get_a_hand_off() -> None:
    finding = run_guards(public("返金の手続きをいたします"), GuardContext(customer_intents=frozenset()))[0]
    assert finding.code == "money_in_public" and finding.suggestion == "hand_off"
    assert finding.spans[0].text == "返金"
    by_intent = GuardContext(customer_text="二重に請求されています", customer_intents=frozenset({"order_payment"}))
    assert "money_in_public" in codes(public("確認いたします"), by_intent)


def test_blocks_need_an_override_with_a_reason() -> None:
    findings = run_guards(public("090-1234-5678 まで"), GuardContext(customer_intents=frozenset()))
    assert unresolved(findings, {}) == findings[:1]
    assert unresolved(findings, {"personal_data_public": "  "}) == findings[:1]
    assert unresolved(findings, {"personal_data_public": "our public hotline"}) == []
