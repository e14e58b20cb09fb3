#!/bin/sh
# run_fuzzers.sh - run the libFuzzer targets of a SOCKSTATE_FUZZ=ON build.
#
#   tests/fuzz/run_fuzzers.sh [--seconds S] [--jobs J] BUILD_DIR [TARGET...]
#
# Runs each TARGET (default: every fuzz_* program the build made) for S
# seconds (default 20), one after the other, J processes each (default 1).
# Seeds come from tests/fuzz/corpus/TARGET and tests/fuzz/regressions/
# TARGET (read only); what the fuzzer learns is kept in
# BUILD_DIR/fuzz-work/TARGET/corpus, so later runs in the same build go on
# from there. A crash, leak, timeout or broken invariant leaves its input in
# BUILD_DIR/fuzz-work/TARGET/ as crash-*, leak-*, timeout-* or oom-*, and
# the script fails. Prints one line per target: executions, runs/s,
# coverage, corpus size. Exit status: 0 no finding, 1 a finding, 2 usage.
#
# To keep a finding as a regression case (after fixing it):
#   cp BUILD_DIR/fuzz-work/TARGET/crash-* tests/fuzz/regressions/TARGET/
# To fold what a long run learned back into the seeds, keeping them small:
#   BUILD_DIR/tests/fuzz/fuzz_TARGET -merge=1 tests/fuzz/corpus/TARGET \
#       BUILD_DIR/fuzz-work/TARGET/corpus
set -eu

seconds=20
jobs=1
while [ $# -gt 0 ]; do
	case "$1" in
	--seconds) seconds=$2; shift 2 ;;
	--seconds=*) seconds=${1#--seconds=}; shift ;;
	--jobs) jobs=$2; shift 2 ;;
	--jobs=*) jobs=${1#--jobs=}; shift ;;
	-h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	--) shift; break ;;
	-*) echo "run_fuzzers.sh: $1: unknown option" >&2; exit 2 ;;
	*) break ;;
	esac
done
if [ $# -lt 1 ]; then
	echo "usage: run_fuzzers.sh [--seconds S] [--jobs J] BUILD_DIR [TARGET...]" >&2
	exit 2
fi
build=$(cd "$1" && pwd)
shift
src=$(cd "$(dirname "$0")" && pwd)
bindir=$build/tests/fuzz

if [ $# -eq 0 ]; then
	set --
	for f in "$bindir"/fuzz_*; do
		case "$f" in *fuzz_replay_*) continue ;; esac
		[ -x "$f" ] && set -- "$@" "${f##*/fuzz_}"
	done
fi
if [ $# -eq 0 ]; then
	echo "run_fuzzers.sh: no fuzz targets in $bindir (configure with" \
	     "-DCMAKE_C_COMPILER=clang -DSOCKSTATE_FUZZ=ON)" >&2
	exit 2
fi

status=0
summary=""
for name in "$@"; do
	fuzzer=$bindir/fuzz_$name
	work=$build/fuzz-work/$name
	if [ ! -x "$fuzzer" ]; then
		echo "run_fuzzers.sh: $fuzzer: not built" >&2
		exit 2
	fi
	mkdir -p "$work/corpus"
	log=$work/last-run.log
	dict=
	[ -f "$src/dict/$name.dict" ] && dict="-dict=$src/dict/$name.dict"
	seeds=$src/corpus/$name
	regressions=
	[ -d "$src/regressions/$name" ] && regressions=$src/regressions/$name
	echo "=== fuzz $name: $seconds s, $jobs job(s)"
	rc=0
	if [ "$jobs" -gt 1 ]; then
		# -fork keeps going after a finding in one job only if told:
		# stop at the first, as a single job does.
		ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
		"$fuzzer" -fork="$jobs" -max_total_time="$seconds" -timeout=10 \
			-rss_limit_mb=2048 -print_final_stats=1 \
			-artifact_prefix="$work/" $dict \
			"$work/corpus" "$seeds" $regressions >"$log" 2>&1 || rc=$?
	else
		ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
		"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
			-print_final_stats=1 -artifact_prefix="$work/" $dict \
			"$work/corpus" "$seeds" $regressions >"$log" 2>&1 || rc=$?
	fi
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	# "#123 DONE cov: 456 ft: 789 corp: 12/3456b ..." (or the last status line)
	cov=$(grep -E '^#[0-9]+' "$log" | tail -n 1 | sed -n 's/.* cov: \([0-9]*\).* corp: \([0-9]*\)\/.*/cov \1, corpus \2/p')
	if [ -z "$execs" ]; then
		# -fork prints totals on its own status lines
		execs=$(grep -E '^#[0-9]+' "$log" | tail -n 1 | sed 's/^#\([0-9]*\).*/\1/')
	fi
	line="$name: ${execs:-?} executions, ${rate:-?}/s, ${cov:-cov ?}"
	if [ $rc -ne 0 ] || ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* \
	                       "$work"/oom-* >/dev/null 2>&1; then
		line="$line: FINDING (exit $rc), see $log and $work/"
		status=1
		grep -E 'ERROR|invariant failed|SUMMARY|Test unit written' "$log" | head -n 20 >&2 || true
	fi
	echo "$line"
	summary="$summary$line
"
done
echo "=== fuzz summary"
printf '%s' "$summary"
exit $status
