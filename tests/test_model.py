import json

import numpy as np
import pytest

from analyzer import Cause, ComplaintType, InvalidInputError, Language, ModelError
from analyzer.model import MAX_CHARS, Analyzer
from analyzer.normalize import aligned_view
from analyzer.persistence import FORMAT_VERSION


def test_fit_returns_self_and_sets_fitted_attributes(small_corpus):
    model = Analyzer(calibration_cv=2)
    assert model.fit(small_corpus.head(300)) is model
    assert model.featurizer_ is not None and model.cause_head_ is not None
    assert model.metadata_["n_rows"] == 300


def test_unfitted_analyzer_says_to_fit_or_load():
    with pytest.raises(ModelError, match="fit"):
        Analyzer().analyze("坏了")


def test_probabilities_cover_every_class_and_sum_to_one(default_model):
    result = default_model.analyze("The blender stopped working after a week.")
    assert set(result.cause_probabilities) == {c.value for c in Cause}
    assert set(result.type_probabilities) == {t.value for t in ComplaintType}
    assert sum(result.cause_probabilities.values()) == pytest.approx(1.0, abs=1e-3)
    assert sum(result.type_probabilities.values()) == pytest.approx(1.0, abs=1e-3)


@pytest.mark.parametrize(("text", "cause", "ctype"), [
    ("手机用了三天就黑屏，要求换新机", Cause.PRODUCT, ComplaintType.REDRESS),
    ("房间地毯很脏，空调也坏了", Cause.FACILITIES, ComplaintType.VOICE),
    ("The blender stopped working after a week. I want my money back.",
     Cause.PRODUCT, ComplaintType.REDRESS),
    ("On hold for 2 hours and the agent hung up on me. Unacceptable.",
     Cause.SERVICE_ATTITUDE, ComplaintType.VOICE),
])
def test_guide_examples_get_the_guide_labels(default_model, text, cause, ctype):
    result = default_model.analyze(text)
    assert result.is_complaint
    assert (result.cause, result.type) == (cause, ctype)


def test_praise_is_not_a_complaint_and_has_no_cause(default_model):
    result = default_model.analyze("物流很快，包装完好，东西很好用，五星好评！")
    assert not result.is_complaint
    assert result.cause is None and result.type is None and result.secondary_causes == ()
    assert result.cause_score is None


def test_secondary_causes_are_other_causes_above_threshold(default_model):
    texts = ["客服态度很差，而且房间又脏又吵，还乱收费", "Rude staff, dirty room, hidden fees."]
    for result in default_model.analyze_many(texts):
        for cause in result.secondary_causes:
            assert cause != result.cause
            assert result.cause_probabilities[cause.value] >= default_model.secondary_threshold


def test_analyze_many_keeps_order_and_matches_single_calls(default_model):
    texts = ["差评", "Great service, thanks!", "退款一直不到账", "Seat was broken"]
    many = default_model.analyze_many(texts)
    assert [m.to_dict() for m in many] == [default_model.analyze(t).to_dict() for t in texts]


def test_empty_text_is_invalid_input(default_model):
    for text in ("", "   \n\t "):
        with pytest.raises(InvalidInputError, match="empty"):
            default_model.analyze(text)


def test_non_string_is_a_type_error(default_model):
    with pytest.raises(TypeError, match="str"):
        default_model.analyze(42)  # type: ignore[arg-type]


def test_long_text_is_truncated_and_flagged(default_model):
    result = default_model.analyze("质量太差了。" * (MAX_CHARS // 3))
    assert result.truncated
    assert not default_model.analyze("质量太差了").truncated


@pytest.mark.parametrize("text", ["😀😀😀", "\x00\x01\x02 ok", "Это ужасно", "<p>&nbsp;</p>",
                                  "قطعة"])
def test_odd_inputs_give_a_result(default_model, text):
    result = default_model.analyze(text)
    assert result.language in set(Language)


def test_other_scripts_are_language_other(default_model):
    assert default_model.analyze("Это ужасный сервис").language is Language.OTHER


def test_explanation_spans_point_at_the_terms_in_the_original(default_model):
    text = "ＡＰＰ一直闪退，客服態度很差，我要退款！"
    result = default_model.analyze(text, explain=True)
    tasks = {e.task for e in result.explanations}
    assert {"is_complaint", "cause", "type"} <= tasks
    view = aligned_view(text)
    found = 0
    for explanation in result.explanations:
        for term in explanation.terms:
            assert term.weight > 0
            for start, end in term.spans:
                found += 1
                assert view[start:end].replace(" ", "") == term.term.replace(" ", "")
    assert found > 0


def test_save_and_load_give_identical_predictions(small_model, tmp_path):
    path = small_model.save(tmp_path / "m.npz")
    again = Analyzer.load(path)
    texts = ["退款一直不到账", "Seat was broken and the staff laughed"]
    assert [r.to_dict() for r in again.analyze_many(texts)] == [
        r.to_dict() for r in small_model.analyze_many(texts)]
    assert again.metadata_["format_version"] == FORMAT_VERSION == 3
    assert again.metadata_["labels"]["cause"] == [c.value for c in Cause]
    assert again.keyword_mask_ is not None and small_model.keyword_mask_ is not None
    assert np.array_equal(again.keyword_mask_, small_model.keyword_mask_)


def test_a_model_file_of_an_older_format_asks_for_retraining(small_model, tmp_path):
    path = small_model.save(tmp_path / "m.npz")
    with np.load(path, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    document = json.loads(arrays["document"].tobytes().decode("utf-8"))
    document["metadata"]["format_version"] = 2
    arrays["document"] = np.frombuffer(json.dumps(document).encode("utf-8"), dtype=np.uint8)
    old = tmp_path / "old.npz"
    np.savez(old, **arrays)
    with pytest.raises(ModelError, match=r"format 2; this version reads format 3\..*Retrain"):
        Analyzer.load(old)


def test_a_model_file_without_its_keyword_mask_is_reported_incomplete(small_model, tmp_path):
    path = small_model.save(tmp_path / "m.npz")
    with np.load(path, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files if k != "keyword_mask"}
    cut = tmp_path / "cut.npz"
    np.savez(cut, **arrays)
    with pytest.raises(ModelError, match="incomplete or corrupt"):
        Analyzer.load(cut)


def test_loading_a_corrupt_file_is_a_model_error(tmp_path):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a model")
    with pytest.raises(ModelError):
        Analyzer.load(bad)
    with pytest.raises(ModelError, match="does not exist"):
        Analyzer.load(tmp_path / "missing.npz")


def test_loading_never_unpickles(tmp_path):
    path = tmp_path / "pickled.npz"
    np.savez(path, document=np.array([{"evil": True}], dtype=object))
    with pytest.raises(ModelError):
        Analyzer.load(path)


def test_default_model_metadata_names_corpus_and_metrics(default_model):
    meta = default_model.metadata_
    assert len(meta["corpus_hash"]) == 64
    assert meta["trained_at"]
    assert "cross_validation" in meta["metrics"]


def test_default_model_was_trained_on_the_bundled_corpus(default_model):
    from analyzer.corpus import corpus_hash, default_corpus_path

    assert default_model.metadata_["corpus_hash"] == corpus_hash([default_corpus_path()]), (
        "the packaged model is stale: run 'complaint-analyzer train' after changing the corpus")


def test_warm_up_builds_what_first_use_builds_and_returns_the_model():
    from analyzer.persistence import default_model_path

    model = Analyzer.load(default_model_path())
    assert model._explain_cache is None
    assert model.warm_up() is model
    assert model._explain_cache is not None and model.segmenter._chinese is not None
