#!/bin/bash
# Regenerate patches/ from base..HEAD of build/linux. Stable output: zeroed
# From-line hashes, no signature, the cover letter's subject and text kept,
# its date taken from the last patch, its "Base:" line from the base found.
. "$(dirname "$0")/common.sh"

cd "$TREE"
git rev-parse -q --verify refs/tags/base >/dev/null || die "export: no build/linux, run make tree"
[ -z "$(git status --porcelain --untracked-files=no)" ] ||
	die "export: build/linux has uncommitted changes; commit them first"
n=$(git rev-list --count base..HEAD)
[ "$n" -gt 0 ] || die "export: no commits on top of base"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git -c core.abbrev=12 format-patch -q --cover-letter --zero-commit --no-signature \
	--subject-prefix=PATCH -o "$tmp" base..HEAD
base="Base: $(awk '/^Package:/ { p = $2 } /^Version:/ { v = $2 } END { printf "%s %s", p, v }' "$BUILD/base.pkg") (Linux $(make -s kernelversion))"
python3 - "$tmp" "$TOP/patches/0000-cover-letter.patch" "$base" <<'EOPY'
import glob, os, re, sys
tmp, old, base = sys.argv[1:4]
subject, blurb = "PCI: Preserve PCI devices across kexec Live Update", "(describe the series)\n"
if os.path.exists(old):
    text = open(old).read()
    m = re.search(r"^Subject: \[PATCH[^\]]*\] (.*(?:\n[ \t].*)*)", text, re.M)
    if m:
        subject = re.sub(r"\n[ \t]+", " ", m.group(1))
    body = text.split("\n\n", 1)[1]
    m = re.search(r"^\S.* \(\d+\):$", body, re.M)
    blurb = body[: m.start()] if m else body
    blurb = blurb.rstrip("\n") + "\n\n"
blurb = re.sub(r"^Base: .*\n", "", blurb, flags=re.M)
blurb = blurb.rstrip("\n") + "\n\n" + base + "\n\n"
cover = glob.glob(os.path.join(tmp, "0000-*"))[0]
patches = sorted(p for p in glob.glob(os.path.join(tmp, "0*.patch")) if p != cover)
date = re.search(r"^Date: .*$", open(patches[-1]).read(), re.M).group(0)
text = open(cover).read()
text = text.replace("*** SUBJECT HERE ***", subject, 1)
text = text.replace("*** BLURB HERE ***\n\n", blurb, 1)
text = re.sub(r"^Date: .*$", date, text, count=1, flags=re.M)
open(cover, "w").write(text)
EOPY
rm -f "$TOP"/patches/*.patch
mkdir -p "$TOP/patches"
mv "$tmp"/*.patch "$TOP/patches/"
hash=$(cat "$TOP"/patches/[0-9][0-9][0-9][0-9]-*.patch | sha256sum | cut -d' ' -f1)
echo "$hash $(git rev-parse HEAD)" >"$TREE/.git/pci-lu-series"
note "export: $n patches and a cover letter in patches/"
