#!/usr/bin/env bash
# identify on binary garbage and on a 100 MB file: exit 4 (unknown), bounded memory, no crash.
set -eu
V=$1; T=$2
head -c 2000000 /dev/urandom > "$T/garbage.raw"
set +e
"$V" identify "$T/garbage.raw" >/dev/null 2>&1; rc=$?
set -e
[ "$rc" = 4 ] || { echo "garbage: expected exit 4, got $rc"; exit 1; }
# 100 MB of install-like output ending in a login prompt.
yes 'Installing fileset bos.rte.libc 7.2.5.0 ... done' | head -c 100000000 > "$T/big.raw"
printf '\r\nConsole login: ' >> "$T/big.raw"
/usr/bin/time -f '%M' -o "$T/big.rss" "$V" identify --json "$T/big.raw" > "$T/big.json"
rss_kb=$(tail -1 "$T/big.rss")
grep -q '"screen":"aix.login"' "$T/big.json" || { echo "big file not recognized: $(cat "$T/big.json")"; exit 1; }
[ "$rss_kb" -lt 65536 ] || { echo "identify used $rss_kb KiB on a 100 MB file"; exit 1; }
rm -f "$T/big.raw" "$T/garbage.raw"
echo "100 MB identified in bounded memory: max RSS $rss_kb KiB"
