import pytest

from analyzer import detect_language
from analyzer.labels import Language


@pytest.mark.parametrize(("text", "expected"), [
    ("快递太慢了，差评", Language.ZH),
    ("這個iPhone13不行", Language.ZH),
    ("这个app不好用", Language.ZH),
    ("Flight delayed 5 hours, no explanation.", Language.EN),
    ("app 一直 crash 根本登不上", Language.MIXED),
    ("退款 refund 到现在还没到", Language.MIXED),
    ("😡😡😡", Language.OTHER),
    ("Это ужасный сервис", Language.OTHER),
    ("このアプリは最悪です", Language.OTHER),
    ("12345 !!!", Language.OTHER),
])
def test_language_of_typical_texts(text, expected):
    assert detect_language(text) is expected
