#!/usr/bin/env bash
# Builds the Debian package osapi_<version>_all.deb: the osapi command, the shaded jar, the
# systemd units osapi-controller.service and osapi-worker.service, and an example configuration.
# Uses only dpkg-deb (no root needed: files are owned by root in the package).
#
#   scripts/package.sh                  build the jar with the Maven wrapper when missing or
#                                       stale, then the package into target/
#   scripts/package.sh --no-build       package the jar as it is
#   scripts/package.sh --jar FILE --out DIR
#
# Prints the path of the .deb on its last line. Package files are in packaging/deb/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jar="$root/osapi-app/target/osapi-app.jar"
out="$root/target"
build=1

while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=0 ;;
    --jar) jar=$(readlink -f "$2"); build=0; shift ;;
    --out) out=$2; shift ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "package.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

command -v dpkg-deb >/dev/null 2>&1 || {
  echo "package.sh: dpkg-deb is missing: apt-get install dpkg" >&2; exit 1; }

if [ "$build" = 1 ]; then
  if [ ! -f "$jar" ] || [ -n "$(find "$root" -path '*/src/main/*' -newer "$jar" -print -quit)" ] \
      || [ "$root/pom.xml" -nt "$jar" ]; then
    echo "package.sh: building $jar ..." >&2
    (cd "$root" && ./mvnw -B -q package -DskipTests -Dit.skip=true) >&2
  fi
fi
[ -f "$jar" ] || { echo "package.sh: $jar is missing" >&2; exit 1; }

# The version the jar reports (osapi-app 0.1.0-SNAPSHOT); Debian spells a pre-release with ~
# so that 0.1.0~SNAPSHOT sorts before 0.1.0.
java=java
[ -n "${JAVA_HOME:-}" ] && java="$JAVA_HOME/bin/java"
upstream=$("$java" -jar "$jar" --version | sed -n 's/^osapi-app //p' | head -1)
[ -n "$upstream" ] || { echo "package.sh: cannot read the version from $jar" >&2; exit 1; }
version=${upstream//-/\~}

src="$root/packaging/deb"
mkdir -p "$out"
stage=$(mktemp -d "${TMPDIR:-/tmp}/osapi-deb.XXXXXX")
trap 'rm -rf "$stage"' EXIT
umask 022

cp -R "$src/root/." "$stage/"
install -D -m 0644 "$jar" "$stage/usr/share/osapi/osapi-app.jar"
install -D -m 0644 "$src/copyright" "$stage/usr/share/doc/osapi/copyright"
gzip -9n "$stage/usr/share/man/man1/osapi.1"
gzip -9n -c "$root/docs/operations.md" > "$stage/usr/share/doc/osapi/operations.md.gz"
# A native package's changelog: one entry for this build.
{
  echo "osapi ($version) unstable; urgency=medium"
  echo
  echo "  * Package built from osapi $upstream${GIT_COMMIT:+ ($GIT_COMMIT)}."
  echo
  echo " -- osapi maintainers <maintainers@users.noreply.b-seed-01ae2a90.example>  $(date -R -d "@${SOURCE_DATE_EPOCH:-$(date +%s)}")"
} | gzip -9n > "$stage/usr/share/doc/osapi/changelog.gz"

# Modes from here, not from the checkout: directories and the command 0755, the rest 0644.
find "$stage" -type d -exec chmod 0755 {} +
find "$stage" -type f -exec chmod 0644 {} +
chmod 0755 "$stage/usr/bin/osapi"

mkdir -p "$stage/DEBIAN"
size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@SIZE@/$size/" "$src/DEBIAN/control.in" \
  > "$stage/DEBIAN/control"
install -m 0644 "$src/DEBIAN/conffiles" "$stage/DEBIAN/conffiles"
for s in postinst prerm postrm; do
  install -m 0755 "$src/DEBIAN/$s" "$stage/DEBIAN/$s"
done
(cd "$stage" && find . -path ./DEBIAN -prune -o -type f ! -path './etc/*' -printf '%P\0' \
  | sort -z | xargs -0 md5sum) > "$stage/DEBIAN/md5sums"
chmod 0644 "$stage/DEBIAN/md5sums"

deb="$out/osapi_${version}_all.deb"
# The jar is compressed already: gzip is as small as xz here, and much faster.
dpkg-deb --root-owner-group -Zgzip --build "$stage" "$deb" >&2
echo "$deb"
