"""DEP006: whether two ranges share a version (``compatible``); which manifests are compared is
in the rule's cases."""

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from undertow.analyzers.rules.dependencies.manifest_version_conflict import compatible

_SUFFIXES = ("", "a1", "rc1", ".post1", ".dev0")
_RELEASES = [".".join(map(str, release)) for n in (1, 2, 3) for release in itertools.product(range(4), repeat=n)]
# Every version of at most three numbers below 4 (and four for the ends of ~= and .*), each also
# as a pre-, post- and dev-release: the brute-force answer over these.
_GRID = [
    Version(release + suffix)
    for release in _RELEASES + [".".join(map(str, r)) for r in itertools.product(range(4), repeat=4)]
    for suffix in _SUFFIXES
]


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        ("<3", "<3", True),  # the same upper bound: 2.x satisfies both
        ("<3", "<4", True),
        ("<=2", "<3", True),
        ("<1", ">0.9999", True),  # a version between two close bounds (0.9999.N)
        (">2.5000,<3", ">2.4", True),
        ("==2.*", ">=2.9", True),
        ("==2.*", ">=3", False),
        ("!=1.*", "<=2", True),
        ("!=1.0", "==1.0", False),
        ("<0", ">=0", False),
        (">=3.0.0rc1", "<3", False),  # <3 excludes 3's pre-releases
        ("==0.27.0", "==0.28.1", False),
        (">=1!1", "<5", False),  # an epoch sorts after every version without one
        ("^1.2", "<1", True),  # Poetry's caret: not ours to judge
    ],
)
def test_compatible(left, right, expected):
    assert compatible(left, right) is expected
    assert compatible(right, left) is expected


_VERSION = st.builds(lambda release, suffix: release + suffix, st.sampled_from(_RELEASES), st.sampled_from(_SUFFIXES))
_SPEC = st.one_of(
    st.builds(lambda op, v: op + v, st.sampled_from(["<", "<=", ">", ">=", "==", "!=", "~="]), _VERSION),
    st.builds(lambda op, v: f"{op}{v}.*", st.sampled_from(["==", "!="]), st.sampled_from(_RELEASES)),
)
_SET = st.lists(_SPEC, min_size=1, max_size=3).map(",".join)


@settings(max_examples=300, deadline=None)
@given(_SET, _SET)
def test_compatible_finds_a_version_whenever_one_exists(left, right):
    """Sound both ways: a version of the grid in both means compatible; compatible means some
    version (its witness) is in both."""
    try:
        a, b = SpecifierSet(left), SpecifierSet(right)
    except InvalidSpecifier:
        return
    both = any(a.contains(v, prereleases=True) and b.contains(v, prereleases=True) for v in _GRID)
    if both:
        assert compatible(left, right)
