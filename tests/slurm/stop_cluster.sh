#!/usr/bin/env bash
# Stop the single-node test cluster started by start_cluster.sh.
#
# Only processes recorded in our own pid files are signalled (never by name). munged is
# stopped only if start_cluster.sh started it. Restores a pre-existing
# /etc/slurm/slurm.conf. Safe to run when nothing is running. Usage: stop_cluster.sh [--quiet]
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$HERE/common.sh"

quiet=0
[[ ${1:-} == --quiet ]] && quiet=1
say() { ((quiet)) || log "$@"; }

need_root

# Cancel jobs of ours that are still queued/running (only if slurmctld is ours and up).
# Wait (max 30 s) until they are gone, so that no slurmstepd outlives slurmd.
if pidfile_alive "$DRUGSIG_SLURM_DIR/run/slurmctld.pid" && command -v scancel >/dev/null; then
    if [[ -n $(timeout 10 squeue -h -u root -o %i 2>/dev/null) ]]; then
        say "cancelling remaining jobs"
        timeout 10 scancel --user=root >/dev/null 2>&1 || true
        for _ in $(seq 60); do
            [[ -z $(timeout 10 squeue -h -u root -o %i 2>/dev/null) ]] && break
            sleep 0.5
        done
    fi
fi

for d in slurmd slurmctld; do
    pf="$DRUGSIG_SLURM_DIR/run/$d.pid"
    if pidfile_alive "$pf"; then
        say "stopping $d (pid $(<"$pf"))"
        kill_pidfile "$pf" 30
    else
        rm -f "$pf"
    fi
done

if [[ -e $MUNGE_STARTED_MARK ]]; then
    if pidfile_alive "$MUNGE_PIDFILE"; then
        say "stopping munged (pid $(<"$MUNGE_PIDFILE"))"
        kill_pidfile "$MUNGE_PIDFILE" 10
    fi
    rm -f "$MUNGE_STARTED_MARK"
fi

if [[ -f $SLURM_CONF_PATH ]] && grep -qxF "$SLURM_CONF_MARKER" "$SLURM_CONF_PATH"; then
    if [[ -f $SLURM_CONF_BACKUP ]]; then
        say "restoring original $SLURM_CONF_PATH"
        mv -f "$SLURM_CONF_BACKUP" "$SLURM_CONF_PATH"
    else
        rm -f "$SLURM_CONF_PATH"
    fi
fi
say "cluster stopped"
exit 0
