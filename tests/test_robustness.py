from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyzer import InvalidInputError


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(min_size=0, max_size=200))
def test_arbitrary_unicode_never_raises_anything_but_invalid_input(default_model, text):
    try:
        result = default_model.analyze(text)
    except InvalidInputError:
        assert not text.strip()
    else:
        assert 0.0 <= result.complaint_score <= 1.0
