/**
 * The fixed shell programs of a build. Each runs as `sh -c PROGRAM sh ARG…`: user data (paths,
 * package names, globs) reach it only as positional parameters, never as program text, so no
 * recipe value is ever parsed by a shell. The programs are constants; tests run them.
 */
import { LABEL_UPDATES_APPLIED } from '../engine/labels';
import { ROOTFS_COMPANIONS } from './rootfsCache';

const ROOTFS_COMPANION_NAMES = ROOTFS_COMPANIONS.join(' ');

/** An awk program: prints the mount points at or under ENVIRON["R"], deepest first after `sort -r`. */
const MOUNTS_UNDER_AWK = String.raw`
function unescape(s,   out, i, c) {
  out = ""
  for (i = 1; i <= length(s); i++) {
    c = substr(s, i, 1)
    if (c == "\\" && substr(s, i + 1, 3) ~ /^[0-7][0-7][0-7]$/) {
      out = out sprintf("%c", substr(s, i + 1, 1) * 64 + substr(s, i + 2, 1) * 8 + substr(s, i + 3, 1))
      i += 3
    } else out = out c
  }
  return out
}
BEGIN { r = ENVIRON["R"] }
{ m = unescape($5); if (m == r || index(m, r "/") == 1) print m }`;

/** Binds /dev, /run, the host's resolv.conf and a fresh /proc into "$r" (the caller's mount namespace is private). */
const CHROOT_MOUNTS = `mount --bind /dev "$r/dev"
mkdir -p "$r/run"
mount --bind /run "$r/run"
mount -t proc proc "$r/proc"
if [ -f /etc/resolv.conf ] && [ ! -L "$r/etc/resolv.conf" ]; then
  [ -e "$r/etc/resolv.conf" ] || : > "$r/etc/resolv.conf"
  mount --bind /etc/resolv.conf "$r/etc/resolv.conf"
fi`;

/**
 * `sh -c CHROOT_RUN sh ROOTFS CMD ARG…`, itself run under `unshare --mount --propagation private`:
 * binds /dev, /run, the host's resolv.conf and a fresh /proc into ROOTFS and runs CMD in the
 * chroot. The mounts live in the private namespace and vanish with it, even on SIGKILL.
 */
export const CHROOT_RUN = `set -eu
r=$1; shift
${CHROOT_MOUNTS}
exec chroot "$r" "$@"`;

/** Where UPGRADE leaves the number of packages it upgraded: next to the rootfs, never in the image. */
export const updatesCountFile = (rootfs: string): string => `${rootfs}.updates-applied`;

/**
 * On the host, under `unshare --mount --propagation private`: `sh -c UPGRADE sh ROOTFS COUNT CACHE
 * SOURCES` (CACHE may be empty). Points the chroot's apt at SOURCES (one-line: the release, its
 * updates and security suites, on the mirrors the build uses), seeds apt's lists from the cache so
 * apt fetches only what changed since, upgrades from the archives' own indices (installing a new
 * package only when an upgrade needs it, removing none; no service starts) and writes to COUNT how
 * many packages changed version.
 */
export const UPGRADE = `set -eu
r=$1 n=$2 c=$3 src=$4
rm -f -- "$r"/etc/apt/sources.list.d/*.list "$r"/etc/apt/sources.list.d/*.sources
printf '%s' "$src" > "$r/etc/apt/sources.list"
if [ -n "$c" ] && [ -d "$c/lists" ]; then
  mkdir -p "$r/var/lib/apt/lists"
  for l in "$c"/lists/*; do
    if [ -f "$l" ] && [ ! -e "$r/var/lib/apt/lists/\${l##*/}" ]; then cp -p -- "$l" "$r/var/lib/apt/lists/"; fi
  done
fi
${CHROOT_MOUNTS}
printf '#!/bin/sh\\n# ownbase: no service starts while the image is built\\nexit 101\\n' > "$r/usr/sbin/policy-rc.d"
chmod 755 "$r/usr/sbin/policy-rc.d"
trap 'rm -f -- "$r/usr/sbin/policy-rc.d" "$n.before" "$n.after"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
versions() { chroot "$r" dpkg-query -W -f '\${Package}:\${Architecture} \${Version}\\n' | LC_ALL=C sort; }
chroot "$r" apt-get -o Acquire::Languages=none update
versions > "$n.before"
chroot "$r" apt-get -y -o Dpkg::Options::=--force-unsafe-io -o Dpkg::Options::=--force-confold --with-new-pkgs upgrade
versions > "$n.after"
count=$(LC_ALL=C comm -13 "$n.before" "$n.after" | wc -l)
echo "$count" > "$n"
echo "upgraded $count packages from the updates and security suites"`;

