#!/usr/bin/env bash
# Regenerates internal/debiandata/DIST-go.tsv and internal/debiandata/DIST-python3.tsv
# from each distribution's main Sources and Packages indexes: trixie (Debian 13,
# the latest stable) and bookworm (Debian 12, what Wazo installs on today).
# Only main is read (bookworm-backports, where bookworm's Go 1.23 comes from,
# is not in the index: a dependency must come from the distribution itself).
#
# The indexes are fetched with apt itself, in a private apt directory (no
# change to the host's apt configuration, no root needed for the lists):
#   scripts/refresh-debian-index.sh                  # fetch, then regenerate both
#   SUITES=bookworm scripts/refresh-debian-index.sh  # one distribution
#   LISTS=DIR SUITES=trixie scripts/refresh-debian-index.sh  # use already-fetched lists in DIR
# Output is sorted so a refresh shows up as a readable git diff.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/internal/debiandata
mirror=${MIRROR:-http://deb.debian.org/debian}

refresh() { # $1 = suite
suite=$1
case $suite in
  trixie) number=13 ;;
  bookworm) number=12 ;;
  *) echo "refresh-debian-index: unknown suite $suite (trixie or bookworm)" >&2; exit 2 ;;
esac
lists=${LISTS:-}
if [ -z "$lists" ]; then
  work=$top/.cache/debian-index/$suite
  mkdir -p "$work"/{lists/partial,cache/archives/partial,prefs}
  touch "$work/status"
  cat >"$work/sources.list" <<SRC
deb [arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main
SRC
  apt-get -q \
    -o Dir::Etc::SourceList="$work/sources.list" -o Dir::Etc::SourceParts=/dev/null \
    -o Dir::State::Lists="$work/lists" -o Dir::Cache="$work/cache" \
    -o Dir::State::status="$work/status" -o Dir::Etc::Preferences=/dev/null \
    -o Dir::Etc::PreferencesParts="$work/prefs" -o Debug::NoLocking=1 \
    -o APT::Get::List-Cleanup=0 update >&2
  lists=$work/lists
fi

# apt stores the indexes compressed (lz4/gz/xz); apt-helper cat-file reads any of them.
cat_index() { # $1 = glob suffix
  local f
  f=$(ls "$lists"/*_dists_"${suite}"_main_$1* 2>/dev/null | head -n1)
  [ -n "$f" ] || { echo "refresh-debian-index: no ${suite} main $1 index in $lists" >&2; exit 2; }
  /usr/lib/apt/apt-helper cat-file "$f"
}
release=$(sed -n 's/^Version: //p' "$lists"/*_dists_"${suite}"_InRelease | head -n1)
today=$(date -u +%F)

# Go: every Go-Import-Path of a source package (comma-separated list), its
# version, and the first -dev binary it builds.
{
  printf '# Go import paths packaged in Debian %s "%s" main (from the %s Sources index, %s release %s)\n' "$number" "$suite" "$suite" "$today" "$release"
  printf '# import_path\tsource_package\tdebian_version\tbinary_dev_package\n'
  cat_index source_Sources | awk -v OFS='\t' '
    function flush() {
      if (paths != "") {
        n = split(paths, p, /[ \t,]+/)
        for (i = 1; i <= n; i++) if (p[i] != "") print p[i], pkg, ver, (dev != "" ? dev : first)
      }
      pkg = ver = paths = dev = first = ""
    }
    /^$/ { flush(); next }
    /^Package: /        { pkg = $2 }
    /^Version: /        { ver = $2 }
    /^[^ ]/             { ingo = 0 }
    /^Go-Import-Path: / { sub(/^Go-Import-Path: */, ""); paths = $0; ingo = 1; next }
    /^ / && ingo        { paths = paths " " $0 }
    /^Binary: / {
      sub(/^Binary: */, ""); n = split($0, b, /[ ,]+/)
      first = b[1]
      for (i = 1; i <= n; i++) if (b[i] ~ /-dev$/) dev = b[i]
    }
    END { flush() }' | LC_ALL=C sort -u
} >"$out/$suite-go.tsv.new"

# Python: every python3-* binary package, its version and source package
# (the source name is usually the PyPI distribution name: pyyaml -> python3-yaml).
{
  printf '# python3-* binary packages in Debian %s "%s" main amd64 (from the %s Packages index, %s release %s)\n' "$number" "$suite" "$suite" "$today" "$release"
  printf '# binary_package\tsource_package\tdebian_version\n'
  cat_index binary-amd64_Packages | awk -v OFS='\t' '
    function flush() { if (pkg ~ /^python3-/) print pkg, (src != "" ? src : pkg), ver; pkg = src = ver = "" }
    /^$/ { flush(); next }
    /^Package: / { pkg = $2 }
    /^Version: / { ver = $2 }
    /^Source: /  { src = $2 }
    END { flush() }' | LC_ALL=C sort -u
} >"$out/$suite-python3.tsv.new"

for f in "$suite-go.tsv" "$suite-python3.tsv"; do
  lines=$(grep -vc '^#' "$out/$f.new" || true)
  [ "$lines" -gt 100 ] || { echo "refresh-debian-index: $f has only $lines rows, keeping the old file" >&2; rm -f "$out/$f.new"; exit 1; }
  mv "$out/$f.new" "$out/$f"
  echo "$f: $lines rows" >&2
done
}

for suite in ${SUITES:-trixie bookworm}; do
  refresh "$suite"
done
