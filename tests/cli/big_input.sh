#!/usr/bin/env bash
# identify on binary garbage and on a 100 MB file: exit 4 (unknown), bounded memory, no crash.
# big_input.sh VTPILOT DIR [sanitized]: under ASan (scripts/sanitize) the memory bound cannot be
# measured (the shadow memory and the allocator's quarantine are part of the RSS: 480 MB here),
# and 100 MB take over a minute, so the file is 10 MB and only the answer is checked.
set -eu
V=$1; T=$2; mode=${3:-full}
size=100000000
[ "$mode" = sanitized ] && size=10000000
head -c 2000000 /dev/urandom > "$T/garbage.raw"
set +e
"$V" identify "$T/garbage.raw" >/dev/null 2>&1; rc=$?
set -e
[ "$rc" = 4 ] || { echo "garbage: expected exit 4, got $rc"; exit 1; }
# 100 MB of install-like output ending in a login prompt.
yes 'Installing fileset bos.rte.libc 7.2.5.0 ... done' | head -c "$size" > "$T/big.raw"
printf '\r\nConsole login: ' >> "$T/big.raw"
/usr/bin/time -f '%M' -o "$T/big.rss" "$V" identify --json "$T/big.raw" > "$T/big.json"
rss_kb=$(tail -1 "$T/big.rss")
grep -q '"screen":"aix.login"' "$T/big.json" || { echo "big file not recognized: $(cat "$T/big.json")"; exit 1; }
if [ "$mode" = sanitized ]; then
  rm -f "$T/big.raw" "$T/garbage.raw"
  echo "10 MB identified under ASan (memory bound not measured: max RSS $rss_kb KiB includes ASan's own)"
  exit 0
fi
[ "$rss_kb" -lt 65536 ] || { echo "identify used $rss_kb KiB on a 100 MB file"; exit 1; }
rm -f "$T/big.raw" "$T/garbage.raw"
echo "100 MB identified in bounded memory: max RSS $rss_kb KiB"
