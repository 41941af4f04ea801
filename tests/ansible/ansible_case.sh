#!/usr/bin/env bash
# ansible_case.sh CASE VTPILOT LPAR-SIM: the vtpilot.power collection (ansible/) under Debian's
# ansible-core. ansible-test needs the collection at ansible_collections/vtpilot/power: it is
# copied into a temp dir. Integration cases start the loopback sshd of tests/ssh/lib.sh playing
# the HMC (lpar-sim hmc as its ForceCommand) and hand its port, keys and state folder to the
# playbooks as tests/integration/integration_config.yml; lpar-sim's console log is the oracle.
set -u
case=$1; V=$(realpath "$2"); SIM=$(realpath "$3")
command -v ansible-test >/dev/null || { echo "SKIP: no ansible-test (scripts/bootstrap installs ansible-core)"; exit 77; }
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
work=$(mktemp -d /tmp/vtpilot-ansible-XXXXXX)
trap 'stop_sshd; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
# shellcheck source=../ssh/lib.sh
source "$repo/tests/ssh/lib.sh"
cd "$work"
fail() { echo "FAIL ($case): $*"; exit 1; }
coll=$work/collections/ansible_collections/vtpilot/power
mkdir -p "$(dirname "$coll")"
cp -r "$repo/ansible" "$coll"
rm -rf "$coll/tests/output"
export ANSIBLE_COLLECTIONS_PATH=$work/collections ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 HOME=$work
# The Python ansible-core is installed for (Debian's), not whatever python3 comes first in PATH.
APY=$(head -1 "$(command -v ansible-test)" | sed -n "s/^#! *\([^ ]*python[0-9.]*\).*/\1/p")
[ -x "${APY:-}" ] || APY=python3
PY=$("$APY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
MODULES="vtpilot_check vtpilot_preflight vtpilot_migrate vtpilot_verify vtpilot_rollback"

# integration TARGET: the playbook target against the simulated HMC set up before.
integration() {
  local t=$1
  cat > "$coll/tests/integration/integration_config.yml" <<EOF
---
vt_path: $V
sim_path: $SIM
hmc_port: $PORT
hmc_user: $(id -un)
hmc_identity: $work/id_ed25519
hmc_known_hosts: $work/known_hosts
hmc_ssh_config: $work/ssh_config
hmc_state: $work/hmc
work_dir: $work
keys_py: $here/console_keys.py
vt_wrap: $work/vt-wrap
EOF
  (cd "$coll" && timeout 500 ansible-test integration --local --python "$PY" --allow-unsupported -v "$t" > "$work/it.log" 2>&1)
  local rc=$?
  tail -60 "$work/it.log"
  [ "$rc" = 0 ] || fail "ansible-test integration $t exit $rc"
  # A target that was skipped, or ran no task, is no pass.
  grep -q "PLAY RECAP" "$work/it.log" && ! grep -q "All targets skipped" "$work/it.log" || fail "target $t did not run"
  grep -q "failed=0" "$work/it.log" || fail "a task of $t failed"
}

case $case in
  units)
    (cd "$coll" && ansible-test units --local --python "$PY" 2>&1) | tail -20
    [ "${PIPESTATUS[0]}" = 0 ] || fail "ansible-test units" ;;

  sanity)
    # The sanity tests that work offline (the others install their requirements with pip from
    # the network), ansible-doc on every module, and yamllint over the collection.
    skip=()
    for t in import pep8 pylint runtime-metadata validate-modules yamllint ansible-doc; do skip+=(--skip-test "$t"); done
    (cd "$coll" && ansible-test sanity --local --python "$PY" "${skip[@]}" 2>&1) | tail -20
    [ "${PIPESTATUS[0]}" = 0 ] || fail "ansible-test sanity"
    for m in $MODULES; do
      ansible-doc "vtpilot.power.$m" > "$work/doc.txt" 2>&1 || { cat "$work/doc.txt"; fail "ansible-doc vtpilot.power.$m"; }
      grep -q "RETURN VALUES" "$work/doc.txt" || fail "ansible-doc vtpilot.power.$m shows no return values"
    done
    # Every option the module takes is documented, and every documented option is taken.
    "$APY" "$here/doc_matches_spec.py" "$work/collections" $MODULES || fail "docs and argument specs differ"
    # The four that ansible-test runs only in virtualenvs it fills from the network
    # (validate-modules, pep8, pylint, import): its own programs and settings, offline.
    "$APY" "$here/offline_sanity.py" "$coll"; rc=$?
    [ "$rc" = 77 ] && exit 77
    [ "$rc" = 0 ] || fail "offline sanity (validate-modules, pep8, pylint, import)"
    command -v yamllint >/dev/null || { echo "SKIP: no yamllint"; exit 77; }
    yamllint -c "$here/yamllint.yml" "$coll" || fail "yamllint" ;;

  two_lpars)
    # lpar02's clone is hdisk0: refused while lpar01 migrates, in one task and one vtpilot process.
    start_sshd
    printf 'lpars=lpar01,lpar02\n' > hmc/hmc.conf
    mkdir -p hmc/lpar01 hmc/lpar02
    echo "--fast --install-lines 20" > hmc/lpar01/sim-args
    echo "--fast --disks hdisk0:altinst_rootvg,hdisk1:rootvg" > hmc/lpar02/sim-args
    integration vtpilot_two_lpars ;;

  async_check)
    # lpar01 runs 7.1 at its login prompt (check mode: preflight), lpar02 is Not Activated (the
    # async pattern, then verify).
    start_sshd
    PW="vtp-root-$RANDOM"; printf '%s\n' "$PW" > "$work/root.pass"; chmod 600 "$work/root.pass"
    printf 'lpars=lpar01,lpar02\n' > hmc/hmc.conf
    mkdir -p hmc/lpar01 hmc/lpar02
    echo "--fast --start login71 --root-password-file $work/root.pass --attach-wait 0" > hmc/lpar01/sim-args
    echo "--fast --install-lines 20 --root-password-file $work/root.pass" > hmc/lpar02/sim-args
    SSH_ORIGINAL_COMMAND="chsysstate -r lpar -m Server-8247-42L-SN21271DA -o on -n lpar01 -f default_profile" \
      "$SIM" hmc --state "$work/hmc" >/dev/null 2>&1 || fail "could not start lpar01"
    integration vtpilot_async_check
    ! grep -rqF "$PW" "$work/it.log" "$work"/*.cast 2>/dev/null || fail "the root password appears in the output" ;;

  resume)
    # vtpilot killed (SIGKILL) mid-install under an async task; the play runs again and finishes
    # the migration by watching, with no key sent twice.
    start_sshd
    echo "--time-scale 2 --install-lines 3000 --post-wait 0.5" > hmc/sim-args  # an install of about 60 s: time to run again mid-install, even on a loaded machine
    printf '#!/bin/sh\necho $$ > %s/vt.pid\nexec %s "$@"\n' "$work" "$V" > "$work/vt-wrap"
    chmod +x "$work/vt-wrap"
    integration vtpilot_resume ;;

  readme)
    # The README's "Many LPARs with Ansible" as written: its example files are the README's
    # blocks; scripts/sim-hmc, the collection linked where Ansible looks (HOME is this test's),
    # and the playbook run from the repository. Only the sim folder differs ($VTPILOT_SIM_HMC).
    "$APY" "$here/readme_examples.py" "$repo/README.md" "$repo/ansible/docs/examples" || fail "README and examples differ"
    export VTPILOT_SIM_HMC=$work/sim
    LPAR_SIM=$SIM "$repo/scripts/sim-hmc" "$VTPILOT_SIM_HMC" > "$work/sim-hmc.log" 2>&1 &
    simpid=$!
    for _ in $(seq 1 500); do
      [ -s "$VTPILOT_SIM_HMC/port" ] && break
      kill -0 $simpid 2>/dev/null || break
      "$APY" -c 'import time; time.sleep(0.02)'
    done
    [ -s "$VTPILOT_SIM_HMC/port" ] || { cat "$work/sim-hmc.log"; fail "sim-hmc did not start"; }
    unset ANSIBLE_COLLECTIONS_PATH
    mkdir -p ~/.ansible/collections/ansible_collections/vtpilot
    ln -sfn "$repo/ansible" ~/.ansible/collections/ansible_collections/vtpilot/power
    # HOME is this test's, but async_status finds ~ from the password database: one folder for both.
    export ANSIBLE_ASYNC_DIR=$work/.ansible_async
    (cd "$repo" && VTPILOT=$V timeout 300 ansible-playbook -i ansible/docs/examples/inventory-sim.yml ansible/docs/examples/migrate.yml) > "$work/play.log" 2>&1
    rc=$?
    sshd_pid=$(cat "$VTPILOT_SIM_HMC/sshd.pid")
    kill $simpid; wait $simpid
    tail -25 "$work/play.log"
    [ "$rc" = 0 ] || fail "ansible-playbook exit $rc"
    for l in lpar01 lpar02; do
      grep -q '"migrated"' "$VTPILOT_SIM_HMC/hmc/$l/console.log" || fail "$l did not migrate"
    done
    ! kill -0 "$sshd_pid" 2>/dev/null || fail "sim-hmc left its sshd running" ;;

  *) echo "unknown case $case"; exit 2 ;;
esac
echo "ok ($case)"
