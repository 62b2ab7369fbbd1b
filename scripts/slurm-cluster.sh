#!/usr/bin/env bash
# A real one-node Slurm cluster on localhost, for ScaleLab's Slurm tests (Debian's Slurm 22.05;
# needs root; no systemd needed).
#
#   scripts/slurm-cluster.sh install   apt-get the packages when a Slurm or munge binary is missing
#   scripts/slurm-cluster.sh start     idempotent: exit 0 at once when the node answers idle/mixed/
#                                   allocated; else write the config, start munged, slurmctld and
#                                   slurmd, and wait up to 30 s for the node to be idle
#   scripts/slurm-cluster.sh stop      stop slurmd then slurmctld by the PIDs in their pid files;
#                                   idempotent. munged is left running (it is shared and harmless).
#                                   Jobs' slurmstepd processes are not killed: a restarted slurmd
#                                   takes them back, as on a real cluster.
#   scripts/slurm-cluster.sh status    print up or down; exit 0 or 1
#
# The cluster: node `localhost` (127.0.0.1) with max(2, nproc) CPUs (so at least two one-CPU jobs
# run at once) and RealMemory=2000 (memory is not a consumable resource: CR_Core), one partition
# `debug` (Default=YES MaxTime=INFINITE State=UP), no slurmdbd (use `sacct -c`, not `sacct`),
# finished jobs kept by slurmctld for MinJobAge=300 s, ReturnToService=2 so a restarted node
# comes back by itself. The job state survives stop/start (StateSaveLocation is kept).
#
# Quiet on success but for one summary line; errors go to stderr with the log to read.
#
# Environment (all optional):
#   SCALELAB_SLURM_CPUS   CPUs of the node (default max(2, nproc))
#   SCALELAB_SLURM_ROOT   run a private instance under this folder (config at ROOT/etc/slurm.conf,
#                         spool, logs and pid files under ROOT) instead of the system one
#                         (/etc/slurm/slurm.conf, /var/spool/slurm, /var/log/slurm, /run/slurm);
#                         clients then need SLURM_CONF=ROOT/etc/slurm.conf
#   SCALELAB_SLURM_PORT   slurmctld's port (default 6817); slurmd uses the next one
set -euo pipefail

ME="cluster.sh"
die() { echo "$ME: $*" >&2; exit 1; }

if [ -n "${SCALELAB_SLURM_ROOT:-}" ]; then
  ROOT=$SCALELAB_SLURM_ROOT
  CONF=$ROOT/etc/slurm.conf
  SPOOL=$ROOT/spool
  LOG=$ROOT/log
  RUN=$ROOT/run
else
  ROOT=
  CONF=/etc/slurm/slurm.conf
  SPOOL=/var/spool/slurm
  LOG=/var/log/slurm
  RUN=/run/slurm
fi
CTLD_PORT=${SCALELAB_SLURM_PORT:-6817}
SLURMD_PORT=$((CTLD_PORT + 1))
NPROC=$(nproc 2>/dev/null || echo 1)
CPUS=${SCALELAB_SLURM_CPUS:-$((NPROC > 2 ? NPROC : 2))}
# Every Slurm command below talks to this cluster, whatever the caller's environment says.
export SLURM_CONF=$CONF
export PATH="$PATH:/usr/sbin:/sbin"

need_root() { [ "$(id -u)" = 0 ] || die "$1 needs root"; }

installed() {
  local b
  for b in sbatch sinfo squeue scontrol slurmctld slurmd munged; do
    command -v "$b" >/dev/null 2>&1 || return 1
  done
}

# The node answers and can run jobs: idle, mixed, allocated or completing, and responding (a
# trailing `*` means slurmd does not answer; other suffixes mean drained, down, powered off...).
is_up() {
  command -v sinfo >/dev/null 2>&1 || return 1
  [ -r "$CONF" ] || return 1
  # Both daemons alive by their pid files (slurmctld would report a dead slurmd idle for
  # SlurmdTimeout seconds more).
  alive slurmctld "$(pid_file SlurmctldPidFile "$RUN/slurmctld.pid")" || return 1
  alive slurmd "$(pid_file SlurmdPidFile "$RUN/slurmd.pid")" || return 1
  local state
  state=$(timeout 5 sinfo -h -N -n localhost -p debug -o '%t' 2>/dev/null | head -n 1) || return 1
  case "$state" in idle | mix | alloc | comp) return 0 ;; *) return 1 ;; esac
}

