#!/bin/bash
# Lint the series: checkpatch --strict on every patch, kernel-doc on the
# files it touches, the PCI htmldocs, and sparse (C=2) and W=1 on the
# objects it touches. Only findings in the series' own lines count.
. "$(dirname "$0")/common.sh"

cd "$TREE"
fail=0
# A clean result stands while its inputs are the same: the patches, the
# tree they were applied to, the configurations and these scripts. Any
# change to one of them, or LINT_CACHE=0, runs every check again.
key=$( (cat "$TOP"/patches/*.patch "$TOP"/configs/* "$TOP"/scripts/lint.sh \
	"$TOP"/scripts/common.sh "$TOP"/scripts/kernel.sh "$TOP"/scripts/sparse.sh \
	"$TOP"/scripts/series-lines.py; git rev-parse HEAD^{tree}) | sha256sum | cut -c1-16)
okfile=$BUILD/lint.ok
if [ "${LINT_CACHE:-1}" != 0 ] && [ -f "$okfile" ] && grep -qxF "$key" "$okfile"; then
	note "lint: clean, as the last run on these same inputs (key $key; LINT_CACHE=0 runs it again)"
	exit 0
fi
rm -f "$okfile"
problem() { echo "LINT: $*" >&2; fail=1; }

# 1. checkpatch.pl --strict on every patch file.
ignore=$(grep -v '^#' "$TOP/configs/checkpatch.ignore" | awk 'NF { printf "%s%s", s, $1; s = "," }')
npatch=0
for p in "$TOP"/patches/[0-9][0-9][0-9][0-9]-*.patch; do
	[ -e "$p" ] || continue
	case $p in */0000-*) continue ;; esac
	npatch=$((npatch + 1))
	out=$(perl scripts/checkpatch.pl --strict --terse --no-summary --show-types \
		${ignore:+--ignore "$ignore"} "$p" 2>&1 || true)
	if [ -n "$out" ]; then
		problem "checkpatch: $(basename "$p"):"
		echo "$out" | sed 's/^/    /' >&2
	fi
done
note "lint: checkpatch --strict on $npatch patches"

changed=$(git diff --name-only --diff-filter=AM base..HEAD)
# 2. kernel-doc -Wall on the C files the series adds or changes: a warning
# counts when it is not also reported for the base version of the file.
kd=0
for f in $changed; do
	case $f in *.c | *.h) ;; *) continue ;; esac
	new=$(perl scripts/kernel-doc -none -Wall "$f" 2>&1 | sed -E 's/:[0-9]+(:| )/:\1/' | sort -u)
	old=
	if git cat-file -e "base:$f" 2>/dev/null; then
		mkdir -p "$BUILD/kdoc-base/$(dirname "$f")"
		git show "base:$f" >"$BUILD/kdoc-base/$f"
		old=$(cd "$BUILD/kdoc-base" && perl "$TREE/scripts/kernel-doc" -none -Wall "$f" 2>&1 |
			sed -E 's/:[0-9]+(:| )/:\1/' | sort -u || true)
	fi
	extra=$(comm -23 <(echo "$new") <(echo "$old") | sed '/^$/d')
	kd=$((kd + 1))
	[ -z "$extra" ] || { problem "kernel-doc: $f:"; echo "$extra" | sed 's/^/    /' >&2; }
done
note "lint: kernel-doc -Wall on $kd files"

# 3. htmldocs of every book the series touches (Documentation/<book>/...;
#    the ABI files are rendered by admin-guide): no warning from the series'
#    documents or from the sources their kernel-doc directives read.
if echo "$changed" | grep -q '^Documentation/'; then
	docs=$BUILD/docs
	mkdir -p "$docs"
	books=$(echo "$changed" | sed -n 's|^Documentation/\([^/]*\)/.*|\1|p' |
		sed 's/^ABI$/admin-guide/' | sort -u | tr '\n' ' ')
	make -s O="$docs" SPHINXDIRS="$books" htmldocs >"$LOGS/htmldocs.log" 2>&1 ||
		problem "htmldocs failed, see $LOGS/htmldocs.log"
	# Books built apart cannot resolve references into each other: a
	# reference to a document that exists in the tree is not a warning
	real_doc_warnings() {
		local line doc
		while IFS= read -r line; do
			doc=$(echo "$line" | sed -n "s/.*\(unknown\|nonexisting\) document:\{0,1\} '\/\{0,1\}\([^']*\)'.*/\2/p")
			if [ -n "$doc" ] && { [ -f "$TREE/Documentation/$doc.rst" ] ||
			     [ -f "$TREE/Documentation/$doc" ]; }; then
				continue
			fi
			echo "$line"
		done
	}
	docfiles=$(echo "$changed" | grep -E '^(Documentation/|include/|drivers/|kernel/)' || true)
	for f in $docfiles; do
		grep -F "$f" "$LOGS/htmldocs.log" | grep -iE 'warning|error' | real_doc_warnings |
			grep . >&2 && problem "htmldocs: warnings from $f"
	done
	note "lint: htmldocs SPHINXDIRS=\"$books\""
fi

# 4. sparse and W=1 on the objects built from the C files the series touches.
objs=
for f in $changed; do
	case $f in *.c) objs="$objs ${f%.c}.o" ;; esac
done
if [ -n "$objs" ]; then
	obj=$BUILD/kernel-debug
	mkdir -p "$obj"
	"$TOP/scripts/kernel.sh" debug prepare >/dev/null
	built=
	for o in $objs; do
		# Only objects the configuration builds: named in their Makefile,
		# on a line whose option, if any, is set.
		d=$(dirname "$o") b=$(basename "$o" .o)
		line=$(grep -E "\b$b\.o\b" "$TREE/$d/Makefile" 2>/dev/null | head -n1) || continue
		sym=$(echo "$line" | grep -oE 'CONFIG_[A-Z0-9_]+' | head -n1 || true)
		if [ -n "$sym" ] && ! grep -qE "^$sym=[ym]" "$obj/.config"; then
			continue
		fi
		built="$built $o"
	done
	sparse=$("$TOP/scripts/sparse.sh") || problem "no usable sparse"
	kmake "$obj" -k C=2 W=1 CHECK="$sparse" $built >"$LOGS/sparse.log" 2>&1 || problem "sparse/W=1 build failed, see $LOGS/sparse.log"
	python3 "$TOP/scripts/series-lines.py" "$TREE" "$LOGS/sparse.log" >"$LOGS/sparse.series" || true
	if [ -s "$LOGS/sparse.series" ]; then
		problem "sparse/W=1 warnings in the series' lines:"
		sed 's/^/    /' "$LOGS/sparse.series" >&2
	fi
	note "lint: sparse and W=1 on$built"
fi
[ $fail = 0 ] || die "lint failed"
echo "$key" >"$okfile"
note "lint: clean"
