import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from analyzer.features import prepare
from analyzer.segmentation import Segmenter
from analyzer.vectorize import TfidfTransform, char_wb_ngrams


@pytest.fixture(scope="module")
def docs(corpus):
    return prepare(corpus["text"].sample(800, random_state=1).tolist(), Segmenter())


@pytest.mark.parametrize(("analyzer", "ngrams", "field"), [
    ("word", (1, 2), "joined"),
    ("char_wb", (1, 3), "normalized"),
    ("char_wb", (2, 5), "normalized"),
])
def test_transform_matches_scikit_learn(docs, analyzer, ngrams, field):
    texts = [getattr(d, field) for d in docs]
    extra = {"token_pattern": r"\S+"} if analyzer == "word" else {"analyzer": "char_wb"}
    reference = TfidfVectorizer(lowercase=False, ngram_range=ngrams, min_df=2,
                                sublinear_tf=True, **extra).fit(texts)
    ours = TfidfTransform.from_terms(analyzer, ngrams,
                                     reference.get_feature_names_out().tolist(), reference.idf_)
    difference = abs(reference.transform(texts) - ours.transform(texts))
    assert difference.max() < 1e-6


def test_short_words_count_once_as_a_whole():
    assert char_wb_ngrams("a", 2, 4) == [" a", "a ", " a "]


def test_unknown_terms_give_an_empty_row():
    transform = TfidfTransform.from_terms("word", (1, 1), ["refund"], np.array([1.0]))
    matrix = transform.transform(["nothing known here", "refund refund"])
    assert matrix[0].nnz == 0
    assert matrix[1].toarray()[0, 0] == pytest.approx(1.0)
