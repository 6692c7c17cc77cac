"""The exact diff parser: hunks read by their counts, raw records, and their pairing."""

import pytest

from undertow.analyzers.core.changes import (
    ChangedFile,
    DiffError,
    RawRecord,
    Section,
    Status,
    added_lines,
    changed_file,
    line_count,
    looks_binary,
    pair_sections,
    parse_patch,
    parse_raw,
)
from undertow.app.github_data import changed_file as github_changed_file

A = "1" * 40
B = "2" * 40
Z = "0" * 40


# -- hunks ----------------------------------------------------------------------------------------


def test_deleting_the_first_and_only_line_adds_nothing():
    assert added_lines("@@ -1 +0,0 @@\n-only\n") == frozenset()


def test_deleting_the_first_lines_of_a_file_that_keeps_others():
    assert added_lines("@@ -1,2 +0,0 @@\n-a\n-b\n@@ -5 +3 @@\n-e\n+E\n") == {3}


def test_counts_default_to_one_and_plus_c_zero_adds_nothing():
    assert added_lines("@@ -3 +3 @@\n-c\n+C\n") == {3}
    assert added_lines("@@ -4,2 +3,0 @@\n-d\n-e\n") == frozenset()
    assert added_lines("@@ -0,0 +1,3 @@\n+a\n+b\n+c\n") == {1, 2, 3}


def test_context_lines_count_on_both_sides():
    patch = "@@ -10,4 +10,5 @@ def f():\n ctx\n-old\n+new\n+more\n \n ctx2\n"
    assert added_lines(patch) == {11, 12}
    # A blank context line written as an empty line (diff.suppressBlankEmpty) is still one line.
    assert added_lines("@@ -1,3 +1,3 @@\n a\n\n-c\n+C\n") == {3}


def test_no_newline_markers():
    patch = "@@ -2 +2,2 @@\n-last\n\\ No newline at end of file\n+last\n+added\n\\ No newline at end of file\n"
    assert added_lines(patch) == {2, 3}
    # GitHub's patch text has no newline after its last line.
    assert added_lines("@@ -1 +1 @@\n-x\n\\ No newline at end of file\n+x") == {1}


def test_content_lines_that_look_like_headers():
    patch = (
        "@@ -1,3 +1,4 @@\n"
        "--- a/removed line that starts with two dashes\n"
        "+++ b/added line that starts with two pluses\n"
        "+diff --git a/x b/x\n"
        "+@@ -1 +1 @@\n"
        "-\\ not a marker when it is content\n"
        " --- context\n"
    )
    assert added_lines(patch) == {1, 2, 3}


def test_a_hunk_shorter_or_longer_than_its_header_is_an_error():
    with pytest.raises(DiffError):
        added_lines("@@ -1,2 +1,2 @@\n-a\n+b\n")
    with pytest.raises(DiffError):
        added_lines("@@ -1 +1 @@\n-a\n+b\n+c\n")
    with pytest.raises(DiffError):
        added_lines("not a hunk\n")


def test_bytes_and_carriage_returns():
    # Only "\n" ends a line: a "\r" or a form feed inside a line is content.
    assert added_lines(b"@@ -0,0 +1,2 @@\n+a\rb\x0cc\x00\n+d\r\n") == {1, 2}


def test_github_patch_of_a_file_whose_only_line_is_deleted_stays_modified():
    item = {"filename": "a.py", "status": "modified", "patch": "@@ -1 +0,0 @@\n-x = 1"}
    assert github_changed_file(item) == ChangedFile("a.py", Status.MODIFIED, None, frozenset())
    item = {"filename": "b.py", "status": "modified", "patch": "@@ -1,2 +1,2 @@\n--- x\n+++ y\n-a\n+b"}
    assert github_changed_file(item).lines == {1, 2}


# -- raw records ------------------------------------------------------------------------------


def test_raw_records_keep_names_byte_for_byte():
    data = (
        f":100644 100644 {A} {B} M\0weird\tname.py\0".encode()
        + f":000000 100644 {Z} {B} A\0".encode()
        + b"new\nline.py\0"
        + f":100644 100644 {A} {B} R087\0".encode()
        + b"a/old.py\0caf\xe9.py\0"
        + f":100644 100644 {A} {B} C100\0src.py\0copy.py\0".encode()
        + b"\0diff --git ..."
    )
    records, offset = parse_raw(data)
    assert [(r.status, r.old_path, r.path) for r in records] == [
        ("M", None, "weird\tname.py"),
        ("A", None, "new\nline.py"),
        ("R", "a/old.py", "caf\udce9.py"),
        ("C", "src.py", "copy.py"),
    ]
    assert data[offset:] == b"diff --git ..."


