"""One test-path predicate: the Python facts, the rules' ``FileContext.is_test`` and the
dependency coverage agree on what is test code."""

import pytest

from undertow.analyzers.core.config import Config
from undertow.analyzers.core.snapshot import MemorySnapshot
from undertow.analyzers.facts.context import FileContext, RevisionFacts
from undertow.analyzers.python.facts import is_test_path

TABLE = [
    ("tests/test_api.py", True),
    ("tests/helpers.py", True),  # anything under a tests/ directory
    ("app/tests/factories.py", True),
    ("test/api.py", True),
    ("app/testing/fixtures.py", True),  # a testing/ package holds test helpers
    ("tests/data/config.yaml", True),
    ("test_api.py", True),
    ("app/api_test.py", True),
    ("conftest.py", True),
    ("app/conftest.py", True),
    ("app/api.py", False),
    ("app/testing.py", False),  # a module named testing is not a directory of tests
    ("app/contest.py", False),
    ("app/latest/api.py", False),
    ("app/tests.py", False),
    ("attest/api.py", False),
    ("app/test_data.yaml", True),
    ("app/mytest_api.py", False),
]


@pytest.mark.parametrize(("path", "expected"), TABLE)
def test_the_one_test_path_predicate(path, expected):
    context = FileContext(path, "", Config(), RevisionFacts(MemorySnapshot({})))
    assert is_test_path(path) is expected
    assert context.is_test is expected