do_install() {
  if installed; then
    echo "$ME: Slurm already installed ($(sinfo --version 2>/dev/null || echo '?'))"
    return 0
  fi
  need_root "installing Slurm"
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found: install slurmctld, slurmd, slurm-client and munge by hand"
  local out
  out=$(mktemp)
  export DEBIAN_FRONTEND=noninteractive
  if ! { apt-get update -q && apt-get install -y -q slurmctld slurmd slurm-client munge; } >"$out" 2>&1; then
    tail -n 30 "$out" >&2
    rm -f "$out"
    die "apt-get could not install slurmctld slurmd slurm-client munge"
  fi
  rm -f "$out"
  installed || die "the packages installed but a Slurm or munge binary is still missing from PATH"
  echo "$ME: Slurm installed ($(sinfo --version 2>/dev/null || echo '?'))"
}

# A pid file's value from the config (what the running daemons were started with), else ours.
pid_file() {
  local key=$1 default=$2 v=
  [ -r "$CONF" ] && v=$(sed -n "s/^[[:space:]]*$key[[:space:]]*=[[:space:]]*\\([^[:space:]#]*\\).*/\\1/Ip" "$CONF" | tail -n 1)
  echo "${v:-$default}"
}

# Process PID is alive (not a zombie waiting to be reaped) and is the daemon NAME.
running() {
  local name=$1 pid=$2
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$name" ] || return 1
  ! grep -q '^State:[[:space:]]*Z' "/proc/$pid/status" 2>/dev/null
}

# The process named in a pid file is alive and is the daemon NAME.
alive() {
  [ -s "$2" ] || return 1
  running "$1" "$(tr -dc '0-9' <"$2")"
}

# Stop one daemon by the PID in its pid file: TERM, up to 10 s, then KILL. Only a process whose
# name is the daemon's is signalled (a stale pid file may name an unrelated process).
stop_one() {
  local name=$1 file=$2 pid i
  [ -s "$file" ] || return 0
  pid=$(tr -dc '0-9' <"$file")
  if running "$name" "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 100); do
      running "$name" "$pid" || break
      sleep 0.1
    done
    if running "$name" "$pid"; then
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.2
    fi
  fi
  rm -f "$file"
}

stop_daemons() {
  stop_one slurmd "$(pid_file SlurmdPidFile "$RUN/slurmd.pid")"
  stop_one slurmctld "$(pid_file SlurmctldPidFile "$RUN/slurmctld.pid")"
}

write_config() {
  mkdir -p "$(dirname "$CONF")" "$SPOOL/ctld" "$SPOOL/d" "$LOG" "$RUN"
  if [ -n "$ROOT" ]; then chmod 0755 "$ROOT" "$ROOT/etc" "$SPOOL"; fi
  cat >"$CONF" <<EOF
# Written by scripts/slurm-cluster.sh: a one-node test cluster on localhost.
ClusterName=scalelab
SlurmctldHost=localhost
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
AuthType=auth/munge
CryptoType=crypto/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/filetxt
JobCompLoc=$LOG/jobcomp.log
SlurmUser=slurm
SlurmdUser=root
StateSaveLocation=$SPOOL/ctld
SlurmdSpoolDir=$SPOOL/d
SlurmctldPidFile=$RUN/slurmctld.pid
SlurmdPidFile=$RUN/slurmd.pid
SlurmctldLogFile=$LOG/slurmctld.log
SlurmdLogFile=$LOG/slurmd.log
# The node is what this file says, even on a machine with fewer CPUs or less memory.
SlurmdParameters=config_overrides
ReturnToService=2
SlurmdTimeout=60
MinJobAge=300
KillWait=5
InactiveLimit=0
MailProg=/bin/true
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=2000 State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
  chmod 0644 "$CONF"
  touch "$LOG/jobcomp.log"
  chown -R slurm:slurm "$SPOOL/ctld" "$LOG" "$RUN"
}

munge_ok() { command -v munge >/dev/null 2>&1 && munge -n 2>/dev/null | unmunge >/dev/null 2>&1; }

