"""A pseudo-terminal for tests (test/helpers/pty.ts drives it).

Runs ARGV on the slave side of a new pty (a session leader with it as its
controlling terminal, COLS x ROWS), copies every byte the program writes to
the terminal to stdout unchanged, and takes commands on stdin, one JSON object
a line:

  {"input": "<text>"}   bytes typed on the keyboard (UTF-8)
  {"hangup": true}      close the master side: the terminal goes away, as when
                        an SSH link drops or a tmux session is killed

When the program has ended it prints one line on stderr:
  EXIT {"code": N|null, "signal": N|null}
"""
import fcntl
import json
import os
import pty
import select
import struct
import sys
import termios

cols, rows = int(sys.argv[1]), int(sys.argv[2])
argv = sys.argv[4:]

pid, master = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    os.execvp(argv[0], argv)

out = sys.stdout.buffer
commands = sys.stdin.buffer
pending = b""
status = None
commands_open = True
while status is None:
    fds = [commands] if commands_open else []
    if master is not None:
        fds.append(master)
    ready, _, _ = select.select(fds, [], [], 0.05)
    if master is not None and master in ready:
        try:
            data = os.read(master, 65536)
        except OSError:
            data = b""
        if data:
            out.write(data)
            out.flush()
        else:
            # the slave side is closed by everyone: the program is ending
            os.close(master)
            master = None
    if commands in ready:
        chunk = os.read(commands.fileno(), 65536)
        if not chunk:
            # the test went away: hang up and wait for the program
            commands_open = False
            if master is not None:
                os.close(master)
                master = None
        pending += chunk
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            cmd = json.loads(line)
            if "input" in cmd and master is not None:
                os.write(master, cmd["input"].encode("utf-8"))
            if cmd.get("hangup") and master is not None:
                os.close(master)
                master = None
    done, st = os.waitpid(pid, os.WNOHANG)
    if done == pid:
        status = st
        if master is not None:
            # what the program wrote last
            try:
                while True:
                    r, _, _ = select.select([master], [], [], 0)
                    if not r:
                        break
                    data = os.read(master, 65536)
                    if not data:
                        break
                    out.write(data)
            except OSError:
                pass
            out.flush()

result = {
    "code": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
    "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
    "core": bool(os.WIFSIGNALED(status) and os.WCOREDUMP(status)),
}
sys.stderr.write("EXIT " + json.dumps(result) + "\n")
sys.stderr.flush()