/**
 * Inside the chroot: `sh -c INSTALL sh PACKAGE…`. A policy-rc.d forbids starting services while
 * apt installs the packages without recommends.
 */
export const INSTALL = `set -eu
cat > /usr/sbin/policy-rc.d <<'EOF'
#!/bin/sh
# ownbase: no service starts while the image is built
exit 101
EOF
chmod 755 /usr/sbin/policy-rc.d
trap 'rm -f /usr/sbin/policy-rc.d' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
apt-get update
apt-get install -y --no-install-recommends "$@"`;

/** dpkg path filters of the official slim images, written into the image so later installs stay slim. */
export const SLIM_DPKG_CFG = `# Written by ownbase, as the official slim images do: a container needs no documentation,
# man pages or translations, and later apt-get installs stay slim too. Delete this file to get them.
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
# Beyond the official slim images: converters for legacy charsets (EBCDIC, ISO-2022, Big5, …). The Unicode
# ones, Latin-1/9 and Windows-1252 stay; glibc does UTF-8 and ASCII itself.
path-exclude /usr/lib/*/gconv/*.so
path-include /usr/lib/*/gconv/UTF-*.so
path-include /usr/lib/*/gconv/UNICODE.so
path-include /usr/lib/*/gconv/ISO8859-1.so
path-include /usr/lib/*/gconv/ISO8859-15.so
path-include /usr/lib/*/gconv/CP1252.so
`;

/** Where SLIM writes SLIM_DPKG_CFG inside the image. */
export const SLIM_DPKG_CFG_PATH = '/etc/dpkg/dpkg.cfg.d/ownbase-slim';

/**
 * Inside the chroot: `sh -c SLIM sh PACKAGE…` (the recipe's packages). Applies the slim filters to what is
 * installed already, purges the filesystem tools the bootstrap brings (unless the recipe asks for them: a
 * container never makes or repairs a filesystem), and drops apt's lists and caches, old dpkg/debconf backups
 * and the build's logs.
 */
export const SLIM = `set -eu
mkdir -p /etc/dpkg/dpkg.cfg.d
cat > ${SLIM_DPKG_CFG_PATH} <<'EOF'
${SLIM_DPKG_CFG}EOF
if [ -d /usr/share/doc ]; then
  find /usr/share/doc -mindepth 1 ! -type d ! -path '/usr/share/doc/*/copyright' -delete
  find /usr/share/doc -mindepth 1 -depth -type d -empty -delete
fi
for d in /usr/share/man /usr/share/groff /usr/share/info /usr/share/lintian /usr/share/linda; do
  if [ -d "$d" ]; then find "$d" -mindepth 1 -delete; fi
done
if [ -d /usr/share/locale ]; then
  find /usr/share/locale -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
fi
find /usr/lib -path '/usr/lib/*/gconv/*.so' -type f ! -name 'UTF-*.so' ! -name UNICODE.so ! -name ISO8859-1.so \\
  ! -name ISO8859-15.so ! -name CP1252.so -delete
wanted=no
for p do case $p in e2fsprogs|e2fsprogs[=:]*) wanted=yes ;; esac; done
if [ $wanted = no ]; then
  purge=
  for p in e2fsprogs logsave libss2 libext2fs2; do
    if dpkg-query -W -f='\${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed; then purge="$purge $p"; fi
  done
  if [ -n "$purge" ]; then
    dpkg --purge $purge >/dev/null || echo "ownbase: slim: kept$purge: another package needs them" >&2
  fi
fi
rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*
rm -f /var/cache/debconf/*-old /var/lib/dpkg/*-old
if [ -d /var/log ]; then find /var/log -type f -delete; fi`;

