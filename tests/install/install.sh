#!/usr/bin/env bash
# install.sh BUILD_DIR FIXTURES: `cmake --install BUILD_DIR --prefix P` into a fresh prefix, then,
# from another folder and with only P/bin on PATH: run --sim (finds the installed lpar-sim),
# identify, the man page renders with every command, and bash completion completes.
set -u
build=$1 fixtures=$2
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
P=$work/prefix
fail() { echo "FAIL: $1"; [ -f "$work/out" ] && cat "$work/out"; exit 1; }
cmake --install "$build" --prefix "$P" >"$work/out" 2>&1 || fail "cmake --install"
for f in bin/vtpilot bin/lpar-sim share/man/man1/vtpilot.1 share/man/man1/lpar-sim.1 share/bash-completion/completions/vtpilot; do
  [ -e "$P/$f" ] || fail "not installed: $f"
done
mkdir "$work/elsewhere"; cd "$work/elsewhere"
export PATH=$P/bin:/usr/bin:/bin
vtpilot run --sim --sim-args "--fast --exit-at-login" --quiet >"$work/out" 2>&1 || fail "run --sim from another folder: exit $?"
ls vtpilot-*.cast >/dev/null 2>&1 || fail "no transcript in the current folder"
vtpilot identify "$fixtures/screens/bos.method/sim-power7.raw" >"$work/out" 2>&1 || fail "identify: exit $?"
grep -q "bos.method" "$work/out" || fail "identify did not name bos.method"
if command -v man >/dev/null; then
  MANWIDTH=80 man -l "$P/share/man/man1/vtpilot.1" >"$work/out" 2>&1 || fail "man -l vtpilot.1"
  for c in run step replay identify render check verify preflight plans; do
    grep -Eq "^   $c\$" "$work/out" || fail "the man page has no section for $c"
  done
  grep -q -- "--timeout" "$work/out" || fail "the man page lacks run's options"
fi
# Completion: commands, a command's options, the built-in plans.
out=$(bash -c '
  source "$1"
  COMP_WORDS=(vtpilot r); COMP_CWORD=1; _vtpilot; echo "${COMPREPLY[*]}"
  COMP_WORDS=(vtpilot run --ti); COMP_CWORD=2; _vtpilot; echo "${COMPREPLY[*]}"
  COMP_WORDS=(vtpilot run --plan ""); COMP_CWORD=3; _vtpilot; echo "${COMPREPLY[*]}"
' _ "$P/share/bash-completion/completions/vtpilot")
echo "$out" > "$work/out"
[ "$(sed -n 1p <<<"$out")" = "render run replay" ] || fail "completing 'vtpilot r'"
[ "$(sed -n 2p <<<"$out")" = "--timeout" ] || fail "completing 'vtpilot run --ti'"
grep -q "migrate rollback" <<<"$(sed -n 3p <<<"$out")" || fail "completing 'vtpilot run --plan '"
echo "ok: installed into $P and ran from another folder"
