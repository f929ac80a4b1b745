/**
 * The fixed POSIX sh scripts the built-in and file checks run inside the image (`sh -c SCRIPT sh ARGS…`). They
 * interpolate nothing: values reach them as positional arguments. They write nothing into the image, so the
 * no-engine driver can run them in a rootfs.
 */

/** `$@`: patterns. Per pattern: `P <index>`, then per match `F <mode> <uid> <gid> <user> <group> <path>`. */
export const STAT_SCRIPT = `IFS=''
i=0
for pattern do
  echo "P $i"
  i=$((i+1))
  for f in $pattern; do
    if [ -e "$f" ]; then stat -L -c 'F %a %u %g %U %G %n' -- "$f" || echo "E $f"; fi
  done
done`;

/**
 * The image's own dynamic loader lists what every ELF file under /usr/bin and /usr/lib needs (no host ldd: the
 * image's loader, in the image, in trace mode as ldd runs it: it lists, it never runs the file, and a missing
 * library is "not found" rather than a stop at the first one). Candidates are files with an execute bit or named `*.so*`; a file that is no ELF
 * object makes the loader say so, never "not found". Batches run in parallel (xargs -P, one per CPU) when xargs
 * is there; a batch's traces go through one reader (no subshell per file: the process starts are the cost). `L <loader>` first, or `NOLOADER`; then `M <file>\t<line>` for each "not found".
 */
export const LOADER_SCRIPT = `ld=
for c in /lib64/ld-linux*.so.* /lib/ld-linux*.so.* /lib/*/ld-linux*.so.* /lib*/ld64.so.* /lib/ld.so.1 /lib/ld-musl-*.so.1; do
  if [ -e "$c" ]; then ld=$c; break; fi
done
if [ -z "$ld" ]; then echo NOLOADER; exit 0; fi
echo "L $ld"
each='ld=$1; shift
for f do
  printf "F %s\\n" "$f"
  LD_TRACE_LOADED_OBJECTS=1 "$ld" "$f" 2>&1
done | while IFS= read -r line; do
  case $line in "F "*) f=\${line#F } ;; *"not found"*) printf "M %s\\t%s\\n" "$f" "$line" ;; esac
done'
list() { find /usr/bin /usr/lib -type f \\( -perm -u+x -o -name '*.so*' \\) 2>/dev/null; }
if command -v xargs >/dev/null 2>&1; then
  n=$(nproc 2>/dev/null || echo 2)
  list | tr '\\n' '\\0' | xargs -0 -n 32 -P "$n" sh -c "$each" sh "$ld"
else
  list | while IFS= read -r f; do sh -c "$each" sh "$ld" "$f"; done
fi`;

/** Setuid and setgid files on the root filesystem that no installed package lists (nor dpkg-statoverride). */
export const SETUID_SCRIPT = `find / -xdev -type f \\( -perm -4000 -o -perm -2000 \\) 2>/dev/null | while IFS= read -r f; do
  case $f in /usr/*) g=\${f#/usr} ;; *) g=/usr$f ;; esac
  if grep -qxF -e "$f" -e "$g" /var/lib/dpkg/info/*.list 2>/dev/null; then continue; fi
  if [ -f /var/lib/dpkg/statoverride ] && grep -q -F -e " $f" /var/lib/dpkg/statoverride; then continue; fi
  printf '%s\\n' "$f"
done`;

/** What scanners read: a line per missing fact. */
export const SCANNERS_SCRIPT = `[ -e /etc/os-release ] || [ -e /usr/lib/os-release ] || echo "no /etc/os-release (nor /usr/lib/os-release)"
[ -s /var/lib/dpkg/status ] || echo "no dpkg status (/var/lib/dpkg/status missing or empty)"`;

/** `$1`: a user. Its uid, then its group ids (as \`id\` gives them). */
export const ID_SCRIPT = `id -u -- "$1" && id -G -- "$1"`;

/**
 * Runs several scripts in one process start (`$@`: name, script, name, script, …): each as `sh -c SCRIPT`, in order,
 * framed on both streams by `\n@@ownbase:<name>\n` and closed on stdout by `\n@@ownbase-exit:<status>\n`, so one
 * exec into the image does the work of several (parseBatch splits it back).
 */
export const BATCH_SCRIPT = `while [ $# -ge 2 ]; do
  printf '\\n@@ownbase:%s\\n' "$1"; printf '\\n@@ownbase:%s\\n' "$1" >&2
  sh -c "$2" sh
  printf '\\n@@ownbase-exit:%s\\n' "$?"
  shift 2
done`;

/** One script's part of a BATCH_SCRIPT run. */
export interface BatchPart { readonly exitCode: number; readonly stdout: string; readonly stderr: string }

/**
 * Splits BATCH_SCRIPT's output into its parts by name. A part whose frame is missing or not closed (the batch was
 * cut short) is absent.
 */
export function parseBatch(stdout: string, stderr: string): Map<string, BatchPart> {
  const sections = (text: string): Map<string, string> => {
    const out = new Map<string, string>();
    const marks = [...text.matchAll(/\n@@ownbase:([A-Za-z0-9_.-]+)\n/g)];
    marks.forEach((m, i) => {
      const from = m.index + m[0].length;
      out.set(m[1]!, text.slice(from, i + 1 < marks.length ? marks[i + 1]!.index : text.length));
    });
    return out;
  };
  const outs = sections(stdout);
  const errs = sections(stderr);
  const parts = new Map<string, BatchPart>();
  for (const [name, text] of outs) {
    const end = /\n@@ownbase-exit:(\d+)\n$/.exec(text);
    if (!end) continue;
    parts.set(name, { exitCode: Number(end[1]), stdout: text.slice(0, end.index), stderr: errs.get(name) ?? '' });
  }
  return parts;
}
