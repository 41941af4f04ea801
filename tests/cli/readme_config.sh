#!/usr/bin/env bash
# readme_config.sh VTPILOT README FIXTURE: the README's example config works as written: it is
# the fixture (line for line, after the fixture's first comment), `vtpilot check` accepts it,
# and every folder it names for transcripts exists wherever vtpilot runs.
set -u
V=$1 readme=$2 fixture=$3
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT; cd "$work"
awk '/^```toml$/{on=1; next} /^```$/{if(on) exit} on' "$readme" > readme.toml
[ -s readme.toml ] || { echo "FAIL: no toml block in the README"; exit 1; }
tail -n +2 "$fixture" | diff readme.toml - || { echo "FAIL: the README's config differs from $fixture"; exit 1; }
"$V" check readme.toml || { echo "FAIL: vtpilot check rejects the README's config"; exit 1; }
for dir in $(sed -n 's/^ *transcripts *= *"\([^"]*\)".*/\1/p' readme.toml); do
  [ -d "$dir" ] || { echo "FAIL: transcripts = \"$dir\" does not exist on a fresh machine"; exit 1; }
done
echo "ok: the README's config is the fixture and checks"
