#!/bin/sh
# make demo: boot the CXL guest and show the problem and the fix — code on the emulated CXL
# node runs thousands of times slower; one sweep moves just its text to DRAM while it runs.
# Prints the story (from the guest case sweep-demo) and draws build/demo/demo.png.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=$top/build/demo
mkdir -p "$out"

rc=0
"$here/run.sh" --case sweep-demo --append cxltest.demo=1 cxl >"$out/run.txt" 2>&1 || rc=$?
grep -v '^guest-cxl: ran in' "$out/run.txt"
[ $rc -eq 0 ] || exit $rc

console=$top/build/guest-cxl/console.txt
# Ticks: time since the first tick (s), ns per round. Sweep: start and end (s).
awk '/\[sweep-demo\] DEMO-TICK /   { split($3, t, "="); split($5, n, "=");
					if (t0 == "") t0 = t[2];
					printf "%.3f %s\n", (t[2] - t0) / 1000, n[2] }
     /\[sweep-demo\] DEMO-SWEEP / { split($3, s, "="); split($4, e, "=") ; sweep = s[2] " " e[2] }
     END { if (sweep != "") { split(sweep, se, " "); printf "%.3f %.3f\n", (se[1] - t0) / 1000, (se[2] - t0) / 1000 > "/dev/stderr" } }' \
	"$console" >"$out/ticks.dat" 2>"$out/sweep.dat"
[ -s "$out/ticks.dat" ] && [ -s "$out/sweep.dat" ] || {
	echo "demo: no DEMO-TICK/DEMO-SWEEP lines in $console"
	exit 1
}
read -r sweep_start sweep_end <"$out/sweep.dat"

if command -v gnuplot >/dev/null 2>&1; then
	gnuplot <<EOF2
set terminal pngcairo size 900,480 font ",11"
set output "$out/demo.png"
set title "Hot loop time per round: text on the emulated CXL node, then one cxlpolicy sweep"
set xlabel "seconds since the workload started its run"
set ylabel "ns per round (log scale)"
set logscale y
set grid ytics mytics
set key top right
set arrow from $sweep_start, graph 0 to $sweep_start, graph 1 nohead lc rgb "red" dt 2 lw 2
set label "sweep: text pages -> DRAM" at $sweep_end, graph 0.55 offset 1,0 tc rgb "red"
plot "$out/ticks.dat" using 1:2 with linespoints pt 7 ps 0.6 lc rgb "#1f77b4" title "time per round (100 ms ticks)"
EOF2
	echo "chart: ${out#"$top"/}/demo.png"
else
	echo "chart: gnuplot not installed (make deps installs gnuplot-nox); data in ${out#"$top"/}/ticks.dat"
fi