/**
 * Inside the chroot: `sh -c REMOVE sh GLOB…`. Each glob is expanded by the chroot's own shell, so
 * neither `..` nor a symlink can lead outside the rootfs; IFS is empty so only pathname expansion
 * applies, never word splitting or any other expansion of the glob's text.
 */
export const REMOVE = `set -eu
IFS=''
for pattern do
  case $pattern in
    /*) ;;
    *) echo "ownbase: remove: $pattern is not an absolute path" >&2; exit 2 ;;
  esac
  for path in $pattern; do
    if [ -e "$path" ] || [ -L "$path" ]; then rm -rf -- "$path"; fi
  done
done`;

/**
 * On the host: `sh -c CACHE_SAVE sh ROOTFS CACHE SUITE ARCH VARIANT`. Keeps the .debs the build
 * downloaded in CACHE/pool and makes CACHE a local apt repository of them (dists/SUITE/main) whose
 * Packages stanzas are the archive's own (dpkg-scanpackages would lose the archive's priorities and
 * with them apt and its dependencies; X-Archive-Filename keeps the archive's path, for a lock); the update and security suites' packages go in with the
 * release's, so the repository may hold several versions of a package. Also keeps the apt sources
 * the bootstrap tool wrote, the archives' indices (apt lists: the next upgrade fetches only what
 * changed since, but always asks the archives, so the cache never decides which version is
 * newest), and the variants (package sets) it holds completely.
 */
export const CACHE_SAVE = `set -eu
r=$1 c=$2 suite=$3 arch=$4 variant=$5
mkdir -p "$c/pool" "$c/dists/$suite/main/binary-$arch"
exec 9>"$c/.lock"
flock 9
# New .debs are copied beside the pool, then renamed into it: a seeding build never sees half a file. Few processes: on a
# 2-core machine each costs milliseconds, and a warm build that downloaded nothing runs none of the index work below.
t=$c/.incoming-$$
rm -rf -- "$t"; mkdir -- "$t"
set --
for f in "$r"/var/cache/apt/archives/*.deb; do
  [ -f "$f" ] || continue
  b=\${f##*/}
  # The pool drops the epoch (\`1%3a2.0\` → \`2.0\`): only an epoch puts a colon in a Debian version.
  case $b in *%3a*) b=\${b%%_*}_\${b#*%3a} ;; esac
  [ ! -e "$c/pool/$b" ] || continue
  if [ "$b" = "\${f##*/}" ]; then set -- "$@" "$f"; else cp -p -- "$f" "$t/$b"; fi
done
[ $# -eq 0 ] || cp -p -- "$@" "$t/"
set -- "$t"/*.deb
new=0; [ -e "$1" ] && new=$#
# .reindex: the pool changed and the index below has not caught up yet (it survives a build killed in between).
if [ "$new" -gt 0 ]; then : > "$c/.reindex"; mv -- "$@" "$c/pool/"; fi
rmdir -- "$t"
p="$c/dists/$suite/main/binary-$arch/Packages"
if [ -e "$c/.reindex" ] || [ ! -s "$p" ]; then
[ -e "$p" ] || : > "$p"
ls -- "$c/pool" > "$c/.pool"
set -- "$p"
for l in "$r"/var/lib/apt/lists/*_Packages; do [ -f "$l" ] && set -- "$@" "$l"; done
awk -v pool="$c/.pool" '
BEGIN { while ((getline f < pool) > 0) have[f] = 1; RS = ""; FS = "\\n" }
{
  pkg = ""; ver = ""; ar = ""; fn = ""; orig = ""
  for (i = 1; i <= NF; i++) {
    if ($i ~ /^Package: /) pkg = substr($i, 10)
    else if ($i ~ /^Version: /) ver = substr($i, 10)
    else if ($i ~ /^Architecture: /) ar = substr($i, 15)
    else if ($i ~ /^Filename: /) fn = substr($i, 11)
    else if ($i ~ /^X-Archive-Filename: /) orig = substr($i, 21)
  }
  sub(/^[0-9]+:/, "", ver)
  deb = pkg "_" ver "_" ar ".deb"
  if (!(deb in have) || (deb in done)) next
  done[deb] = 1
  if (orig == "" && fn != "pool/" deb) orig = fn
  for (i = 1; i <= NF; i++) {
    if ($i ~ /^X-Archive-Filename: /) continue
    print ($i ~ /^Filename: / ? "Filename: pool/" deb (orig != "" ? "\\nX-Archive-Filename: " orig : "") : $i)
  }
  print ""
}' "$@" > "$p.new"
mv -- "$p.new" "$p"
rm -f -- "$c/.pool"
sum=$(sha256sum < "$p"); size=$(wc -c < "$p")
{
  echo "Origin: ownbase"
  echo "Label: ownbase cache of downloaded packages"
  echo "Suite: $suite"
  echo "Codename: $suite"
  echo "Date: $(LC_ALL=C date -u -R)"
  echo "Architectures: $arch"
  echo "Components: main"
  echo "SHA256:"
  echo " \${sum%% *} $size main/binary-$arch/Packages"
} > "$c/dists/$suite/Release.new"
mv -- "$c/dists/$suite/Release.new" "$c/dists/$suite/Release"
rm -f -- "$c/.reindex"
fi
if [ -f "$r/etc/apt/sources.list" ]; then cp -- "$r/etc/apt/sources.list" "$c/sources.list"; fi
# The archives' indices, for the next build's apt-get update to ask only what changed: copied beside, renamed in.
mkdir -p "$c/lists" "$t"
set --
for l in "$r"/var/lib/apt/lists/*; do
  case \${l##*/} in lock|_*) continue ;; esac
  [ -f "$l" ] && set -- "$@" "$l"
done
if [ $# -gt 0 ]; then cp -p -- "$@" "$t/" && mv -- "$t"/* "$c/lists/"; fi
rmdir -- "$t"
grep -qx -- "$variant" "$c/variants" 2>/dev/null || echo "$variant" >> "$c/variants"
echo "cached $(grep -c '^Package: ' "$p") packages in $c"`;

