#!/bin/bash
# make check: deps, tree, lint, bisect, kunit, selftest, in that order.
# Prints each stage's wall time and ends with "N passed, N failed, N skipped".
. "$(dirname "$0")/common.sh"

pass=0 failn=0 skipn=0
T0=$(date +%s)
times=()
stage() {	# stage <name> <script> [args]: run one stage, count it
	local name=$1 t1 rc=0
	shift
	t1=$(date +%s)
	echo
	note "stage $name"
	"$@" || rc=$?
	times+=("$(printf '%-9s %5d s  %s' "$name" $(( $(date +%s) - t1 )) "$([ $rc = 0 ] && echo ok || echo FAILED)")")
	return $rc
}
counted() {	# add "<p> passed, <f> failed[, <s> skipped]" from a totals file
	local p f s
	read -r p _ f _ s _ <"$1" || return 0
	pass=$((pass + p)) failn=$((failn + f)) skipn=$((skipn + ${s:-0}))
}
one() { if [ "$1" = 0 ]; then pass=$((pass + 1)); else failn=$((failn + 1)); fi; }

rc=0; stage deps "$TOP/scripts/deps.sh" || rc=$?; one $rc
rc=0; stage tree "$TOP/scripts/tree.sh" || rc=$?; one $rc
if [ $rc = 0 ]; then
	rc=0; stage lint "$TOP/scripts/lint.sh" || rc=$?; one $rc
	rc=0; stage bisect "$TOP/scripts/bisect.sh" || rc=$?; one $rc
	if [ $rc = 0 ]; then
		rm -f "$LOGS/kunit.totals" "$LOGS/selftest.totals"
		rc=0; stage kunit "$TOP/scripts/kunit.sh" || rc=$?
		if [ -f "$LOGS/kunit.totals" ]; then counted "$LOGS/kunit.totals"; else one 1; fi
		rc=0; stage selftest "$TOP/scripts/selftest.sh" || rc=$?
		if [ -f "$LOGS/selftest.totals" ]; then counted "$LOGS/selftest.totals"; else one 1; fi
		[ $rc = 0 ] || [ -f "$LOGS/selftest.totals" ] || true
	else
		echo "check: no kernel was built, kunit and selftest not run" >&2
		one 1; one 1
	fi
else
	echo "check: no kernel tree, nothing else can run" >&2
	one 1
fi
echo
note "stage wall times (logs in $LOGS)"
printf '    %s\n' "${times[@]}"
echo "    total     $(( $(date +%s) - T0 )) s"
echo "$pass passed, $failn failed, $skipn skipped"
[ $failn = 0 ]
