from analyzer.normalize import aligned_view, mask_personal_data, normalize, to_simplified


def test_full_width_is_folded_to_half_width_and_lower_case():
    assert normalize("ＡＢＣ１２３ Ｗｉ－Ｆｉ") == "abc123 wi-fi"


def test_html_entities_are_decoded():
    assert normalize("fish &amp; chips &lt;3") == "fish & chips <3"


def test_typographic_apostrophes_and_quotes_become_ascii_in_both_views():
    text = "They don’t care, “really” ‘never’"
    assert normalize(text) == normalize(text.translate(str.maketrans("’“”‘", "'\"\"'")))
    assert normalize(text) == "they don't care, \"really\" 'never'"
    assert aligned_view(text) == "they don't care, \"really\" 'never'"


def test_traditional_chinese_is_mapped_to_simplified():
    assert to_simplified("這個產品質量太差") == "这个产品质量太差"
    assert normalize("服務態度") == "服务态度"


def test_whitespace_and_control_characters_are_folded():
    assert normalize("  too\t\tslow \n\n again\x00 ") == "too slow again"


def test_personal_data_becomes_placeholders():
    text = ("call 138-1234-5678 or 13812345678, mail a.b@example.com, see https://x.io/a?b=1 "
            "@AirCare order 2023112200015 card 4111 1111 1111 1111 id 11010519491231002X")
    masked = normalize(text)
    for placeholder in ("_phone_", "_email_", "_url_", "_handle_", "_order_", "_card_",
                        "_idnum_"):
        assert placeholder in masked
    for leaked in ("13812345678", "example.com", "x.io", "aircare", "4111", "11010519491231002x"):
        assert leaked not in masked


def test_masked_digits_and_amounts_become_placeholders():
    assert mask_personal_data("账户 ****1234 扣了 ¥299").split() == [
        "账户", "_masked_", "扣了", "_money_"]
    assert "_masked_" in normalize("on XX/XX/2021 account XXXX")


def test_aligned_view_keeps_length_and_offsets():
    original = "ＡＰＰ很差，這個 Refund"
    view = aligned_view(original)
    assert len(view) == len(original)
    assert view.index("app") == 0
    assert view[view.index("refund"):].startswith("refund")


def _mask_without_prechecks(text: str) -> str:
    from analyzer.normalize import _PII_PATTERNS

    for placeholder, pattern in _PII_PATTERNS:
        text = pattern.sub(f" {placeholder} ", text)
    return text


def test_personal_data_prechecks_never_skip_a_match(corpus):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    crafted = ["mail a.b+c@x-y.com.cn now", "@handle and x@y.cn", "call 138****5678 or "
               "(555) 123-4567", "付款 ¥ 3,000 元 / 25 USD / 7 bucks", "#AB12cd3 order 12345678",
               "visit WWW.Example.com/a?b=1", "xx/xx/2019 card 1234-5678-9012-345",
               "id 11010519491231002X", "XXXX and **** masked", "HK$ 300"]
    for text in crafted + list(corpus["text"]):
        assert mask_personal_data(text) == _mask_without_prechecks(text), text

    alphabet = st.sampled_from(list("0123456789@#.$¥元块xX*-/ :wabc_()+"))

    @settings(max_examples=300, deadline=None)
    @given(st.text(alphabet, max_size=40))
    def check(text: str) -> None:
        assert mask_personal_data(text) == _mask_without_prechecks(text)

    check()