/** The environment variable that names the package cache to SEED_CACHE (a hook's program text holds no data). */
export const SEED_CACHE_ENV = 'OWNBASE_SEED_CACHE';

/**
 * An mmdebstrap --setup-hook (`$1` the rootfs; the cache CACHE_SAVE wrote in $OWNBASE_SEED_CACHE): copies the
 * archives' indices the cache kept into apt's lists (apt-get update then asks the archives only what changed since)
 * and every cached .deb into /var/cache/apt/archives under the name apt gives it (the pool drops the epoch's `%3a`,
 * the Packages stanza has it). apt takes a file there whose name and size match the version the archives make newest
 * instead of downloading it; the archives, not the cache, decide every version.
 */
export const SEED_CACHE = `set -eu
r=$1 c=\${${SEED_CACHE_ENV}:?} a=$1/var/cache/apt/archives
mkdir -p "$r/var/lib/apt/lists/partial" "$a/partial"
# One cp each for the lists and for the .debs whose pool name is apt's: on a 2-core machine a process costs milliseconds.
set --
for l in "$c"/lists/*; do [ -f "$l" ] && set -- "$@" "$l"; done
[ $# -eq 0 ] || cp -p -- "$@" "$r/var/lib/apt/lists/"
for p in "$c"/dists/*/main/binary-*/Packages; do
  [ -f "$p" ] || continue
  awk 'BEGIN { RS = ""; FS = "\\n" }
  {
    pkg = ""; ver = ""; ar = ""; fn = ""
    for (i = 1; i <= NF; i++) {
      if ($i ~ /^Package: /) pkg = substr($i, 10)
      else if ($i ~ /^Version: /) ver = substr($i, 10)
      else if ($i ~ /^Architecture: /) ar = substr($i, 15)
      else if ($i ~ /^Filename: /) fn = substr($i, 11)
    }
    gsub(/:/, "%3a", ver)
    if (fn ~ /^pool\\/[^\\/ ]+\\.deb$/) print fn, pkg "_" ver "_" ar ".deb"
  }' "$p"
done | sort -u > "$a/.ownbase-seed"
set --
while read -r f n; do
  [ -f "$c/$f" ] && [ ! -e "$a/$n" ] || continue
  if [ "\${f##*/}" = "$n" ]; then set -- "$@" "$c/$f"; else cp -- "$c/$f" "$a/$n"; fi
done < "$a/.ownbase-seed"
rm -f -- "$a/.ownbase-seed"
[ $# -eq 0 ] || cp -- "$@" "$a/"
echo "ownbase: seeded $(ls -- "$r/var/lib/apt/lists" | grep -c _) apt lists and $(ls -- "$r/var/cache/apt/archives" | grep -c '\\.deb$') .debs from $c"`;