start_munge() {
  local key=/etc/munge/munge.key pid i
  if [ ! -s "$key" ]; then
    mkdir -p /etc/munge
    if command -v mungekey >/dev/null 2>&1; then
      mungekey --create --keyfile="$key" >/dev/null 2>&1 || true
    elif command -v create-munge-key >/dev/null 2>&1; then
      create-munge-key -f >/dev/null 2>&1 || true
    fi
    [ -s "$key" ] || dd if=/dev/urandom of="$key" bs=1024 count=1 status=none
  fi
  chown munge:munge /etc/munge "$key"
  chmod 0700 /etc/munge
  chmod 0400 "$key"
  mkdir -p /run/munge /var/log/munge /var/lib/munge
  chown munge:munge /run/munge /var/log/munge /var/lib/munge
  pid=
  if [ -s /run/munge/munged.pid ]; then pid=$(tr -dc '0-9' </run/munge/munged.pid); fi
  if running munged "$pid" && munge_ok; then return 0; fi
  runuser -u munge -- /usr/sbin/munged --force </dev/null >>"$LOG/munged.start.log" 2>&1 ||
    { tail -n 5 "$LOG/munged.start.log" >&2; die "munged did not start (see /var/log/munge/munged.log)"; }
  for i in $(seq 1 50); do munge_ok && return 0; sleep 0.1; done
  die "munged started but munge -n | unmunge fails (see /var/log/munge/munged.log)"
}

# Start a daemon; its stdio goes to a file, so a caller reading our stdout is not held open.
start_daemon() {
  local name=$1
  shift
  if ! "$@" </dev/null >>"$LOG/$name.start.log" 2>&1; then
    tail -n 5 "$LOG/$name.start.log" "$LOG/$name.log" >&2 2>/dev/null || true
    die "$name did not start (see $LOG/$name.log)"
  fi
}

# slurmd has registered with slurmctld since time $1 (the node state saved by an earlier run
# reads idle before that).
registered() {
  local t
  t=$(timeout 5 scontrol -o show node localhost 2>/dev/null | sed -n 's/.*SlurmdStartTime=\([^ ]*\).*/\1/p') || true
  case "$t" in '' | None | Unknown) return 1 ;; esac
  t=$(date -d "$t" +%s 2>/dev/null) || return 1
  [ "$t" -ge $(($1 - 1)) ]
}

do_start() {
  if is_up; then
    echo "$ME: Slurm cluster already up (SLURM_CONF=$CONF)"
    return 0
  fi
  need_root "starting the Slurm cluster"
  local t0 state ms started deadline why
  t0=$(date +%s%N)
  installed || do_install >/dev/null
  stop_daemons # a half-started cluster (one daemon dead, node down) starts again from scratch
  write_config
  start_munge
  start_daemon slurmctld /usr/sbin/slurmctld -f "$CONF"
  started=$(date +%s)
  start_daemon slurmd /usr/sbin/slurmd -f "$CONF" -N localhost
  deadline=$((SECONDS + 30))
  while :; do
    if is_up && registered "$started"; then
      ms=$((($(date +%s%N) - t0) / 1000000))
      echo "$ME: Slurm cluster up in $((ms / 1000)).$((ms % 1000 / 100)) s: node localhost, $CPUS CPUs, partition debug (SLURM_CONF=$CONF)"
      return 0
    fi
    why=
    if ! alive slurmctld "$RUN/slurmctld.pid"; then
      why="slurmctld exited"
    elif ! alive slurmd "$RUN/slurmd.pid"; then
      why="slurmd exited"
    elif [ "$SECONDS" -ge "$deadline" ]; then
      why="the node did not become idle within 30 s"
    fi
    [ -z "$why" ] || break
    # A node left DOWN/DRAIN by an earlier run comes back on registration (ReturnToService=2);
    # after a few seconds, ask explicitly.
    if [ "$SECONDS" -ge $((deadline - 25)) ]; then
      case "$(timeout 5 sinfo -h -N -n localhost -o '%t' 2>/dev/null | head -n 1)" in
        down* | drain* | drng* | fail*) scontrol update NodeName=localhost State=RESUME >/dev/null 2>&1 || true ;;
      esac
    fi
    sleep 0.2
  done
  state=$(timeout 5 sinfo -h -N -n localhost -o '%t %E' 2>/dev/null | head -n 1 || true)
  {
    echo "$ME: node state: ${state:-no answer from slurmctld}"
    tail -n 5 "$LOG/slurmctld.log" "$LOG/slurmd.log" 2>/dev/null || true
  } >&2
  stop_daemons # leave nothing half-started; the logs stay
  die "the Slurm cluster did not start: $why (see $LOG/slurmctld.log and $LOG/slurmd.log)"
}

do_stop() {
  need_root "stopping the Slurm cluster"
  stop_daemons
  echo "$ME: Slurm cluster stopped (munged left running)"
}

case "${1:-}" in
  install) do_install ;;
  start) do_start ;;
  stop) do_stop ;;
  status) if is_up; then echo up; else echo down; exit 1; fi ;;
  *) echo "usage: $0 install|start|stop|status" >&2; exit 2 ;;
esac
