#!/usr/bin/env bash
# expect_exit.sh CODE PATTERN [--setup SH] [--check SH] -- COMMAND...: runs COMMAND, checks its
# exit code and that its combined output matches PATTERN (grep -E). --setup runs a shell line
# in the case's folder first (files to feed it); --check one that must succeed afterwards (what
# must, or must not, be left behind). Prints what it got on failure.
set -u
want=$1; pattern=$2; shift 2
setup=""; check=""
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  case $1 in
    --setup) setup=$2; shift 2 ;;
    --check) check=$2; shift 2 ;;
    *) echo "expect_exit.sh: unknown option $1"; exit 1 ;;
  esac
done
[ "${1:-}" = "--" ] && shift
# Each case runs in its own empty folder (transcripts land there) and removes it after.
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT; cd "$work"
if [ -n "$setup" ] && ! sh -c "$setup"; then echo "setup failed: $setup"; exit 1; fi
out=$("$@" 2>&1 </dev/null); got=$?
if [ "$got" != "$want" ]; then
  printf 'expected exit %s, got %s from: %s\n--- output ---\n%s\n' "$want" "$got" "$*" "${out:0:4000}"; exit 1
fi
if ! grep -Eq -- "$pattern" <<<"$out"; then
  printf 'output of %s does not match /%s/\n--- output ---\n%s\n' "$*" "$pattern" "${out:0:4000}"; exit 1
fi
if [ -n "$check" ] && ! sh -c "$check"; then
  printf 'after %s, the check failed: %s\n--- output ---\n%s\n' "$*" "$check" "${out:0:4000}"; exit 1
fi
exit 0
