"""A hostile file system: pipes, devices, symlink loops and escapes, huge notes, a missing notes/.

`check` and `build` never hang, never crash and never pass over what they could
not read; the site never publishes a file from outside the knowledge base. What
could hang runs in its own process with a timeout, so a regression fails instead
of stalling the suite.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kbtool.config import Layout
from kbtool.core.files import MAX_NOTE_BYTES, find_note_files
from kbtool.core.knowledge_base import load_knowledge_base
from tests.support.arxiv_server import FakeArxiv
from tests.support.kb import KnowledgeBaseFactory, RunKbtool, note_text, run_process

GOOD = note_text(title="Good", topics="[rlhf]")


def kbtool_check(kb: KnowledgeBaseFactory, *args: str) -> tuple[int, str, str]:
    done = run_process(kb.root, "check", *args, timeout=60)
    return done.returncode, done.stdout, done.stderr


def test_a_named_pipe_named_like_a_note_is_reported_not_waited_on(
    kb: KnowledgeBaseFactory,
) -> None:
    kb.write_note("good.md", GOOD)
    os.mkfifo(kb.root / "notes" / "pipe.md")
    code, out, err = kbtool_check(kb)
    assert code == 1, err
    assert "notes/pipe.md: error KB004 [unreadable] a named pipe (FIFO), not a file" in out
    assert "1 notes checked" in err


def test_a_symlink_to_a_device_is_not_read_for_ever(kb: KnowledgeBaseFactory) -> None:
    (kb.root / "notes" / "zero.md").symlink_to("/dev/zero")
    code, out, _ = kbtool_check(kb)
    assert code == 1
    assert "notes/zero.md: error KB004 [unreadable] a symlink to a file outside" in out


def test_a_device_inside_the_knowledge_base_is_not_read(kb: KnowledgeBaseFactory) -> None:
    # A device node itself (no symlink): only root can make one, and the tests run as root.
    try:
        os.mknod(kb.root / "notes" / "null.md", 0o600 | 0o020000, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("making a device node needs root")
    code, out, _ = kbtool_check(kb)
    assert code == 1
    assert "notes/null.md: error KB004 [unreadable] a character device, not a file" in out


@pytest.mark.parametrize("target", ["loop.md", "other.md"])
def test_symlink_loops_are_problems_not_internal_errors(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool, target: str
) -> None:
    notes = kb.root / "notes"
    (notes / "loop.md").symlink_to(target)
    if target == "other.md":
        (notes / "other.md").symlink_to("loop.md")
    kb.write_note("good.md", GOOD)
    result = run_kbtool("check")
    assert result.exit_code == 1, result.stderr
    assert "notes/loop.md: error KB004 [unreadable] a symlink loop; not read" in result.stdout
    build = run_kbtool("build", "--quiet")
    assert build.exit_code == 7, build.stderr
    assert "notes/loop.md: a symlink loop; not read" in build.stderr
    assert "internal error" not in build.stderr


def test_a_folder_symlinked_into_itself_is_walked_once(kb: KnowledgeBaseFactory) -> None:
    kb.write_note("sub/a.md", GOOD)
    (kb.root / "notes" / "sub" / "again").symlink_to("..")
    found = find_note_files(Layout(kb.root))
    assert [p.relative_to(kb.root).as_posix() for p in found.paths] == ["notes/sub/a.md"]
    assert found.problems == ()


def test_a_note_symlinked_from_outside_is_refused_everywhere(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool, tmp_path: Path
) -> None:
    secret = tmp_path / "outside" / "secret.md"
    secret.parent.mkdir()
    secret.write_text(note_text(title="SECRET-TEXT", topics="[rlhf]"), encoding="utf-8")
    (kb.root / "notes" / "leak.md").symlink_to(secret)
    (kb.root / "notes" / "key.png").symlink_to(secret)
    kb.write_note("good.md", GOOD)
    result = run_kbtool("check")
    assert result.exit_code == 1
    assert (
        "notes/leak.md: error KB004 [unreadable] a symlink to a file outside the knowledge base"
        in result.stdout
    )
    site = kb.root / "public"
    build = run_kbtool("build", "--site-dir", str(site))
    assert build.exit_code == 7 and "notes/leak.md" in build.stderr
    build = run_kbtool("build", "--no-strict", "--site-dir", str(site))
    assert not any(
        "SECRET-TEXT" in path.read_text(encoding="utf-8", errors="replace")
        for path in site.rglob("*")
        if path.is_file()
    )


def test_a_symlink_to_a_note_inside_the_knowledge_base_is_read(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool
) -> None:
    kb.write("drafts/real.md", note_text(title="Real", topics="[rlhf]"))
    (kb.root / "notes" / "real.md").symlink_to(kb.root / "drafts" / "real.md")
    kb_model = load_knowledge_base(Layout(kb.root))
    assert [n.path for n in kb_model.notes] == ["notes/real.md"]
    assert run_kbtool("check").exit_code == 0


def test_a_note_larger_than_the_limit_is_a_problem(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool
) -> None:
    kb.write_note("huge.md", GOOD + "x" * MAX_NOTE_BYTES)
    result = run_kbtool("check")
    assert result.exit_code == 1
    assert "notes/huge.md: error KB004 [unreadable] cannot read: larger than 4 MiB" in result.stdout


@pytest.mark.parametrize("kind", ["file", "loop", "nothing"])
def test_notes_that_is_not_a_folder_fails_check_strict(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool, kind: str
) -> None:
    notes = kb.root / "notes"
    shutil.rmtree(notes)
    if kind == "file":
        notes.write_text("not a folder", encoding="utf-8")
    elif kind == "loop":
        notes.symlink_to("notes")
    else:
        notes.symlink_to("gone")
    result = run_kbtool("check", "--strict")
    assert result.exit_code == 1, result.output
    assert "notes: error KB004 [unreadable]" in result.stdout
    build = run_kbtool("build", "--quiet")
    assert build.exit_code == 7 and "notes: " in build.stderr


def test_a_missing_notes_folder_is_an_empty_knowledge_base(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool
) -> None:
    shutil.rmtree(kb.root / "notes")  # git keeps no empty folder: a fresh clone may have none
    assert run_kbtool("check", "--strict").exit_code == 0


def test_unreadable_files_fail_check_and_build(kb: KnowledgeBaseFactory) -> None:
    # Permissions do not stop root: run kbtool as root without the capabilities that
    # let it read any file (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH).
    setpriv = shutil.which("setpriv")
    if os.geteuid() != 0 or setpriv is None:
        pytest.skip("needs root and util-linux's setpriv to drop the right to read any file")
    kb.write_note("good.md", GOOD)
    kb.write_note("secret.md", GOOD.replace("Good", "Secret"))
    kb.write("topics/rlhf.md", "# RLHF\n")
    (kb.root / "notes" / "secret.md").chmod(0o000)
    (kb.root / "topics" / "rlhf.md").chmod(0o000)

    def unprivileged(*args: str) -> tuple[int, str, str]:
        drop = [setpriv, "--bounding-set", "-dac_override,-dac_read_search"]
        done = subprocess.run(
            [*drop, sys.executable, "-m", "kbtool", "--root", str(kb.root), *args],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        return done.returncode, done.stdout, done.stderr

    code, out, err = unprivileged("check")
    assert code == 1, err
    assert "notes/secret.md: error KB004 [unreadable] cannot read: Permission denied" in out
    assert "topics/rlhf.md: error KB004 [unreadable] cannot read: Permission denied" in out
    code, _, err = unprivileged("build", "--quiet")
    assert code == 7, err
    assert "notes/secret.md: cannot read: Permission denied (and 1 more" in err
    (kb.root / "notes").chmod(0o000)
    code, out, err = unprivileged("check", "--strict")
    assert code == 1, err
    assert "notes: error KB004 [unreadable] cannot list the folder: Permission denied" in out


def test_a_named_pipe_in_docs_does_not_hang_the_build(kb: KnowledgeBaseFactory) -> None:
    os.mkfifo(kb.root / "docs" / "pipe.md")
    done = run_process(kb.root, "build", "--quiet", timeout=120)
    assert done.returncode == 7, done.stderr
    assert "docs/pipe.md: a named pipe (FIFO), not a file" in done.stderr


def test_a_named_pipe_as_kbtool_yml_or_topics_yml_is_one_line(kb: KnowledgeBaseFactory) -> None:
    (kb.root / "kbtool.yml").unlink()
    os.mkfifo(kb.root / "kbtool.yml")
    done = run_process(kb.root, "check", timeout=60)
    assert done.returncode == 4
    assert done.stderr.count("\n") == 1 and "a named pipe (FIFO), not a file" in done.stderr
    (kb.root / "kbtool.yml").unlink()
    (kb.root / "topics.yml").unlink()
    os.mkfifo(kb.root / "topics.yml")
    done = run_process(kb.root, "check", timeout=60)
    assert done.returncode == 1
    assert "topics.yml: error KB004 [unreadable] cannot read: a named pipe" in done.stdout


# --- interrupted writes and a full disk ---------------------------------------------------------


def dead_pid() -> int:
    """The pid of a process that has ended (and was not reused in the moment since)."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_temporary_files_of_killed_writes_are_removed_by_the_next_run(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool
) -> None:
    gone = dead_pid()
    kb.write_note("a.md", GOOD)
    leftovers = [
        kb.write(f"notes/.a.md.{gone}-k2j4.tmp", "half a note"),
        kb.write(f"notes/sub/.b.md.{gone}-x9.tmp", "half another"),
        kb.write(f".kbtool-sync.json.{gone}-q1.tmp", "{"),
    ]
    in_progress = kb.write(f"notes/.c.md.{os.getppid()}-zz.tmp", "being written right now")
    hidden_by_git = run_kbtool("check")
    assert hidden_by_git.exit_code == 0 and "tmp" not in hidden_by_git.stdout
    result = run_kbtool("enrich")  # no arXiv ids: nothing to fetch, but it writes
    assert result.exit_code == 0, result.output
    assert not any(path.exists() for path in leftovers)
    assert in_progress.exists()
    assert result.stderr.startswith(
        "kbtool: warning: removed 3 temporary files left by an interrupted kbtool: "
        f"notes/.a.md.{gone}-k2j4.tmp, notes/sub/.b.md.{gone}-x9.tmp, "
        f".kbtool-sync.json.{gone}-q1.tmp\n"
    )