/**
 * On the host: `sh -c COUNT_UPDATES sh ROOTFS COUNT SUITE COMPONENT…`, after mmdebstrap installed the newest versions
 * of the release and its update suites in one run. Writes to COUNT how many installed packages are not at a version
 * the release SUITE lists (apt's lists of SUITE's COMPONENTs, still in the rootfs): what the updates and security
 * suites brought, the number an upgrade of the release would have changed.
 */
export const COUNT_UPDATES = `set -eu
r=$1 n=$2 suite=$3; shift 3
for c do
  for l in "$r"/var/lib/apt/lists/*_dists_"$suite"_"$c"_binary-*_Packages; do
    if [ -f "$l" ]; then set -- "$@" "$l"; fi
  done
  shift
done
rm -f -- "$n"
if [ $# = 0 ]; then echo "ownbase: no index of $suite in the rootfs: the updates are applied but not counted" >&2; exit 0; fi
trap 'rm -f -- "$n.release" "$n.installed"' EXIT
awk '/^Package: /{p = $2} /^Version: /{print p " " $2}' "$@" | LC_ALL=C sort -u > "$n.release"
dpkg-query --admindir="$r/var/lib/dpkg" -W -f '\${db:Status-Status} \${Package} \${Version}\\n' | awk '$1 == "installed" {print $2 " " $3}' | LC_ALL=C sort -u > "$n.installed"
count=$(LC_ALL=C comm -13 "$n.release" "$n.installed" | wc -l)
echo "$count" > "$n"
echo "$count packages from the updates and security suites"`;

/** Where SOURCE_DATE leaves the build's SOURCE_DATE_EPOCH: next to the rootfs, never in the image. */
export const sourceDateFile = (rootfs: string): string => `${rootfs}.source-date-epoch`;

/**
 * On the host: `sh -c SOURCE_DATE sh ROOTFS FILE SUITE CACHE RELEASE` (CACHE and RELEASE may be empty). Writes to FILE the
 * SOURCE_DATE_EPOCH of a build without a lock: the newest `Date:` of the archives' Release files apt holds in
 * the rootfs (the release, its updates and security suites, as the upgrade fetched them); the cache's own
 * repository (Origin: ownbase) dates only itself and is skipped. A warm build without an upgrade holds none:
 * then the release's Release file kept in CACHE/lists gives it. Two builds against the same archive state get
 * the same date, so the same image `created` and clamped mtimes. RELEASE, when named, gets the release's own
 * Release file's `Date:` and SHA-256 (what a lock records).
 */
export const SOURCE_DATE = `set -eu
r=$1 f=$2 suite=$3 c=$4 rel=$5
latest=0
if [ -n "$rel" ]; then
  rm -f -- "$rel"
  for l in "$r"/var/lib/apt/lists/*Release "$c"/lists/*Release; do
    [ -f "$l" ] || continue
    if grep -q '^Origin: ownbase$' "$l" || ! grep -qx "Codename: $suite" "$l"; then continue; fi
    printf '%s\t%s\n' "$(sed -n 's/^Date: //p' "$l" | head -n 1)" "$(sha256sum < "$l" | cut -d ' ' -f 1)" > "$rel"
    break
  done
fi
newest() {
  for l do
    [ -f "$l" ] || continue
    if grep -q '^Origin: ownbase$' "$l"; then continue; fi
    if [ -n "$only" ] && ! grep -qx "Codename: $only" "$l"; then continue; fi
    d=$(sed -n 's/^Date: //p' "$l" | head -n 1)
    [ -n "$d" ] || continue
    s=$(LC_ALL=C date -u -d "$d" +%s)
    if [ "$s" -gt "$latest" ]; then latest=$s; fi
  done
}
only=
newest "$r"/var/lib/apt/lists/*Release
if [ "$latest" = 0 ] && [ -n "$c" ]; then only=$suite; newest "$c"/lists/*Release; fi
rm -f -- "$f"
if [ "$latest" = 0 ]; then echo "ownbase: no archive Release date found: the image's time is the build's (not reproducible)" >&2; exit 0; fi
echo "$latest" > "$f"
echo "SOURCE_DATE_EPOCH=$latest ($(LC_ALL=C date -u -d "@$latest" '+%Y-%m-%d %H:%M:%S UTC'), the archive's Release date)"`;

