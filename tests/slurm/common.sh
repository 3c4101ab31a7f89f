# shellcheck shell=bash disable=SC2034
# Shared settings and helpers for the single-node Slurm test cluster.
# Sourced by start_cluster.sh, stop_cluster.sh and run_slurm_test.sh; not executable.
#
# Everything the test cluster writes lives under $DRUGSIG_SLURM_DIR (state, spool, logs,
# pid files), except /etc/slurm/slurm.conf: the job-step plugin strips SLURM_* variables
# (including SLURM_CONF) before its nested `srun`, so the config must be at the default
# path. An existing /etc/slurm/slurm.conf that we did not write is backed up and restored.

DRUGSIG_SLURM_DIR="${DRUGSIG_SLURM_DIR:-/tmp/drugsig-slurm}"
SLURM_CONF_PATH=/etc/slurm/slurm.conf
SLURM_CONF_MARKER="# written by drugsig tests/slurm/start_cluster.sh"
SLURM_CONF_BACKUP="$DRUGSIG_SLURM_DIR/slurm.conf.orig"
SLURM_PARTITION_NAME="${DRUGSIG_SLURM_PARTITION_NAME:-main}"
SLURM_NODE="$(hostname -s)"
MUNGE_PIDFILE=/run/munge/munged.pid
# Marker: exists only if *we* started munged (a pre-existing munged is left alone).
MUNGE_STARTED_MARK="$DRUGSIG_SLURM_DIR/munged.started-by-test"

log() { printf '[slurm-test %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

need_root() {
    [[ $(id -u) -eq 0 ]] || die "must run as root (installs packages, starts munged/slurmctld/slurmd)"
}

# Is the process recorded in pid file $1 alive?
pidfile_alive() {
    local pf=$1 pid
    [[ -s $pf ]] || return 1
    pid=$(<"$pf")
    [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null
}

# Terminate the process recorded in pid file $1 (TERM, wait up to $2 s, then KILL).
kill_pidfile() {
    local pf=$1 timeout=${2:-20} pid i
    [[ -s $pf ]] || return 0
    pid=$(<"$pf")
    if [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for ((i = 0; i < timeout * 4; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.25
        done
        if kill -0 "$pid" 2>/dev/null; then
            log "pid $pid ($pf) ignored SIGTERM; sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    rm -f "$pf"
}

# Print the tail of the daemon logs (used on failure).
dump_cluster_logs() {
    local f
    for f in "$DRUGSIG_SLURM_DIR"/log/slurmctld.log "$DRUGSIG_SLURM_DIR"/log/slurmd.log; do
        [[ -f $f ]] || continue
        echo "===== last 40 lines of $f =====" >&2
        tail -n 40 "$f" >&2 || true
    done
    if [[ -f /var/log/munge/munged.log ]]; then
        echo "===== last 10 lines of /var/log/munge/munged.log =====" >&2
        tail -n 10 /var/log/munge/munged.log >&2 || true
    fi
    if command -v sinfo >/dev/null 2>&1 && [[ -s $DRUGSIG_SLURM_DIR/run/slurmctld.pid ]]; then
        echo "===== sinfo -N -l =====" >&2
        timeout 10 sinfo -N -l >&2 2>&1 || true
        echo "===== squeue --states=all =====" >&2
        timeout 10 squeue --states=all -o '%.6i %.30k %.12P %.10T %.8M %.5C %.8m %.10l %R' >&2 2>&1 || true
    fi
}
