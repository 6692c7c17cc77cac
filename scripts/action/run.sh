#!/usr/bin/env bash
# The steps of Undertow's GitHub Action (action.yml at the repository root):
#
#   run.sh install   a virtual environment of Undertow's own under $RUNNER_TEMP
#   run.sh history   the base revision, and the commits a shallow checkout lacks to review the change
#   run.sh scan      `undertow scan`; its exit status is the step's
#
# Every input arrives through the environment (INPUT_*, set by the step's `env:`), never spliced
# into this script's text. Messages for people go to stderr; an error is also a workflow command
# (GitHub's runner reads them on stderr too), so that stdout carries only what `undertow scan` prints.
set -euo pipefail

# -- helpers ------------------------------------------------------------------------------------

escape() { # the data of a workflow command: %, CR and LF escaped
    local s=$1
    s=${s//'%'/%25}
    s=${s//$'\r'/%0D}
    s=${s//$'\n'/%0A}
    printf '%s' "$s"
}

die() { # die STATUS MESSAGE: an error annotation and the exit status
    local status=$1
    shift
    printf '::error title=Undertow::%s\n' "$(escape "$*")" >&2
    exit "$status"
}

say() { printf 'undertow-action: %s\n' "$*" >&2; }

need() { # need VAR...: each must be set (GitHub sets them; the test does too)
    local var
    for var in "$@"; do
        [[ -n ${!var:-} ]] || die 2 "$var is not set: this script runs as a step of Undertow's action.yml"
    done
}

output() { # output NAME VALUE: a step output; values are one line (commit ids and paths)
    [[ $2 != *$'\n'* && $2 != *$'\r'* ]] || die 2 "the $1 output would span lines: $2"
    printf '%s=%s\n' "$1" "$2" >>"$GITHUB_OUTPUT"
}

is_sha() { [[ $1 =~ ^[0-9a-f]{40}$ || $1 =~ ^[0-9a-f]{64}$ ]]; }

have() { git cat-file -e "$1^{commit}" 2>/dev/null; }

fetch() { # fetch OPTION... -- REFSPEC...: from origin, no tags, no submodules
    say "git fetch $*"
    git fetch --quiet --no-tags --no-recurse-submodules "$@"
}

parents() { # parents COMMIT: its parents as the commit object records them (even when shallow)
    git cat-file commit "$1" | sed -n '/^$/q; s/^parent //p'
}

event() { # event a.b.c: a string field of the event payload, or nothing
    [[ -n ${GITHUB_EVENT_PATH:-} && -f $GITHUB_EVENT_PATH ]] || return 0
    "$UNDERTOW_PYTHON" -I -c '
import json, sys
value = json.load(open(sys.argv[1], encoding="utf-8"))
for key in sys.argv[2].split("."):
    value = value.get(key) if isinstance(value, dict) else None
if isinstance(value, str) and "\n" not in value:
    print(value)
' "$GITHUB_EVENT_PATH" "$1"
}

# -- install ------------------------------------------------------------------------------------

install() {
    need RUNNER_TEMP GITHUB_OUTPUT GITHUB_ACTION_PATH
    local python=${INPUT_PYTHON:-python3} version=${INPUT_VERSION:-} dir spec
    if [[ -z $version ]]; then
        spec=$GITHUB_ACTION_PATH # the action's own checkout: the same commit as the `uses:` ref
    elif [[ $version =~ ^[0-9][0-9A-Za-z.+!-]*$ ]]; then
        spec="undertow==$version"
    else
        die 2 "the version input must be a version of Undertow such as 0.1.0, not: $version"
    fi
    dir=$(mktemp -d "$RUNNER_TEMP/undertow.XXXXXX")
    say "installing $spec into $dir/venv"
    # A venv of its own: Undertow never imports the analysed code, and the project's environment
    # (its packages, its Python) never meets Undertow's.
    "$python" -m venv "$dir/venv" || die 2 "cannot create a virtual environment with $python (the python input)"
    "$dir/venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input "$spec" ||
        die 2 "pip could not install $spec"
    "$dir/venv/bin/undertow" --version >&2 || die 2 "the installed undertow does not run"
    output dir "$dir"
    output python "$dir/venv/bin/python"
    output undertow "$dir/venv/bin/undertow"
}

# -- history ------------------------------------------------------------------------------------

BASE=""
WHY=""
PARENTS=()

choose_base() { # sets BASE (a revision) and WHY (where it comes from)
    local pr_base pr_head before branch
    if [[ -n ${INPUT_BASE:-} ]]; then
        BASE=$INPUT_BASE WHY="the base input"
        return
    fi
    pr_base=$(event pull_request.base.sha) || die 2 "cannot read the event payload $GITHUB_EVENT_PATH"
    if [[ -n $pr_base ]]; then
        # actions/checkout checks a pull_request event out at refs/pull/N/merge: GitHub's test merge,
        # whose first parent is the base branch's tip it merged into and whose second is the PR's head.
        # Against that parent the diff is exactly what merging the pull request changes, even when
        # the payload's base.sha is older than the tip the merge was made on.
        pr_head=$(event pull_request.head.sha) || die 2 "cannot read the event payload $GITHUB_EVENT_PATH"
        if [[ ${#PARENTS[@]} -eq 2 && ${PARENTS[1]} == "$pr_head" ]]; then
            BASE=${PARENTS[0]} WHY="the first parent of GitHub's merge commit for the pull request"
        else
            BASE=$pr_base WHY="the pull request's base.sha"
        fi
        return
    fi
    if [[ -n ${GITHUB_BASE_REF:-} ]]; then
        BASE="origin/$GITHUB_BASE_REF" WHY="GITHUB_BASE_REF"
        return
    fi
    BASE=$(event merge_group.base_sha) || die 2 "cannot read the event payload $GITHUB_EVENT_PATH"
    if [[ -n $BASE ]]; then
        WHY="the merge group's base_sha"
        return
    fi
    before=$(event before) || die 2 "cannot read the event payload $GITHUB_EVENT_PATH"
    if [[ -n $before && ! $before =~ ^0+$ ]]; then
        BASE=$before WHY="the push's before"
        return
    fi
    branch=$(event repository.default_branch) || die 2 "cannot read the event payload $GITHUB_EVENT_PATH"
    if [[ -n $branch ]]; then
        BASE="origin/$branch" WHY="the repository's default branch"
        return
    fi
    die 2 "no base revision in this event: set the action's base input"
}

resolve() { # resolve REV: sets REPLY to its commit id, fetching the commit (alone) when missing
    local rev=$1 spec
    [[ -n $rev && $rev != -* && $rev != *[[:space:]]* ]] || die 2 "not a revision: '$rev'"
    if REPLY=$(git rev-parse --verify --quiet --end-of-options "$rev^{commit}"); then
        return
    fi
    if is_sha "$rev"; then
        spec=$rev
    elif [[ $rev == origin/* ]]; then
        spec="refs/heads/${rev#origin/}"
        git check-ref-format "$spec" || die 2 "not a branch name: ${rev#origin/}"
    else
        spec=$rev # a branch or tag of origin
    fi
    fetch --depth=1 origin "$spec" || die 2 "cannot fetch $rev from origin"
    REPLY=$(git rev-parse --verify "FETCH_HEAD^{commit}")
}

history() {
    need GITHUB_WORKSPACE GITHUB_SHA GITHUB_OUTPUT UNDERTOW_PYTHON
    cd "$GITHUB_WORKSPACE"
    local head=$GITHUB_SHA base n
    is_sha "$head" || die 2 "GITHUB_SHA is not a commit id: $head"
    have "$head" || fetch --depth=1 origin "$head" || die 2 "cannot fetch the head commit $head from origin"

    mapfile -t PARENTS < <(parents "$head")
    choose_base
    # The base is one of head's parents (a pull request's merge commit, a push of one commit): one
    # commit more of head's history brings it, and the merge base (the base itself) with it.
    if is_sha "$BASE" && [[ " ${PARENTS[*]} " == *" $BASE "* ]] && ! git merge-base "$BASE" "$head" >/dev/null 2>&1; then
        fetch --deepen=1 origin "$head" || die 2 "cannot fetch the parents of $head from origin"
    fi
    resolve "$BASE"
    base=$REPLY
    say "base $base ($WHY), head $head"

    # `undertow scan` reviews merge-base(base, head)..head. Two commits fetched one deep have no
    # common ancestor in a shallow clone (`git merge-base` finds none, and the scan would stop with
    # exit 2): deepen both histories until they meet, then fetch all of it as a last resort.
    for n in 10 100 1000 all; do
        git merge-base "$base" "$head" >/dev/null 2>&1 && break
        [[ $(git rev-parse --is-shallow-repository) == true ]] ||
            die 2 "$base ($WHY) and $head have no common ancestor"
        if [[ $n == all ]]; then
            fetch --unshallow origin "$head" "$base" || die 2 "cannot fetch the history of $head from origin"
        else
            fetch --deepen="$n" origin "$head" "$base" || die 2 "cannot fetch the history of $head from origin"
        fi
    done
    git merge-base "$base" "$head" >/dev/null 2>&1 || die 2 "$base ($WHY) and $head have no common ancestor"
    say "merge base $(git merge-base "$base" "$head")"
    output base "$base"
    output head "$head"
}

# -- scan ---------------------------------------------------------------------------------------

scan() {
    need GITHUB_WORKSPACE GITHUB_OUTPUT UNDERTOW UNDERTOW_DIR UNDERTOW_BASE UNDERTOW_HEAD
    cd "$GITHUB_WORKSPACE" # a relative config input is relative to the repository
    local format=${INPUT_FORMAT:-github} fail_on=${INPUT_FAIL_ON:-error} sarif="" status
    local -a args=(scan "--repo=$GITHUB_WORKSPACE" "--base=$UNDERTOW_BASE" "--head=$UNDERTOW_HEAD"
        "--format=$format" "--fail-on=$fail_on")
    [[ -z ${INPUT_CONFIG:-} ]] || args+=("--config=$INPUT_CONFIG")
    if [[ $format == sarif ]]; then
        sarif="$UNDERTOW_DIR/undertow.sarif"
        args+=("--output=$sarif")
    fi
    set +e
    "$UNDERTOW" "${args[@]}"
    status=$?
    set -e
    if [[ -n $sarif && -f $sarif ]]; then
        output sarif-file "$sarif"
    fi
    case $status in
        0) ;;
        1) say "findings at or above '$fail_on' (the fail-on input): exit 1" ;;
        *) printf '::error title=Undertow::%s\n' \
            "$(escape "undertow scan failed with exit status $status (its message is in the log)")" >&2 ;;
    esac
    exit "$status"
}

case ${1:-} in
    install | history | scan) "$1" ;;
    *) die 2 "usage: run.sh install|history|scan" ;;
esac