@pytest.mark.parametrize("template", [True, False], ids=["kbtool-init", "this-repository"])
def test_git_ignores_temporary_files(tmp_path: Path, template: bool) -> None:
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed")
    root = tmp_path / "kb"
    if template:
        KnowledgeBaseFactory(root)
    else:
        root.mkdir()
        shutil.copy(Path(__file__).resolve().parent.parent / ".gitignore", root / ".gitignore")
    subprocess.run([git, "init", "-q", str(root)], check=True)
    for name in ("notes/.a.md.123-abc.tmp", ".kbtool-sync.json.9-x.tmp", ".inbox.yml.1-y.tmp"):
        leftover = root / name
        leftover.parent.mkdir(parents=True, exist_ok=True)
        leftover.write_text("x", encoding="utf-8")
        ignored = subprocess.run([git, "-C", str(root), "check-ignore", "-q", name], check=False)
        assert ignored.returncode == 0, name


FULL_DISK = """
set -e
kb="$1"; shift
mkdir -p "$kb/.keep"
cp -a "$kb/notes/." "$kb/.keep/"
mount -t tmpfs -o size=256k tmpfs "$kb/notes"
cp -a "$kb/.keep/." "$kb/notes/"
head -c 10000000 /dev/zero > "$kb/notes/.filler" 2>/dev/null || true
sha256sum "$kb"/notes/*.md > "$kb/.before"
set +e
"$@"
echo "exit=$?"
sha256sum "$kb"/notes/*.md > "$kb/.after"
ls -a "$kb/notes" > "$kb/.listing"
"""


