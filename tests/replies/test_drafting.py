import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

from henshin.replies.drafting import DraftGenerationError, OpenAICompatibleGenerator, draft_reply
from henshin.replies.guards import GuardContext
from henshin.replies.suggest import SuggestionSource

SAVED = SuggestionSource("r1", "saved_reply", "配送遅延", "{customer_name}様、ご注文の商品は{order_url}で追跡できます。", language="ja")
ARTICLE = SuggestionSource("a1", "article", "配送状況の確認方法", "…", language="ja")
NO_INTENTS = GuardContext(customer_intents=frozenset())


def test_grounded_draft_fills_variables_adds_tone_and_self_identification() -> None:
    draft = draft_reply(
        customer_text="荷物が届かない", tone="apologetic", network="x", kind="reply",
        customer_language="ja", sources=[SAVED, ARTICLE],
        variables={"customer_name": "山田", "order_url": "https://shop.example/o/1"},
        prefix="ABC書店の佐藤です。", guard_context=NO_INTENTS,
    )
    assert draft.text.startswith("ABC書店の佐藤です。このたびはご不便をおかけし")
    assert "山田様、ご注文の商品はhttps://shop.example/o/1で追跡できます。" in draft.text
    assert "配送状況の確認方法" in draft.text
    assert draft.grounded_on == ("r1", "a1") and draft.missing_variables == []
    assert draft.generator == "grounded_template" and draft.needs_confirmation


def test_tone_and_language_change_the_framing_and_missing_variables_are_reported() -> None:
    english = SuggestionSource("r2", "saved_reply", "late", "Your order {order_url} is on its way.", language="en")
    friendly = draft_reply(customer_text="where is it", tone="friendly", network="instagram", kind="comment",
                           language="en", sources=[SAVED, english], guard_context=NO_INTENTS)
    business = draft_reply(customer_text="where is it", tone="business", network="instagram", kind="comment",
                           language="en", sources=[SAVED, english], guard_context=NO_INTENTS)
    assert friendly.text != business.text and friendly.text.startswith("Thanks so much")
    assert friendly.missing_variables == ["order_url"] and friendly.language == "en"


def test_drafts_carry_guard_findings() -> None:
    risky = SuggestionSource("r3", "saved_reply", "refund", "返金は 090-1234-5678 までお電話ください。", language="ja")
    draft = draft_reply(customer_text="返金して", tone="business", network="x", kind="reply",
                        customer_language="ja", sources=[risky], guard_context=NO_INTENTS)
    assert {f.code for f in draft.findings} >= {"personal_data_public", "money_in_public"}


class _ChatHandler(BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _ChatHandler.received.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
        if body["model"] == "broken":
            self.send_response(500)
            self.end_headers()
            return
        answer = {"choices": [{"message": {"role": "assistant", "content": "  {customer_name}様、確認いたします。 "}}]}
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def chat_server() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _ChatHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_openai_compatible_generator_over_real_http(chat_server: str) -> None:
    _ChatHandler.received.clear()
    generator = OpenAICompatibleGenerator(chat_server, "sk-test", "local-model")
    draft = draft_reply(customer_text="届かない", tone="business", network="x", kind="reply",
                        customer_language="ja", sources=[SAVED], variables={"customer_name": "山田"},
                        generator=generator, guard_context=NO_INTENTS)
    generator.close()
    assert draft.text == "山田様、確認いたします。" and draft.generator == "openai_compatible"
    request = _ChatHandler.received[0]
    assert request["path"] == "/v1/chat/completions" and request["auth"] == "Bearer sk-test"
    messages = request["body"]["messages"]
    assert "'ja'" in messages[0]["content"] and "配送遅延" in messages[1]["content"]


def test_generator_failure_is_a_clear_error(chat_server: str) -> None:
    generator = OpenAICompatibleGenerator(chat_server + "/v1", None, "broken")
    with pytest.raises(DraftGenerationError, match="failed"):
        draft_reply(customer_text="x", tone="business", network="x", kind="reply",
                    customer_language="en", generator=generator, guard_context=NO_INTENTS)
