"""Special files, closed streams, write errors and output encodings (issue 18, section 3).

Every case runs the real command in a child process with the real descriptors: a device or a
named pipe as ``-o``, a full disk, a closed or broken standard stream, an encoding that is not
UTF-8, a pipe with no writer, binary data on standard input. Each must end in one readable
line and a non-zero exit (or the right output), never a traceback and never a hang (every
child has a timeout), and must never put a plain file where a device or a pipe was.

Devices are made with ``mknod`` inside the test's folder (so a regression replaces only that
node, never the system's ``/dev/null``); without the right to do so, a symlink to the real
device stands in (a regression then replaces only the link).
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "argentine-embassy-siege.json"
TIMEOUT = 60


def _env(**extra) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    env.pop("COLUMNS", None)
    env.pop("PYTHONIOENCODING", None)
    env.update(extra)
    return env


def timeline(*args, env=None, **kwargs) -> subprocess.CompletedProcess:
    kwargs.setdefault("capture_output", "stdout" not in kwargs and "stderr" not in kwargs)
    return subprocess.run([sys.executable, "-m", "tui", *args], env=env or _env(), timeout=TIMEOUT, **kwargs)


def first_line(stream) -> str:
    """A line the child writes, or a failure if none comes (rather than a test that hangs)."""
    ready, _, _ = select.select([stream], [], [], TIMEOUT)
    assert ready, "the command said nothing"
    return stream.readline().decode()


@contextlib.contextmanager
def started(*args, stdin=None):
    """The command as a running child, killed if the test fails while it still runs."""
    proc = subprocess.Popen([sys.executable, "-m", "tui", *args], env=_env(), stdin=stdin,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            if stream is not None:
                try:
                    stream.close()
                except BrokenPipeError:
                    pass


def one_line(stderr: bytes) -> str:
    text = stderr.decode()
    assert "Traceback" not in text and "Exception" not in text, text
    assert text.count("\n") == 1 and text.endswith("\n"), text
    return text


def device(tmp_path: Path, name: str, major: int, minor: int, real: str) -> Path:
    """A character device node of our own (root), else a symlink to the real one."""
    path = tmp_path / name
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(major, minor))
    except PermissionError:
        path.symlink_to(real)
    return path


def is_char_device(path: Path) -> bool:
    return stat.S_ISCHR(os.stat(path).st_mode)


def expected_markdown() -> bytes:
    done = timeline("list", str(DATA), "--format", "markdown")
    assert done.returncode == 0
    return done.stdout


# --- -o onto a device or a named pipe ------------------------------------------------------------

@pytest.mark.parametrize("force", [True, False])
def test_output_onto_a_character_device_writes_into_it(tmp_path, force):
    null = device(tmp_path, "null", 1, 3, os.devnull)
    done = timeline("list", str(DATA), "-o", str(null), *["--force"] * force)
    assert (done.returncode, done.stdout, done.stderr) == (0, b"", b"")
    assert is_char_device(null)  # not replaced by a plain file
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null"]  # no temporary file left


def test_output_onto_a_full_device_is_one_line(tmp_path):
    full = device(tmp_path, "full", 1, 7, "/dev/full")
    done = timeline("list", str(DATA), "-o", str(full), "--force")
    assert done.returncode == 2
    assert one_line(done.stderr) == f"timeline: cannot write {full}: No space left on device\n"
    assert is_char_device(full)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["full"]


def test_output_onto_a_block_device_is_refused(tmp_path):
    disk = tmp_path / "disk"
    try:  # a loop device number no system has set up: even opened, it could not be written
        os.mknod(disk, stat.S_IFBLK | 0o600, os.makedev(7, 250))
    except PermissionError:
        pytest.skip("making a device node needs root")
    done = timeline("list", str(DATA), "-o", str(disk), "--force")
    assert done.returncode == 2
    assert "is a disk (a block device); refusing to write to it" in one_line(done.stderr)
    assert stat.S_ISBLK(os.stat(disk).st_mode)


def _read_fifo(path: Path, into: list) -> threading.Thread:
    def read():
        with open(path, "rb") as f:
            into.append(f.read())
    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread


def test_output_into_a_named_pipe_with_a_reader(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = _read_fifo(fifo, got)
    done = timeline("list", str(DATA), "--format", "markdown", "-o", str(fifo), "--force")
    reader.join(TIMEOUT)
    assert done.returncode == 0, done.stderr
    assert got == [expected_markdown()]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


def test_output_into_a_named_pipe_says_it_waits_for_a_reader(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with started("list", str(DATA), "--format", "markdown", "-o", str(fifo)) as proc:
        line = first_line(proc.stderr)  # said before it blocks
        assert line == f"timeline: waiting for a program to read {fifo} (a named pipe); Ctrl+C to stop\n"
        with open(fifo, "rb") as f:
            written = f.read()
        assert proc.wait(TIMEOUT) == 0
        assert proc.stderr.read() == b""
    assert written == expected_markdown()


def test_output_through_a_symlink_replaces_the_file_and_keeps_the_link(tmp_path):
    real = tmp_path / "notes.md"
    real.write_text("old\n")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    done = timeline("list", str(DATA), "--format", "markdown", "-o", str(link), "--force")
    assert done.returncode == 0, done.stderr
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_bytes() == expected_markdown()


# --- standard output: full, closed, broken; standard input closed ------------------------------

@pytest.mark.parametrize("command", [["list", str(DATA)], ["list", str(DATA), "--format", "json"],
                                     ["actors", str(DATA)], ["validate", str(DATA)]])
def test_standard_output_on_a_full_disk_is_one_line(command):
    with open("/dev/full", "wb") as full:
        done = timeline(*command, stdout=full, stderr=subprocess.PIPE)
    assert done.returncode == 2
    assert one_line(done.stderr) == "timeline: cannot write to standard output: No space left on device\n"


def _closing(fd: int):
    return lambda: os.close(fd)


@pytest.mark.parametrize("command", [["list", str(DATA)], ["actors", str(DATA)], ["validate", str(DATA)]])
def test_standard_output_closed_at_start_is_one_line(command):
    done = timeline(*command, stderr=subprocess.PIPE, preexec_fn=_closing(1))
    assert done.returncode == 2
    assert one_line(done.stderr) == "timeline: cannot write the output: standard output is closed\n"


def test_closed_standard_output_does_not_matter_with_o_and_is_never_reused(tmp_path):
    source = tmp_path / "t.json"
    source.write_bytes(DATA.read_bytes())
    out = tmp_path / "out.md"
    done = timeline("list", str(source), "--format", "markdown", "--actor", "gonzalez", "-o", str(out),
                    stderr=subprocess.PIPE, preexec_fn=_closing(1))
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == timeline("list", str(DATA), "--format", "markdown", "--actor", "gonzalez").stdout
    assert source.read_bytes() == DATA.read_bytes()  # the input file did not become fd 1
    assert done.stderr.decode().startswith("timeline: note: actor 'gonzalez' matches 2 actors")


def test_a_reader_gone_is_a_quiet_non_zero_exit():
    read_end, write_end = os.pipe()
    os.close(read_end)  # nobody will ever read: the first write fails with EPIPE
    try:
        done = timeline("list", str(DATA), "--format", "json", stdout=write_end, stderr=subprocess.PIPE)
    finally:
        os.close(write_end)
    assert done.returncode == 141  # as a shell reports a program stopped by SIGPIPE
    assert done.stderr == b""


def test_standard_input_closed_at_start():
    done = timeline("list", "-", preexec_fn=_closing(0), capture_output=True)
    assert done.returncode == 2
    assert one_line(done.stderr) == "<stdin>: error: standard input is closed\n"
    checked = timeline("validate", "-", preexec_fn=_closing(0), capture_output=True)
    assert checked.returncode == 2
    assert checked.stdout == b"<stdin>: error: standard input is closed\n"
    explore = timeline(str(DATA), preexec_fn=_closing(0), capture_output=True)
    assert explore.returncode == 2
    assert one_line(explore.stderr) == "timeline: the explorer needs a terminal: standard input is closed\n"


# --- encodings ---------------------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
@pytest.mark.parametrize("command", [["list", str(DATA)], ["list", str(DATA), "--format", "markdown"],
                                     ["list", str(DATA), "--format", "csv"], ["actors", str(DATA)]])
def test_text_output_in_another_encoding_replaces_what_it_cannot_carry(encoding, command):
    utf8 = timeline(*command)
    done = timeline(*command, env=_env(PYTHONIOENCODING=encoding))
    assert done.returncode == 0, done.stderr
    text = done.stdout.decode(encoding)  # really in that encoding
    assert text == utf8.stdout.decode().encode(encoding, "replace").decode(encoding)
    note = one_line(done.stderr[done.stderr.rindex(b"timeline: note: standard output"):])
    assert f"standard output is {'ascii' if encoding == 'ascii' else 'iso8859-1'}" in note
    assert "PYTHONIOENCODING=utf-8" in note
    if encoding == "latin-1":
        assert "González" in text  # what the encoding has is kept


def test_json_output_stays_utf8_whatever_the_encoding():
    utf8 = timeline("list", str(DATA), "--format", "json")
    done = timeline("list", str(DATA), "--format", "json", env=_env(PYTHONIOENCODING="ascii"))
    assert (done.returncode, done.stderr) == (0, b"")
    assert done.stdout == utf8.stdout  # JSON is UTF-8 by definition
    json.loads(done.stdout)


def test_the_explorer_says_it_needs_utf8():
    done = timeline(str(DATA), env=_env(PYTHONIOENCODING="ascii"))
    assert done.returncode == 2
    assert one_line(done.stderr).startswith("timeline: the explorer needs a UTF-8 terminal, and this one is ascii")


# --- hostile inputs: binary data, a pipe nobody writes to --------------------------------------

@pytest.mark.parametrize("garbage, message", [
    (lambda n: os.urandom(n), "<stdin>:1: error: is not UTF-8 text (byte "),
    (lambda n: bytes(n), "<stdin>:1: error: is not valid JSON: "),
])
def test_binary_standard_input_is_refused_from_its_first_bytes(garbage, message):
    """256 MB of binary data offered: the command must stop reading after its first bytes (the
    writer then meets a closed pipe), rather than read it all before refusing it."""
    offered, written = 256 << 20, 0
    with started("list", "-", stdin=subprocess.PIPE) as proc:
        chunk = garbage(1 << 20)
        try:
            while written < offered:
                proc.stdin.write(chunk)
                written += len(chunk)
            proc.stdin.close()
        except BrokenPipeError:
            pass
        assert proc.wait(TIMEOUT) == 2
        assert one_line(proc.stderr.read()).startswith(message)
    assert written <= 4 << 20


def test_a_named_pipe_with_no_writer_says_what_it_waits_for(tmp_path):
    fifo = tmp_path / "incoming"
    os.mkfifo(fifo)
    with started("validate", str(fifo)) as proc:
        line = first_line(proc.stderr)
        assert line == f"timeline: waiting for a program to write to {fifo} (a pipe); Ctrl+C to stop\n"
        with open(fifo, "wb") as f:
            f.write(DATA.read_bytes())
        assert proc.wait(TIMEOUT) == 0
        assert proc.stdout.read().decode().startswith(f"ok: {fifo}: 28 events")


def test_process_substitution_reads_without_a_word(tmp_path):
    """A pipe whose writer is there (``<(cat file)``) is read at once."""
    read_end, write_end = os.pipe()
    writer = threading.Thread(target=lambda: (os.write(write_end, DATA.read_bytes()), os.close(write_end)))
    writer.start()
    try:
        done = timeline("validate", f"/dev/fd/{read_end}", pass_fds=(read_end,), capture_output=True)
    finally:
        writer.join(TIMEOUT)
        os.close(read_end)
    assert done.returncode == 0, done.stderr
    assert done.stderr == b""