def test_a_full_disk_during_enrich_is_exit_1_naming_the_note(
    kb: KnowledgeBaseFactory, fake_arxiv: FakeArxiv, arxiv_url: str
) -> None:
    unshare = shutil.which("unshare")
    if os.geteuid() != 0 or unshare is None:
        pytest.skip("needs root and unshare to mount a small file system of its own")
    fake_arxiv.add_entry("2401.00001v2", "A paper with a long record", summary="Words. " * 200)
    kb.write_note("p.md", note_text(title="P", arxiv="2401.00001", topics="[rlhf]"))
    command = [sys.executable, "-m", "kbtool", "--root", str(kb.root), "enrich"]
    done = subprocess.run(
        [unshare, "-m", "sh", "-c", FULL_DISK, "full-disk", str(kb.root), *command],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "exit=1" in done.stdout, (done.stdout, done.stderr)
    error = done.stderr.strip().splitlines()[-1]
    assert error.startswith("kbtool: error: notes/p.md: cannot write: No space left on device")
    assert (kb.root / ".before").read_text() == (kb.root / ".after").read_text()
    assert ".tmp" not in (kb.root / ".listing").read_text()


def test_build_then_check_in_one_log_keep_their_lines(kb: KnowledgeBaseFactory) -> None:
    # A CI log, or a terminal that shows stdout and then stderr, must not run the build's
    # last line into the next command's ("…/site0 notes checked").
    build = run_process(kb.root, "build", "--quiet", timeout=120)
    check = run_process(kb.root, "check", timeout=60)
    assert build.returncode == 0 and check.returncode == 0
    assert build.stdout == ""  # all of the build's talk is on stderr, in order
    log = build.stdout.rstrip("\n") + build.stderr.rstrip("\n") + "\n" + check.stderr
    assert f"built the site in {kb.root}/site\n0 notes checked" in log


def test_a_file_name_cannot_write_to_the_terminal(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool
) -> None:
    kb.write_note("\x1b[2Jgone\u202e.md", "no frontmatter\n")
    kb.write_note("two\nlines.md", "no frontmatter either\n")
    result = run_kbtool("check")
    assert result.exit_code == 1
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout
    assert "notes/\\x1b[2Jgone\\u202e.md:1: error KB010 [no-frontmatter]" in result.stdout
    assert "notes/two\\nlines.md:1: error KB010 [no-frontmatter]" in result.stdout


def test_enrich_writes_through_a_symlinked_note_and_keeps_the_link(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool, fake_arxiv: FakeArxiv, arxiv_url: str
) -> None:
    fake_arxiv.add_entry("2401.00001v2", "Linked paper")
    real = kb.write("drafts/real.md", note_text(title="Mine", arxiv="2401.00001", topics="[rlhf]"))
    link = kb.root / "notes" / "linked.md"
    link.symlink_to(real)
    result = run_kbtool("enrich")
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert "version: 2" in real.read_text(encoding="utf-8")
