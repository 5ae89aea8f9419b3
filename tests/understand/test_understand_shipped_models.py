"""The shipped artifacts load, are small, and behave on clear examples."""

from __future__ import annotations

from importlib import resources

from henshin.understand.linear import load_model, load_stack


def test_artifacts_ship_inside_the_package_and_stay_small() -> None:
    folder = resources.files("henshin.understand") / "models"
    total = sum(
        (folder / f"{name}.npz").stat().st_size  # type: ignore[attr-defined]
        for name in ("sentiment_en", "spam", "complaint")
    )
    assert 0 < total < 20 * 1024 * 1024


def test_models_load_once_and_score_clear_examples() -> None:
    sentiment = load_model("sentiment_en")
    assert load_model("sentiment_en") is sentiment
    assert sentiment.labels == ("negative", "neutral", "positive")
    p = sentiment.probabilities(["I love it, amazing!", "This is awful, I hate it"])
    assert p[0].argmax() == 2 and p[1].argmax() == 0
    spam = load_model("spam")
    p = spam.probabilities(["WINNER!! Claim your free prize now, text WIN to 80086", "see you at 5?"])
    assert p[0, 1] > 0.5 > p[1, 1]
    complaint = load_model("complaint")
    p = complaint.probabilities(["@airline my bag is lost and nobody answers, terrible",
                                 "@airline lovely flight today"])
    assert p[0, 1] > p[1, 1]


def test_stacked_models_agree_with_each_model_alone() -> None:
    texts = ["great stuff", "worst delivery ever", "free entry win cash"]
    from henshin.understand.features import feature_ids

    ids = [feature_ids(t) for t in texts]
    stacked = load_stack(("sentiment_en", "spam", "complaint")).probabilities_from_ids(ids)
    for name in ("sentiment_en", "spam", "complaint"):
        alone = load_model(name).probabilities_from_ids(ids)
        assert abs(stacked[name] - alone).max() < 1e-5
