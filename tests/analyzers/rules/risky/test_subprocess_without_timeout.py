from tests.gitrepo import findings

BASE = {"app/jobs.py": "import subprocess\n\n\ndef old():\n    subprocess.run(['ls'])\n"}


def test_new_call_without_timeout_is_reported_on_its_head_line(make_pr, capsys):
    repo = make_pr(
        BASE, {"app/jobs.py": BASE["app/jobs.py"] + "\n\ndef new(path):\n    subprocess.run(['ffmpeg', '-i', path])\n"}
    )
    doc = repo.scan_json(capsys)
    assert findings(doc) == [("RSK001", "app/jobs.py", 9)]
    finding = doc["findings"][0]
    assert finding["name"] == "subprocess-without-timeout"
    assert finding["severity"] == "warning"
    assert finding["message"].startswith("subprocess.run() has no timeout")
    assert finding["fingerprint"] == "RSK001:app/jobs.py:new/subprocess.run()#1"
    assert finding["suggestion"] == {
        "kind": "replace",
        "text": "    subprocess.run(['ffmpeg', '-i', path], timeout=60)",
        "description": "add a timeout (60 s is a placeholder: choose the real bound)",
    }
    assert doc["preexisting"] == 1  # the old call in the same file, not from this PR


def test_touching_another_line_of_a_file_with_an_old_call_reports_nothing(make_pr, capsys):
    repo = make_pr(BASE, {"app/jobs.py": "import subprocess\n\n\ndef old():\n    subprocess.run(['ls'])\nX = 1\n"})
    doc = repo.scan_json(capsys)
    assert doc["findings"] == []
    assert doc["preexisting"] == 1


def test_timeout_given_is_quiet(make_pr, capsys):
    repo = make_pr({}, {"a.py": "import subprocess\nsubprocess.check_output(['ls'], timeout=5)\n"})
    assert repo.scan_json(capsys)["findings"] == []


def test_aliases_and_from_imports_are_resolved(make_pr, capsys):
    source = (
        "import subprocess as sp\n"
        "from subprocess import check_call as cc, Popen\n"
        "sp.call(['a'])\n"
        "cc(['b'])\n"
        "p = Popen(['c'])\n"
        "p.communicate()\n"
        "p.wait(timeout=3)\n"
        "with sp.Popen(['d']) as q:\n"
        "    q.wait()\n"
        "sp.Popen(['e']).communicate()\n"
        "run = print\n"
        "run(['not subprocess'])\n"
    )
    doc = repo_doc = make_pr({}, {"a.py": source}).scan_json(capsys)
    assert findings(repo_doc) == [
        ("RSK001", "a.py", 3),
        ("RSK001", "a.py", 4),
        ("RSK001", "a.py", 6),
        ("RSK001", "a.py", 9),
        ("RSK001", "a.py", 10),
    ]
    assert [f["message"].split(":")[0] for f in doc["findings"]] == [
        "subprocess.call() has no timeout",
        "subprocess.check_call() has no timeout",
        "Popen.communicate() has no timeout",
        "Popen.wait() has no timeout",
        "Popen.communicate() has no timeout",
    ]


def test_kwargs_unpacking_is_not_provably_missing_a_timeout(make_pr, capsys):
    repo = make_pr({}, {"a.py": "import subprocess\nopts = {'timeout': 3}\nsubprocess.run(['ls'], **opts)\n"})
    assert repo.scan_json(capsys)["findings"] == []


def test_multiline_call_is_new_when_an_argument_line_changes(make_pr, capsys):
    base = {"a.py": "import os\n"}
    repo = make_pr(base, {"a.py": "import subprocess\nsubprocess.run(\n    ['ls', '-l'],\n    check=True,\n)\n"})
    doc = repo.scan_json(capsys)
    assert [(f["rule"], f["line"], f["end_line"], f["suggestion"]) for f in doc["findings"]] == [("RSK001", 2, 5, None)]


# The engine counts a rule's findings per scope and key in the change's files at base and at
# head (core/engine._without_moved): an edited or moved call that already had the problem is
# pre-existing.
_BUILD = {
    "a.py": "import subprocess\ndef build():\n    subprocess.run(\n        ['ls'],\n        check=True,\n    )\n",
    "b.py": "X = 1\n",
}


def test_a_call_that_already_lacked_a_timeout_is_not_new_when_edited(make_pr, capsys):
    edited = _BUILD["a.py"].replace("['ls']", "['ls', '-l']")
    doc = make_pr(_BUILD, {"a.py": edited}).scan_json(capsys)
    assert doc["findings"] == [] and doc["preexisting"] == 1


def test_a_call_moved_to_another_module_with_its_function_is_not_new(make_pr, capsys):
    doc = make_pr(_BUILD, {"a.py": "import os\n", "b.py": "X = 1\n" + _BUILD["a.py"]}).scan_json(capsys)
    assert doc["findings"] == [] and doc["preexisting"] == 1


def test_a_second_call_in_the_same_function_is_new_wherever_it_comes(make_pr, capsys):
    second = _BUILD["a.py"].replace("def build():\n", "def build():\n    subprocess.run(['make'])\n")
    doc = make_pr(_BUILD, {"a.py": second}).scan_json(capsys)
    assert [(f["rule"], f["line"]) for f in doc["findings"]] == [("RSK001", 3)]