def test_status_comes_from_the_record_not_from_the_hunks():
    deleting_everything = Section(index=(A, B))
    deleting_everything.added.clear()
    modified = RawRecord("100644", "100644", A, B, "M", "a.py")
    assert changed_file(modified, [deleting_everything]) == ChangedFile("a.py", Status.MODIFIED)
    assert (
        changed_file(RawRecord("100644", "000000", A, Z, "D", "a.py"), [Section(deleted_file=True)]).status
        is Status.REMOVED
    )
    assert (
        changed_file(RawRecord("000000", "100644", Z, B, "A", "a.py"), [Section(new_file=True)]).status is Status.ADDED
    )
    renamed = changed_file(
        RawRecord("100644", "100644", A, B, "R", "new.py", "old.py"), [Section(rename=True, added={2})]
    )
    assert renamed == ChangedFile("new.py", Status.RENAMED, "old.py", frozenset({2}))
    copied = changed_file(
        RawRecord("100644", "100644", A, B, "C", "copy.py", "src.py"), [Section(copy=True)], lines=frozenset({1, 2})
    )
    assert copied == ChangedFile("copy.py", Status.ADDED, None, frozenset({1, 2}))
    typechange = RawRecord("100644", "120000", A, B, "T", "link")
    assert changed_file(typechange, [Section(deleted_file=True), Section(new_file=True, added={1})]) == ChangedFile(
        "link", Status.MODIFIED, lines=frozenset({1})
    )
    mode_only = RawRecord("100644", "100755", A, A, "M", "run.sh")
    assert changed_file(mode_only, [Section()]) == ChangedFile("run.sh", Status.MODIFIED)


# -- pairing records with sections --------------------------------------------------------------


def _patch(*sections: str) -> bytes:
    return "".join(sections).encode()


def test_pairing_follows_the_order_and_splits_a_change_of_file_type():
    records = [
        RawRecord("100644", "100644", A, B, "M", "a.py"),
        RawRecord("100644", "120000", A, B, "T", "link"),
        RawRecord("100644", "100755", A, A, "M", "run.sh"),
        RawRecord("000000", "100644", Z, B, "A", "empty.py"),
        RawRecord("100644", "100644", A, A, "R", "new.py", "old.py"),
    ]
    patch = _patch(
        f'diff --git "a/a\\tb" "b/a\\tb"\nindex {A}..{B} 100644\n--- "a/a\\tb"\n+++ "b/a\\tb"\n@@ -1 +1 @@\n--- x\n+++ y\n',
        f"diff --git a/link b/link\ndeleted file mode 100644\nindex {A}..{Z}\n--- a/link\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n",
        f"diff --git a/link b/link\nnew file mode 120000\nindex {Z}..{B}\n--- /dev/null\n+++ b/link\n@@ -0,0 +1 @@\n+target\n\\ No newline at end of file\n",
        "diff --git a/run.sh b/run.sh\nold mode 100644\nnew mode 100755\n",
        f"diff --git a/empty.py b/empty.py\nnew file mode 100644\nindex {Z}..{B}\n",
        "diff --git a/old.py b/new.py\nsimilarity index 100%\nrename from old.py\nrename to new.py\n",
    )
    grouped = pair_sections(records, parse_patch(patch))
    assert [[sorted(s.added) for s in group] for group in grouped] == [[[1]], [[], [1]], [[]], [[]], [[]]]


def test_a_patch_that_does_not_match_the_records_is_an_error():
    records = [RawRecord("000000", "100644", Z, B, "A", "a.py"), RawRecord("100644", "100644", A, B, "M", "b.py")]
    one_section = _patch(f"diff --git a/a.py b/a.py\nnew file mode 100644\nindex {Z}..{B}\n")
    with pytest.raises(DiffError):
        pair_sections(records, parse_patch(one_section))
    swapped = _patch(
        f"diff --git a/b.py b/b.py\nindex {A}..{B} 100644\n",
        f"diff --git a/a.py b/a.py\nnew file mode 100644\nindex {Z}..{B}\n",
    )
    with pytest.raises(DiffError):
        pair_sections(records, parse_patch(swapped))
    other_blob = _patch(
        f"diff --git a/a.py b/a.py\nnew file mode 100644\nindex {Z}..{A}\n",
        f"diff --git a/b.py b/b.py\nindex {A}..{B} 100644\n",
    )
    with pytest.raises(DiffError):
        pair_sections(records, parse_patch(other_blob))


def test_an_unmerged_path_has_no_section():
    records = [RawRecord("000000", "000000", Z, Z, "U", "c.py"), RawRecord("100644", "100644", A, B, "M", "d.py")]
    patch = _patch("* Unmerged path c.py\n", f"diff --git a/d.py b/d.py\nindex {A}..{B} 100644\n@@ -1 +1 @@\n-a\n+b\n")
    assert [[s.added for s in g] for g in pair_sections(records, parse_patch(patch))] == [[], [{1}]]


def test_line_count_and_binary_probe():
    assert [line_count(b""), line_count(b"a"), line_count(b"a\n"), line_count(b"a\nb"), line_count(b"a\r\rb\n")] == [
        0,
        1,
        1,
        2,
        1,
    ]
    assert looks_binary(b"PNG\0") and not looks_binary(b"text\n") and not looks_binary(b"x" * 8000 + b"\0")
