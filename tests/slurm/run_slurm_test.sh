#!/usr/bin/env bash
# End-to-end Slurm test: run the workflow locally and through profiles/slurm on a
# throw-away single-node Slurm cluster, then check that every non-local job went through
# Slurm with the declared threads/mem_mb/runtime and that the results are byte-identical.
#
# Usage (as root, from anywhere):
#   tests/slurm/run_slurm_test.sh            # the real workflow (demo config)
#   tests/slurm/run_slurm_test.sh --tiny     # tests/slurm/Snakefile (fast self-test)
#
# Environment:
#   DRUGSIG_SLURM_TEST=0        skip (exit 0) - for pipelines that want to switch it off
#   DRUGSIG_SLURM_DIR           scratch dir (default /tmp/drugsig-slurm); wiped per run
#   DRUGSIG_SLURM_KEEP=1        leave the cluster running afterwards (debugging)
#   DRUGSIG_SLURM_TIMEOUT       seconds per snakemake run (default 3600)
#   DRUGSIG_SLURM_CORES         --cores of the local run (default 2, as in the README)
#   DRUGSIG_SLURM_NODE_CPUS     CPUs the test node advertises (default max(nproc, 32):
#                               rules with threads: 8 fit and several run at once; the
#                               host's real cores are oversubscribed, memory is not)
#   DRUGSIG_SLURM_COMPARE       result globs that must be byte-identical (default:
#                               "results/counts/counts.tsv results/de/*.tsv")
#   DRUGSIG_SLURM_ALLOWED_LOCAL comma-separated rules that may run locally (default: any
#                               rule the workflow declares as localrule)
#   DRUGSIG_SNAKEMAKE           snakemake executable (default <repo>/.venv/bin/snakemake)
#
# Exit status 0 = passed (or skipped), non-zero = failed; diagnostics go to stderr.
# Idempotent: the cluster is restarted from scratch and always stopped (trap), even on
# failure or Ctrl-C.
# The whole script is one function so that bash parses it completely before running:
# editing this file while a (long) run is in progress cannot derail that run.
main() {
    set -euo pipefail
    HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
    REPO="$(cd "$HERE/../.." && pwd)"
    # shellcheck source-path=SCRIPTDIR source=common.sh
    source "$HERE/common.sh"

    if [[ ${DRUGSIG_SLURM_TEST:-1} == 0 ]]; then
        log "DRUGSIG_SLURM_TEST=0: skipping the Slurm test"
        exit 0
    fi

    MODE=workflow
    for arg in "$@"; do
        case $arg in
        --tiny) MODE=tiny ;;
        -h | --help)
            sed -n '2,27p' "${BASH_SOURCE[0]}"
            exit 0
            ;;
        *) die "unknown argument: $arg" ;;
        esac
    done

    need_root

    SNAKEMAKE="${DRUGSIG_SNAKEMAKE:-$REPO/.venv/bin/snakemake}"
    [[ -x $SNAKEMAKE ]] || SNAKEMAKE="$(command -v snakemake || true)"
    [[ -n $SNAKEMAKE && -x $SNAKEMAKE ]] || die "snakemake not found (set DRUGSIG_SNAKEMAKE)"
    PYTHON="$(dirname "$SNAKEMAKE")/python"
    [[ -x $PYTHON ]] || PYTHON="$(command -v python3)"
    # Slurm jobs inherit this environment (sbatch --export=ALL): tools of the venv must be found.
    PATH="$(dirname "$SNAKEMAKE"):$PATH"
    export PATH

    TIMEOUT="${DRUGSIG_SLURM_TIMEOUT:-3600}"
    CORES="${DRUGSIG_SLURM_CORES:-2}"
    NPROC=$(nproc)
    export DRUGSIG_SLURM_NODE_CPUS="${DRUGSIG_SLURM_NODE_CPUS:-$((NPROC > 32 ? NPROC : 32))}"
    TEST_PARTITION=drugsig_test # non-default partition: proves the profile passes -p
    TEST_ACCOUNT=drugsig-ci     # any string is accepted with accounting_storage/none

    if [[ $MODE == tiny ]]; then
        SNAKEFILE_ARGS=(--snakefile tests/slurm/Snakefile)
    else
        SNAKEFILE_ARGS=()
        [[ -f $REPO/Snakefile || -f $REPO/workflow/Snakefile ]] ||
            die "no Snakefile or workflow/Snakefile in $REPO (use --tiny for the self-test)"
    fi
    # Both workflows (real and tiny) write these; globs are relative to the work dirs.
    COMPARE_DEFAULT="results/counts/counts.tsv results/de/*.tsv"
    read -r -a COMPARE <<<"${DRUGSIG_SLURM_COMPARE:-$COMPARE_DEFAULT}"

    WORK="$DRUGSIG_SLURM_DIR/work"
    LOCAL_DIR="$WORK/local"
    SLURM_DIR="$WORK/slurm"
    LOCAL_LOG="$WORK/local.log"
    SLURM_LOG="$WORK/slurm.log"
    STAGE="setup"

    on_exit() {
        local rc=$?
        trap - EXIT INT TERM
        set +e # diagnostics and cleanup must run to the end
        if ((rc != 0)); then
            {
                echo
                echo "################ SLURM TEST FAILED (stage: $STAGE, exit $rc) ################"
                case $STAGE in
                "local run") logs=("$LOCAL_LOG") dirs=("$LOCAL_DIR") ;;
                "slurm run") logs=("$SLURM_LOG") dirs=("$SLURM_DIR") ;;
                *) logs=() dirs=() ;;
                esac
                for lg in "${logs[@]}"; do
                    [[ -f $lg ]] || continue
                    echo "===== last 60 lines of $lg ====="
                    tail -n 60 "$lg"
                done
                if [[ $STAGE == "slurm run" && -f $SLURM_LOG ]]; then
                    echo "===== failed / unfinished Slurm jobs (scontrol + their Slurm logs) ====="
                    timeout 120 "$PYTHON" "$HERE/check_slurm_run.py" failed "$SLURM_LOG" || true
                fi
                for d in "${dirs[@]}"; do
                    [[ -d $d/logs ]] || continue
                    # rule logs of this run that mention an error
                    grep -rilE 'error|exception|traceback' "$d/logs" 2>/dev/null | head -n 5 |
                        while read -r f; do
                            echo "===== rule log $f (last 30 lines) ====="
                            tail -n 30 "$f"
                        done || true
                done
            } >&2
            dump_cluster_logs
            log "FAILED in stage '$STAGE'. Work dirs and logs kept in $WORK"
        fi
        if [[ ${DRUGSIG_SLURM_KEEP:-0} == 1 ]]; then
            log "DRUGSIG_SLURM_KEEP=1: leaving the cluster running (stop: $HERE/stop_cluster.sh)"
        else
            "$HERE/stop_cluster.sh" || true
        fi
        exit "$rc"
    }
    # Snakemake runs in the background (run_bg) so that INT/TERM reach this script at
    # once; they are forwarded to Snakemake, which then cancels its Slurm jobs.
    CHILD=""
    run_bg() { # run_bg DIR LOG CMD... : run CMD in DIR, output to LOG, wait for it
        local dir=$1 logf=$2
        shift 2
        (cd "$dir" && exec "$@") >"$logf" 2>&1 &
        CHILD=$!
        local rc=0
        wait "$CHILD" || rc=$?
        CHILD=""
        return "$rc"
    }
    on_signal() {
        log "interrupted"
        if [[ -n $CHILD ]] && kill -0 "$CHILD" 2>/dev/null; then
            log "stopping snakemake (pid $CHILD) so that it cancels its jobs"
            kill -INT "$CHILD" 2>/dev/null
            for _ in $(seq 120); do
                kill -0 "$CHILD" 2>/dev/null || break
                sleep 0.5
            done
        fi
        exit 130
    }
    trap on_exit EXIT
    trap on_signal INT TERM

    # ---------------------------------------------------------------- working copies
    STAGE="prepare working copies"
    log "mode: $MODE; repo: $REPO; snakemake: $("$SNAKEMAKE" --version)"
    rm -rf "$WORK"
    mkdir -p "$LOCAL_DIR" "$SLURM_DIR"
    # Tracked + untracked-but-not-ignored files: the repo as a fresh clone would see it,
    # without results/, .snakemake/, .venv/ or built references.
    FILELIST="$WORK/files.lst"
    if ! git -C "$REPO" ls-files -z --cached --others --exclude-standard >"$FILELIST" 2>/dev/null ||
        [[ ! -s $FILELIST ]]; then
        log "not a usable git checkout; copying $REPO without the usual generated directories"
        (cd "$REPO" && find . -mindepth 1 \
            \( -path ./.git -o -path ./.venv -o -path ./.snakemake -o -path ./results \
            -o -path ./logs -o -path ./resources/reference -o -path ./resources/index \
            -o -name __pycache__ -o -name '.*_cache' \) -prune \
            -o \( -type f -o -type l \) -print0) >"$FILELIST"
    fi
    for dest in "$LOCAL_DIR" "$SLURM_DIR"; do
        tar -C "$REPO" --null --no-recursion --ignore-failed-read -T "$FILELIST" -cf - 2>/dev/null |
            tar -C "$dest" -xf -
    done
    [[ -d $LOCAL_DIR/profiles/slurm ]] || die "copy of the repo lacks profiles/slurm"

    # ---------------------------------------------------------------- cluster
    STAGE="start cluster"
    "$HERE/start_cluster.sh"
    scontrol create partitionname="$TEST_PARTITION" nodes="$SLURM_NODE" default=no \
        maxtime=infinite state=up >/dev/null ||
        die "could not create partition $TEST_PARTITION"

    # ---------------------------------------------------------------- local run
    STAGE="local run"
    log "local run: snakemake --cores $CORES (log: $LOCAL_LOG)"
    t0=$(date +%s)
    run_bg "$LOCAL_DIR" "$LOCAL_LOG" \
        timeout --signal=INT --kill-after=60 "$TIMEOUT" \
        "$SNAKEMAKE" --cores "$CORES" --workflow-profile profiles/default \
        "${SNAKEFILE_ARGS[@]}" || die "local run failed (see $LOCAL_LOG)"
    LOCAL_SECS=$(($(date +%s) - t0))
    log "local run finished in ${LOCAL_SECS}s"

    # ---------------------------------------------------------------- slurm run
    STAGE="slurm run"
    log "slurm run: snakemake --workflow-profile profiles/slurm (log: $SLURM_LOG)"
    t0=$(date +%s)
    # - squeue instead of sacct: the test cluster has no accounting database.
    # - short first status check: jobs here take seconds, not hours.
    # - --retries 0: a job that fails once must fail the test (no silent retry).
    SBATCH_PARTITION="$TEST_PARTITION" SBATCH_ACCOUNT="$TEST_ACCOUNT" \
        run_bg "$SLURM_DIR" "$SLURM_LOG" \
        timeout --signal=INT --kill-after=120 "$TIMEOUT" \
        "$SNAKEMAKE" --workflow-profile profiles/slurm \
        --slurm-status-command squeue \
        --slurm-init-seconds-before-status-checks 5 \
        --latency-wait 10 --retries 0 \
        "${SNAKEFILE_ARGS[@]}" || die "slurm run failed (see $SLURM_LOG)"
    SLURM_SECS=$(($(date +%s) - t0))
    log "slurm run finished in ${SLURM_SECS}s"

    # ---------------------------------------------------------------- checks
    STAGE="check jobs went through Slurm with the declared resources"
    allowed_args=()
    [[ -n ${DRUGSIG_SLURM_ALLOWED_LOCAL+x} ]] &&
        allowed_args=(--allowed-local "$DRUGSIG_SLURM_ALLOWED_LOCAL")
    "$PYTHON" "$HERE/check_slurm_run.py" jobs "$SLURM_LOG" \
        --partition "$TEST_PARTITION" --account "$TEST_ACCOUNT" \
        --tsv "$WORK/slurm_jobs.tsv" "${allowed_args[@]}"
    n_logs=$(find "$SLURM_DIR/.snakemake/slurm_logs" -name '*.log' 2>/dev/null | wc -l)
    log "plugin kept $n_logs Slurm job logs under $SLURM_DIR/.snakemake/slurm_logs"

    STAGE="compare results (local vs slurm)"
    "$PYTHON" "$HERE/check_slurm_run.py" compare "$LOCAL_DIR" "$SLURM_DIR" "${COMPARE[@]}"

    STAGE="done"
    log "PASSED: local ${LOCAL_SECS}s, slurm ${SLURM_SECS}s; evidence table: $WORK/slurm_jobs.tsv"
}

main "$@"