/** Where RECORD_PACKAGES leaves the installed packages, and SOURCE_DATE the release's date and hash: beside the rootfs. */
export const packagesRecordFile = (rootfs: string): string => `${rootfs}.packages`;
export const releaseRecordFile = (rootfs: string): string => `${rootfs}.release`;

/**
 * On the host: `sh -c RECORD_PACKAGES sh ROOTFS FILE`. Writes what dpkg installed in ROOTFS (status, name,
 * version, architecture, source; tab-separated) to FILE, before the slim step purges anything: a lock lists
 * what the bootstrap installs, so a build from the lock takes the same path.
 */
export const RECORD_PACKAGES = `set -eu
dpkg-query --admindir="$1/var/lib/dpkg" -W -f '\${db:Status-Status}\t\${Package}\t\${Version}\t\${Architecture}\t\${source:Package}\n' > "$2"
echo "recorded $(grep -c '^installed' "$2") installed packages"`;

/**
 * On the host: `sh -c FINALIZE sh ROOTFS CACHE QEMU SOURCES-PATH SOURCES` (all but ROOTFS may be
 * empty). Removes what only the build needed: the host's resolv.conf and hostname, the emulator
 * copied in for the second stage, the empty folders the file-mirror hook left after a warm build;
 * and writes the image's apt sources (SOURCES at SOURCES-PATH, replacing the build's), or, when the
 * plan knows none, restores the apt sources the cache kept.
 */
export const FINALIZE = `set -eu
r=$1 c=$2 q=$3 sp=$4 st=$5
rm -f -- "$r/etc/resolv.conf" "$r/etc/hostname"
if [ -n "$q" ]; then rm -f -- "$r$q"; fi
if [ -n "$sp" ]; then
  rm -f -- "$r/etc/apt/sources.list" "$r"/etc/apt/sources.list.d/*.list "$r"/etc/apt/sources.list.d/*.sources
  mkdir -p -- "$r\${sp%/*}"
  printf '%s' "$st" > "$r$sp"
elif [ -n "$c" ] && [ -f "$c/sources.list" ]; then
  cp -- "$c/sources.list" "$r/etc/apt/sources.list"
fi
if [ -n "$c" ]; then
  (cd "$r" && rmdir -p --ignore-fail-on-non-empty -- ".$c") 2>/dev/null || true
fi
# Reproducible builds: each of these holds the build's time or machine, never the recipe's (see README
# "Lock, verify, outdated"). machine-id stays as an empty file, so systemd makes one at first boot.
if [ -s "$r/etc/machine-id" ]; then : > "$r/etc/machine-id"; fi
# The build's .debs are the package cache's, never the image's.
rm -f -- "$r"/var/cache/apt/archives/*.deb "$r"/var/cache/apt/archives/partial/*.deb
rm -f -- "$r/var/cache/ldconfig/aux-cache" "$r/var/log/dpkg.log" "$r/var/log/alternatives.log" "$r/var/log/bootstrap.log" \
  "$r"/var/log/apt/*.log "$r"/var/cache/apt/*.bin "$r"/var/lib/dpkg/*-old "$r"/var/cache/debconf/*-old`;

/**
 * On the host: `sh -c UNMOUNT sh ROOTFS`. Stops processes still running inside ROOTFS (a service
 * a package started keeps its namespace and mounts alive), then unmounts everything at or under
 * ROOTFS deepest first, lazily as a last resort. Fails if a mount is left.
 */
