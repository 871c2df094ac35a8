import pytest

from analyzer.segmentation import NEGATION_PREFIX, Segmenter, token_agreement


@pytest.fixture(scope="module")
def segmenter() -> Segmenter:
    return Segmenter()


def test_user_dictionary_words_stay_whole(segmenter):
    tokens = segmenter.segment("外卖小哥态度恶劣，投诉无门，只能打12315")
    assert "外卖小哥" in tokens
    assert "态度恶劣" in tokens
    assert "投诉无门" in tokens
    assert "12315" in tokens


def test_english_negation_is_marked_on_the_next_word(segmenter):
    tokens = segmenter.segment("The charger is not working and I don't like it")
    assert "not" in tokens
    assert NEGATION_PREFIX + "working" in tokens
    assert NEGATION_PREFIX + "like" in tokens
    assert "working" not in tokens


def test_contractions_and_alphanumerics_are_kept_whole(segmenter):
    tokens = segmenter.segment("iPhone13 Wi-Fi can't connect")
    assert tokens[:3] == ["iphone13", "wi-fi", "can't"]


def test_mixed_text_is_segmented_per_script_run(segmenter):
    tokens = segmenter.segment("app 一直 crash，退款 refund 到现在还没到")
    assert tokens[:3] == ["app", "一直", "crash"]
    assert "退款" in tokens and "refund" in tokens


def test_placeholders_are_single_tokens(segmenter):
    assert segmenter.segment("call me at 13812345678 now") == ["call", "me", "at", "_phone_",
                                                               "now"]


def test_traditional_script_segments_like_simplified(segmenter):
    assert segmenter.segment("這個產品質量太差") == segmenter.segment("这个产品质量太差")


def test_unknown_backend_is_refused():
    with pytest.raises(ValueError, match="backend"):
        Segmenter(backend="nope")


def test_rjieba_agrees_with_reference_jieba_on_corpus_text(corpus):
    texts = corpus.loc[corpus["lang"] == "zh", "text"].head(1500).tolist()
    agreement = token_agreement(texts, Segmenter(backend="rjieba"), Segmenter(backend="jieba"))
    assert agreement >= 0.98


def test_chinese_negation_marks_the_next_words_until_punctuation(segmenter):
    tokens = segmenter.segment("键盘不是很好，按键有点歪")
    assert tokens[:4] == ["键盘", "不是", NEGATION_PREFIX + "很", NEGATION_PREFIX + "好"]
    assert "按键" in tokens or "键" in tokens
    assert not any(t.startswith(NEGATION_PREFIX) for t in tokens[4:])


def test_public_segment_function_is_not_shadowed_by_a_module():
    import analyzer
    import analyzer.model

    assert analyzer.segment("退款 refund 还没到")[:2] == ["退款", "refund"]
