#!/usr/bin/env bash
# A one-node Slurm cluster on localhost, for ScaleLab's Slurm backend tests and for trying the
# backend on one machine. Needs root and Debian's packages (installed by `install`).
#   scripts/slurm-cluster.sh install   # apt-get the packages when sbatch is missing
#   scripts/slurm-cluster.sh start     # idempotent; waits until the node is idle
#   scripts/slurm-cluster.sh status    # prints up or down (exit 0 or 1)
#   scripts/slurm-cluster.sh stop      # stops slurmd and slurmctld (munged keeps running)
set -euo pipefail

CONF=/etc/slurm/slurm.conf
SPOOL=/var/spool/slurm
LOG=/var/log/slurm
RUN=/run/slurm
CPUS=$(nproc)

die() { echo "slurm-cluster: $*" >&2; exit 1; }

is_up() {
  command -v sinfo >/dev/null 2>&1 || return 1
  local state
  state=$(timeout 5 sinfo -h -N -o '%t' 2>/dev/null | head -n 1) || return 1
  case "$state" in idle*|mix*|alloc*|comp*) return 0 ;; *) return 1 ;; esac
}

install_packages() {
  if command -v sbatch >/dev/null 2>&1 && command -v slurmctld >/dev/null 2>&1; then return 0; fi
  [ "$(id -u)" = 0 ] || die "installing Slurm needs root"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge >/dev/null
}

write_config() {
  mkdir -p /etc/slurm "$SPOOL/ctld" "$SPOOL/d" "$LOG" "$RUN"
  cat >"$CONF" <<CONF
ClusterName=scalelab
SlurmctldHost=localhost
AuthType=auth/munge
CryptoType=crypto/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$LOG/jobcomp.log
JobAcctGatherType=jobacct_gather/none
SlurmUser=slurm
SlurmdUser=root
StateSaveLocation=$SPOOL/ctld
SlurmdSpoolDir=$SPOOL/d
SlurmctldPidFile=$RUN/slurmctld.pid
SlurmdPidFile=$RUN/slurmd.pid
SlurmctldLogFile=$LOG/slurmctld.log
SlurmdLogFile=$LOG/slurmd.log
ReturnToService=2
MinJobAge=300
SlurmdTimeout=60
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=2000 State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
  touch "$LOG/jobcomp.log"
  chown -R slurm:slurm "$SPOOL/ctld" "$LOG" "$RUN"
}

start_munge() {
  if pgrep -x munged >/dev/null 2>&1; then return 0; fi
  if [ ! -s /etc/munge/munge.key ]; then
    mkdir -p /etc/munge
    if command -v mungekey >/dev/null 2>&1; then mungekey --create --force >/dev/null 2>&1 || true; fi
    [ -s /etc/munge/munge.key ] || dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
  fi
  chown munge:munge /etc/munge/munge.key && chmod 0400 /etc/munge/munge.key
  mkdir -p /run/munge /var/log/munge /var/lib/munge && chown munge:munge /run/munge /var/log/munge /var/lib/munge
  runuser -u munge -- /usr/sbin/munged >/dev/null 2>&1 || die "munged did not start"
}

stop_daemons() {
  for d in slurmd slurmctld; do
    if [ -s "$RUN/$d.pid" ] && kill -0 "$(cat "$RUN/$d.pid")" 2>/dev/null; then kill "$(cat "$RUN/$d.pid")" 2>/dev/null || true; fi
    pkill -x "$d" 2>/dev/null || true
  done
  for _ in $(seq 1 50); do pgrep -x slurmd >/dev/null || pgrep -x slurmctld >/dev/null || return 0; sleep 0.1; done
}

case "${1:-}" in
  install) install_packages; echo "slurm-cluster: packages installed" ;;
  start)
    if is_up; then echo "slurm-cluster: up"; exit 0; fi
    [ "$(id -u)" = 0 ] || die "starting the cluster needs root"
    install_packages
    stop_daemons
    write_config
    start_munge
    /usr/sbin/slurmctld || die "slurmctld did not start (see $LOG/slurmctld.log)"
    /usr/sbin/slurmd -N localhost || die "slurmd did not start (see $LOG/slurmd.log)"
    for _ in $(seq 1 60); do
      if is_up; then echo "slurm-cluster: up ($CPUS CPUs, partition debug)"; exit 0; fi
      scontrol update NodeName=localhost State=RESUME >/dev/null 2>&1 || true
      sleep 0.5
    done
    die "the node did not become idle within 30 s (see $LOG/slurmctld.log and $LOG/slurmd.log)"
    ;;
  stop) stop_daemons; echo "slurm-cluster: stopped" ;;
  status) if is_up; then echo up; else echo down; exit 1; fi ;;
  *) echo "usage: $0 install|start|stop|status" >&2; exit 2 ;;
esac