export const UNMOUNT = `r=$1
for p in /proc/[0-9]*; do
  root=$(readlink "$p/root" 2>/dev/null) || continue
  case $root in "$r"|"$r"/*) kill -KILL "\${p#/proc/}" 2>/dev/null || true ;; esac
done
for attempt in 1 2 3 4 5; do
  left=$(R=$r awk '${MOUNTS_UNDER_AWK}' /proc/self/mountinfo | sort -r)
  [ -n "$left" ] || exit 0
  printf '%s\\n' "$left" | while IFS= read -r m; do
    if [ "$attempt" -lt 5 ]; then umount -- "$m" 2>/dev/null || true; else umount -l -- "$m" || true; fi
  done
done
left=$(R=$r awk '${MOUNTS_UNDER_AWK}' /proc/self/mountinfo)
if [ -n "$left" ]; then echo "ownbase: still mounted under $r:" >&2; printf '%s\\n' "$left" >&2; exit 1; fi`;

/**
 * On the host: `sh -c REMOVE_WORKDIR sh DIR`. Deletes the work folder, but never one with a live
 * mount under it, and never crossing into another file system.
 */
export const REMOVE_WORKDIR = `set -eu
d=$1
[ -e "$d" ] || exit 0
left=$(R=$d awk '${MOUNTS_UNDER_AWK}' /proc/self/mountinfo)
if [ -n "$left" ]; then
  echo "ownbase: not removing $d: still mounted under it:" >&2; printf '%s\\n' "$left" >&2; exit 1
fi
rm -rf --one-file-system -- "$d"`;

/**
 * On the host: `sh -c CHECK_BINFMT sh QEMU ARCH`. Running ARCH programs needs binfmt_misc mounted
 * and a qemu-QEMU handler registered, enabled and with flag F (the kernel opens the emulator, so a
 * chroot needs no copy). Says exactly what to run when one is missing.
 */
export const CHECK_BINFMT = `q=$1 a=$2
d=/proc/sys/fs/binfmt_misc
if [ ! -e "$d/status" ]; then
  echo "ownbase: $a programs run here through qemu, but binfmt_misc is not mounted. Run: mount -t binfmt_misc binfmt_misc $d" >&2; exit 1
fi
if [ ! -e "$d/qemu-$q" ]; then
  echo "ownbase: no binfmt_misc handler for $a (qemu-$q). Install it: apt-get install qemu-user-static binfmt-support" >&2; exit 1
fi
if ! grep -qx enabled "$d/qemu-$q"; then
  echo "ownbase: the binfmt_misc handler qemu-$q is disabled. Run: update-binfmts --enable qemu-$q" >&2; exit 1
fi
if ! grep -q '^flags:.*F' "$d/qemu-$q"; then
  echo "ownbase: the binfmt_misc handler qemu-$q lacks flag F, so programs inside a chroot cannot reach the emulator. Register Debian's (it sets F): apt-get install --reinstall qemu-user-static binfmt-support && update-binfmts --enable qemu-$q" >&2; exit 1
fi
if [ ! -x "/usr/bin/qemu-$q-static" ]; then
  echo "ownbase: /usr/bin/qemu-$q-static is missing. Install it: apt-get install qemu-user-static" >&2; exit 1
fi
echo "binfmt_misc: qemu-$q registered with flag F"`;

/**
 * The shell equivalent of the in-process import: `sh -c IMPORT sh ROOTFS TAG COUNT DOCKER-IMPORT-OPTION…`.
 * COUNT (may be empty) is the file UPGRADE wrote; its number becomes the updates label. The final
 * tag is set only after the import succeeded.
 */
export const IMPORT = `set -eu
r=$1 t=$2 n=$3; shift 3
if [ -n "$n" ] && [ -f "$n" ]; then set -- "$@" --change "LABEL ${LABEL_UPDATES_APPLIED}=$(cat "$n")"; fi
id=$(tar -C "$r" --numeric-owner -c . | docker import "$@" -)
docker tag "$id" "$t"
echo "imported $t ($id)"`;

