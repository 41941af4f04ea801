#!/usr/bin/env bash
# serve_hmc.sh CASE VTPILOT LPAR-SIM: `run --config FILE --serve` over the loopback sshd that
# plays the HMC (tests/ssh/lib.sh), several LPARs at once; serve_hmc.py watches the view.
#   config  3 LPARs with --verify: one migrates and passes the checks, one is refused by the
#           guard (its clone is hdisk0), one migrates and fails a check (a broken fileset)
#   many    64 LPARs at once (max_concurrent = 64), lpar-sim --fast consoles
set -u
case=$1; V=$2; SIM=$3
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../ssh/lib.sh
source "$here/../ssh/lib.sh"
case_workdir serve

case $case in
  config) n=3 ;;
  # 64 at once; under the sanitizers (scripts/sanitize) 16: 64 instrumented runs, sshd sessions
  # and consoles on 2 cores starve some console past its 30 s screen timeout, and the memory
  # checks need no more than a few of each.
  many) n=64; [ -n "${ASAN_OPTIONS:-}" ] && n=16 ;;
  *) echo "FAIL: unknown case $case"; exit 1 ;;
esac
# 64 LPARs connect at once: sshd's default MaxStartups (10:30:100) would drop some of the
# connections still authenticating, as a real HMC's sshd may; that is not what is tested here.
SSHD_EXTRA="MaxStartups 200" start_sshd
PW="vtp-root-$RANDOM"; printf '%s\n' "$PW" > pw; chmod 600 pw
names=$(for i in $(seq 1 "$n"); do printf 'lpar%02d,' "$i"; done)
printf 'lpars=%s\n' "${names%,}" > hmc/hmc.conf
for i in $(seq 1 "$n"); do
  d=hmc/$(printf 'lpar%02d' "$i"); mkdir -p "$d"
  if [ "$case" = config ]; then
    # Slow enough to be watched mid-run (a few seconds each).
    args="--time-scale 0.15 --install-lines 1500 --post-wait 0.3 --root-password-file $work/pw"
    [ "$i" = 2 ] && args="$args --disks hdisk0:altinst_rootvg,hdisk1:rootvg"
    [ "$i" = 3 ] && args="$args --broken-fileset bos.rte.security"
  else
    args="--fast"
  fi
  echo "$args" > "$d/sim-args"
done
write_config c.toml
sed -i 's/^keepalive_s = 5$/keepalive_s = 5\nmax_concurrent = 64/' c.toml
for i in $(seq 2 "$n"); do printf '\n[[lpar]]\nname = "lpar%02d"\nvtd = "vtopt%d"\n' "$i" "$((i - 1))" >> c.toml; done
WORK=$work PASSWORD=$PW python3 "$here/serve_hmc.py" "$case" "$V" "$n"
rc=$?
[ $rc = 0 ] || { echo "--- sshd log (tail) ---"; tail -5 "$work/sshd.log"; }
exit $rc
