#!/usr/bin/env bash
# expect_exit.sh CODE PATTERN -- COMMAND...: runs COMMAND, checks its exit code and that its
# combined output matches PATTERN (grep -E). Prints what it got on failure.
set -u
want=$1; pattern=$2; shift 2; [ "$1" = "--" ] && shift
# Each case runs in its own empty folder (transcripts land there) and removes it after.
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT; cd "$work"
out=$("$@" 2>&1 </dev/null); got=$?
if [ "$got" != "$want" ]; then
  printf 'expected exit %s, got %s from: %s\n--- output ---\n%s\n' "$want" "$got" "$*" "${out:0:4000}"; exit 1
fi
if ! grep -Eq -- "$pattern" <<<"$out"; then
  printf 'output of %s does not match /%s/\n--- output ---\n%s\n' "$*" "$pattern" "${out:0:4000}"; exit 1
fi
exit 0