/** mmdebstrap hooks that make dpkg skip fsync while the image is built (measured: 26 s → 15 s). */
export const UNSAFE_IO_ON = 'mkdir -p "$1/etc/dpkg/dpkg.cfg.d" && echo force-unsafe-io > "$1/etc/dpkg/dpkg.cfg.d/ownbase-unsafe-io"';
export const UNSAFE_IO_OFF = 'rm -f "$1/etc/dpkg/dpkg.cfg.d/ownbase-unsafe-io"';

/** GNU tar options of the rootfs cache: numeric owners, xattrs, sub-second mtimes (pax), so extracting gives the same files. */
const ROOTFS_TAR = "--numeric-owner --xattrs --xattrs-include='*'";

/**
 * On the host: `sh -c ROOTFS_SAVE sh ROOTFS ENTRY KEEP FINALIZE-CACHE SLIM`. Keeps ROOTFS (before slim) in the rootfs
 * cache as ENTRY/rootfs.tar with the companion files beside the rootfs (the upgrade count, SOURCE_DATE_EPOCH, the
 * lock's records) and FINALIZE-CACHE (what the finalize step gets). Written under a temporary name and renamed, so a
 * failed or cancelled build never leaves a half-written entry; a rootfs with a mount under it is not kept (the cache
 * holds no mounts). SLIM=yes leaves out the .debs and apt lists the slim step would delete anyway. Then keeps only the
 * KEEP most recently used entries. Best effort: a failure to keep the rootfs warns and does not fail the build.
 */
export const ROOTFS_SAVE = `set -eu
r=$1 e=$2 keep=$3 fc=$4 slim=$5
root=\${e%/*}
mkdir -p -- "$root"
left=$(R=$r awk '${MOUNTS_UNDER_AWK}' /proc/self/mountinfo)
if [ -n "$left" ]; then echo "ownbase: the rootfs is not cached: still mounted under it: $left" >&2; exit 0; fi
t="$root/.tmp-\${e##*/}-$$"
trap 'rm -rf -- "$t"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
rm -rf -- "$t"
mkdir -- "$t"
set --
if [ "$slim" = yes ]; then set -- --exclude='./var/cache/apt/archives/*.deb' --exclude='./var/lib/apt/lists/*'; fi
if ! tar -C "$r" --one-file-system ${ROOTFS_TAR} --format=posix --pax-option=delete=atime,delete=ctime "$@" -cf "$t/rootfs.tar" .; then
  echo "ownbase: the rootfs is not cached: tar failed" >&2; exit 0
fi
for s in ${ROOTFS_COMPANION_NAMES}; do if [ -f "$r.$s" ]; then cp -p -- "$r.$s" "$t/$s"; fi; done
printf '%s' "$fc" > "$t/finalize-cache"
exec 9>"$root/.lock"
flock 9
rm -rf -- "$e"
mv -T -- "$t" "$e"
find "$root" -mindepth 1 -maxdepth 1 -name '.tmp-*' -mmin +120 -exec rm -rf -- {} +
ls -1t -- "$root" | tail -n +$((keep + 1)) | while IFS= read -r old; do rm -rf -- "\${root:?}/$old"; done
echo "rootfs cached ($(du -sm -- "$e/rootfs.tar" | cut -f 1) MB, key \${e##*/}); the cache keeps the $keep most recently used"`;

/**
 * On the host: `sh -c ROOTFS_RESTORE sh ROOTFS ENTRY`. Extracts ENTRY/rootfs.tar (ROOTFS_SAVE) into ROOTFS as root
 * (owners, modes, xattrs, mtimes as they were) and puts its companion files back beside ROOTFS; marks the entry used.
 */
export const ROOTFS_RESTORE = `set -eu
r=$1 e=$2
touch -c -- "$e"
tar -C "$r" ${ROOTFS_TAR} --same-owner --same-permissions -xf "$e/rootfs.tar"
for s in ${ROOTFS_COMPANION_NAMES}; do rm -f -- "$r.$s"; if [ -f "$e/$s" ]; then cp -p -- "$e/$s" "$r.$s"; fi; done
echo "rootfs from cache (key \${e##*/})"`;
