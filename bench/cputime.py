#!/usr/bin/env python3
"""bench/cputime.py OUT -- COMMAND...: /usr/bin/time's CPU figures to the microsecond.

Runs COMMAND, waits for it (wait4: its rusage includes every descendant it waited for, the
console program too, exactly what /usr/bin/time reports) and writes "user_s sys_s exit" to OUT
(no RSS: after exec the child's peak RSS still counts this interpreter's). /usr/bin/time prints CPU in 10 ms steps, which is about all of a 20k-line run.
"""
import os
import sys

def main():
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        sys.exit("usage: cputime.py OUT -- COMMAND...")
    # posix_spawn (vfork in glibc), not fork: a forked copy of this interpreter would add its
    # own page faults to the CPU measured before it execs.
    pid = os.posix_spawnp(sys.argv[3], sys.argv[3:], os.environ)
    _, status, ru = os.wait4(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    with open(sys.argv[1], "w") as f:
        f.write(f"{ru.ru_utime:.6f} {ru.ru_stime:.6f} {code}\n")
    sys.exit(code if code >= 0 else 128 - code)

if __name__ == "__main__":
    main()
