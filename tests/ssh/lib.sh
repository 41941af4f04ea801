# tests/ssh/lib.sh: a real OpenSSH sshd on 127.0.0.1 playing the HMC, for one test.
# Sourced by ssh_case.sh. Everything lives in $work (a temp dir): host keys, the client key,
# authorized_keys, known_hosts, sshd_config, the HMC state dir. The sshd is started here and
# stopped by the pid in its PidFile (never by name) when the test exits.
#
# sshd's ForceCommand runs `lpar-sim hmc --state $work/hmc`: every ssh command the test's
# vtpilot sends (mkvterm, lssyscfg, chsysstate, viosvrcmd ...) is answered by the simulator.
# HMC_FLAGS adds lpar-sim hmc's behaviour switches (--hold-dropped-vterm, --hmc-latency S ...).
#
# Password tests: sshd checks passwords against /etc/shadow. Rather than touching the
# machine's accounts, sshd runs in a private mount namespace (unshare -m; -r as well when not
# root) where /etc/shadow is a copy whose entry for the current user has a known test hash.

SSHD=/usr/sbin/sshd

# case_workdir NAME: the test's temp dir, $work, made and entered; at exit the sshd is stopped
# and $work removed (kept with KEEP=1). A skip (77) without OpenSSH's server.
case_workdir() {
  [ -x /usr/sbin/sshd ] && command -v ssh-keygen >/dev/null || { echo "SKIP: no OpenSSH server (scripts/bootstrap installs openssh-server)"; exit 77; }
  work=$(mktemp -d "/tmp/vtpilot-$1-XXXXXX")
  trap 'stop_sshd; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
  cd "$work" || exit 1
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_sshd [password]: "password" lets the current user log in with password $TEST_PASSWORD.
start_sshd() {
  local mode=${1:-key}
  PORT=$(free_port)
  mkdir -p "$work/hmc"
  [ -d /run/sshd ] || mkdir -p /run/sshd 2>/dev/null || true
  rm -f "$work"/host_ed25519* "$work"/id_ed25519*
  ssh-keygen -q -t ed25519 -N '' -f "$work/host_ed25519" -C test-host
  ssh-keygen -q -t ed25519 -N '' -f "$work/id_ed25519" -C test-client
  cp "$work/id_ed25519.pub" "$work/authorized_keys"
  printf '[127.0.0.1]:%s %s\n' "$PORT" "$(cut -d' ' -f1,2 "$work/host_ed25519.pub")" > "$work/known_hosts"
  : > "$work/ssh_config"  # the tester's ~/.ssh/config must not change what the test does
  local pw=no
  [ "$mode" = password ] && pw=yes
  cat > "$work/sshd_config" <<EOF
Port $PORT
ListenAddress 127.0.0.1
HostKey $work/host_ed25519
PidFile $work/sshd.pid
AuthorizedKeysFile $work/authorized_keys
StrictModes no
UsePAM no
PermitRootLogin yes
PubkeyAuthentication yes
PasswordAuthentication $pw
KbdInteractiveAuthentication no
PermitUserEnvironment no
AllowAgentForwarding no
AllowTcpForwarding no
X11Forwarding no
PrintMotd no
LogLevel VERBOSE
SetEnv SHLVL=1
ForceCommand ${FORCE_COMMAND:-$SIM hmc --state $work/hmc ${HMC_FLAGS:-}}
${SSHD_EXTRA:-}
EOF
  if [ "$mode" = password ]; then
    TEST_PASSWORD="vtp-Test-$$-$RANDOM"
    local hash user
    user=$(id -un)
    hash=$(python3 -c 'import crypt,sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_SHA512)))' "$TEST_PASSWORD" 2>/dev/null)
    [ -n "$hash" ] || { echo "SKIP: cannot make a password hash"; exit 77; }
    awk -F: -v u="$user" -v h="$hash" 'BEGIN{OFS=":"} $1==u{$2=h; f=1} {print} END{if(!f) print u,h,"19000","0","99999","7","","",""}' \
      /etc/shadow > "$work/shadow" 2>/dev/null || { echo "SKIP: cannot read /etc/shadow"; exit 77; }
    chmod 600 "$work/shadow"
    local ns=(unshare -m --propagation private)
    [ "$(id -u)" -eq 0 ] || ns=(unshare -r -m --propagation private)
    "${ns[@]}" true 2>/dev/null || { echo "SKIP: no mount namespaces here (unshare -m)"; exit 77; }
    "${ns[@]}" sh -c 'mount --bind "$1/shadow" /etc/shadow && exec "$2" -f "$1/sshd_config" -E "$1/sshd.log"' sh "$work" "$SSHD"
  else
    "$SSHD" -f "$work/sshd_config" -E "$work/sshd.log"
  fi
  local i
  for i in $(seq 1 200); do
    [ -s "$work/sshd.pid" ] && python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1",int(sys.argv[1])),0.2)' "$PORT" 2>/dev/null && return 0
    python3 -c 'import time; time.sleep(0.02)'
  done
  echo "FAIL: sshd did not start"; cat "$work/sshd.log"; exit 1
}

stop_sshd() {
  local pids=() f p
  # The LPAR's console daemon (started by chsysstate) outlives ssh sessions, as an LPAR does.
  for f in "$work/sshd.pid" "$work/agent.pid" "$work/hmc/daemon.pid" "$work"/hmc/*/daemon.pid; do
    [ -s "$f" ] && pids+=("$(cat "$f")")
  done
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  # They are not our children (sshd started the daemons): wait, bounded, until they are gone,
  # so none still writes into $work while it is removed.
  for _ in $(seq 1 200); do
    local alive=0
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    python3 -c 'import time; time.sleep(0.01)'
  done
  return 0
}

# start_agent KEY...: an ssh-agent of this test's own ($work/agent.sock) holding KEYs; stopped
# by its pid with the sshd.
start_agent() {
  local out
  out=$(ssh-agent -a "$work/agent.sock" -s) || { echo "FAIL: ssh-agent did not start"; exit 1; }
  printf '%s\n' "$out" | sed -n 's/^SSH_AGENT_PID=\([0-9]*\);.*/\1/p' > "$work/agent.pid"
  SSH_AUTH_SOCK=$work/agent.sock ssh-add -q "$@" 2>/dev/null || { echo "FAIL: ssh-add"; exit 1; }
}

# write_config FILE [extra TOML for [defaults]...]: an [hmc] for this sshd and one LPAR.
write_config() {
  local f=$1; shift
  cat > "$f" <<EOF
[hmc]
host = "127.0.0.1"
port = $PORT
user = "$(id -un)"
identity = "$work/id_ed25519"
known_hosts = "$work/known_hosts"
ssh_config = "$work/ssh_config"
connect_timeout_s = 10
keepalive_s = 5

[defaults]
managed_system = "Server-8247-42L-SN21271DA"
profile = "default_profile"
vios = "vios1"
vtd = "vtopt0"
media = ["aix72_vol1.iso", "aix72_vol2.iso"]
transcripts = "$work"
pacing_ms = 0
timeout_s = 30
$(printf '%s\n' "$@")

[[lpar]]
name = "lpar01"
EOF
}

# vterm_sshd: the pid of the sshd process serving the connection that holds the vterm (mkvterm's
# parent chain up to "sshd:"), or nothing. Signalling it cuts or stalls that one connection.
vterm_sshd() {
  local p
  p=$(cat "$work/hmc/vterm.lock" 2>/dev/null)
  while [ -n "$p" ] && [ "$p" != 1 ]; do
    case "$(tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null)" in sshd:*) echo "$p"; return 0 ;; esac
    p=$(awk '{print $4}' "/proc/$p/stat" 2>/dev/null)
  done
  return 0
}

# The LPAR's console log (lpar-sim --log): every screen drawn and key received.
console_keys() {
  python3 -c '
import json,sys
print("".join(e["data"] for e in map(json.loads, open(sys.argv[1])) if e.get("ev")=="key" and not e.get("dropped") and not e.get("ignored")).replace("\r","/"))' "${1:-$work/hmc/console.log}"
}
