#!/usr/bin/env bash
# Start a throw-away single-node Slurm cluster on localhost (munged, slurmctld, slurmd).
#
# Usage (as root):  tests/slurm/start_cluster.sh
# Environment:
#   DRUGSIG_SLURM_DIR         scratch dir for state/spool/logs/pids (default /tmp/drugsig-slurm)
#   DRUGSIG_SLURM_NO_INSTALL  1 = never apt-get install (fail if slurm-wlm/munge are missing)
#   DRUGSIG_SLURM_NODE_CPUS   CPUs the node advertises (default: nproc). May exceed the
#                             real core count (SlurmdParameters=config_overrides) so that
#                             rules declaring more threads than the CI box has can still run.
#   DRUGSIG_SLURM_NODE_MEM_MB RealMemory of the node (default: physical MB minus 512)
#
# Idempotent: leftovers of an earlier run (daemons from our pid files) are stopped first.
# Stop with tests/slurm/stop_cluster.sh.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$HERE/common.sh"

need_root

# ---------------------------------------------------------------- packages
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null ||
    ! command -v munged >/dev/null || ! command -v sbatch >/dev/null; then
    [[ ${DRUGSIG_SLURM_NO_INSTALL:-0} == 1 ]] &&
        die "slurm-wlm/munge not installed and DRUGSIG_SLURM_NO_INSTALL=1"
    log "installing slurm-wlm and munge (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q slurm-wlm munge >/dev/null ||
        { apt-get update -q >/dev/null && apt-get install -y -q slurm-wlm munge >/dev/null; } ||
        die "apt-get install slurm-wlm munge failed"
fi
log "using $(slurmctld -V)"

# ---------------------------------------------------------------- clean slate
"$HERE/stop_cluster.sh" --quiet || true
rm -rf "$DRUGSIG_SLURM_DIR"/{state,spool,log,run}
mkdir -p "$DRUGSIG_SLURM_DIR"/{state,spool,log,run}
chmod 755 "$DRUGSIG_SLURM_DIR"

# ---------------------------------------------------------------- munge
if timeout 10 munge -n 2>/dev/null | timeout 10 unmunge >/dev/null 2>&1; then
    log "munged already running; reusing it"
else
    if [[ ! -s /etc/munge/munge.key ]]; then
        log "creating /etc/munge/munge.key"
        install -d -o munge -g munge -m 700 /etc/munge
        dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
    fi
    chown munge:munge /etc/munge/munge.key
    chmod 400 /etc/munge/munge.key
    install -d -o munge -g munge -m 755 /run/munge
    install -d -o munge -g munge -m 700 /var/lib/munge /var/log/munge
    runuser -u munge -- munged --force
    touch "$MUNGE_STARTED_MARK"
    for _ in $(seq 40); do
        timeout 5 munge -n 2>/dev/null | timeout 5 unmunge >/dev/null 2>&1 && break
        sleep 0.25
    done
    timeout 5 munge -n | timeout 5 unmunge >/dev/null ||
        { dump_cluster_logs; die "munged does not answer (munge -n | unmunge)"; }
    log "munged started (pid $(cat "$MUNGE_PIDFILE" 2>/dev/null || echo '?'))"
fi

# ---------------------------------------------------------------- slurm.conf
phys_cpus=$(nproc)
phys_mem=$(awk '/^MemTotal:/ {print int($2 / 1024)}' /proc/meminfo)
node_cpus=${DRUGSIG_SLURM_NODE_CPUS:-$phys_cpus}
node_mem=${DRUGSIG_SLURM_NODE_MEM_MB:-$((phys_mem - 512))}

if [[ -f $SLURM_CONF_PATH ]] && ! grep -qxF "$SLURM_CONF_MARKER" "$SLURM_CONF_PATH"; then
    log "backing up existing $SLURM_CONF_PATH to $SLURM_CONF_BACKUP"
    cp -p "$SLURM_CONF_PATH" "$SLURM_CONF_BACKUP"
fi
mkdir -p "$(dirname "$SLURM_CONF_PATH")"
cat >"$SLURM_CONF_PATH" <<EOF
$SLURM_CONF_MARKER
# Single-node test cluster; removed again by tests/slurm/stop_cluster.sh.
ClusterName=drugsig
SlurmctldHost=$SLURM_NODE(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
StateSaveLocation=$DRUGSIG_SLURM_DIR/state
SlurmdSpoolDir=$DRUGSIG_SLURM_DIR/spool
SlurmctldPidFile=$DRUGSIG_SLURM_DIR/run/slurmctld.pid
SlurmdPidFile=$DRUGSIG_SLURM_DIR/run/slurmd.pid
SlurmctldLogFile=$DRUGSIG_SLURM_DIR/log/slurmctld.log
SlurmdLogFile=$DRUGSIG_SLURM_DIR/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SlurmdParameters=config_overrides
ReturnToService=2
# Keep records of finished jobs for a day: the plugin's --slurm-status-command squeue
# needs them (MinJobAge >= 3 x status interval) and run_slurm_test.sh checks every
# job's request with scontrol after the run.
MinJobAge=86400
MailProg=/bin/true
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
NodeName=$SLURM_NODE NodeAddr=127.0.0.1 CPUs=$node_cpus RealMemory=$node_mem State=UNKNOWN
PartitionName=$SLURM_PARTITION_NAME Nodes=$SLURM_NODE Default=YES MaxTime=INFINITE State=UP
EOF
log "wrote $SLURM_CONF_PATH (node $SLURM_NODE: CPUs=$node_cpus RealMemory=${node_mem}MB)"

# ---------------------------------------------------------------- daemons
slurmctld -f "$SLURM_CONF_PATH" -c ||
    { dump_cluster_logs; die "slurmctld failed to start"; }
for _ in $(seq 60); do
    timeout 5 scontrol ping 2>/dev/null | grep -q 'is UP' && break
    sleep 0.5
done
timeout 5 scontrol ping | grep -q 'is UP' ||
    { dump_cluster_logs; die "slurmctld does not answer scontrol ping"; }
log "slurmctld up (pid $(cat "$DRUGSIG_SLURM_DIR/run/slurmctld.pid"))"

slurmd -f "$SLURM_CONF_PATH" || { dump_cluster_logs; die "slurmd failed to start"; }
state=""
for _ in $(seq 120); do
    state=$(timeout 5 sinfo -h -n "$SLURM_NODE" -o '%T' 2>/dev/null | head -n1 || true)
    [[ $state == idle ]] && break
    sleep 0.5
done
[[ $state == idle ]] ||
    { dump_cluster_logs; die "node $SLURM_NODE not idle after 60 s (state: '${state:-none}')"; }
log "slurmd up (pid $(cat "$DRUGSIG_SLURM_DIR/run/slurmd.pid")); node $SLURM_NODE is idle"

# ---------------------------------------------------------------- smoke test
out=$(timeout 60 srun -n1 -p "$SLURM_PARTITION_NAME" hostname 2>&1) ||
    { echo "$out" >&2; dump_cluster_logs; die "smoke test 'srun -n1 hostname' failed"; }
log "smoke test ok: srun -n1 hostname -> $out"
sinfo >&2
