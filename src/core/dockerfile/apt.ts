import { isPackageName, parsePackageSpec } from '../kernel/packageName';

/**
 * Reads the package-manager work out of a shell-form RUN so that it can move into a recipe:
 * `apt-get update && apt-get install -y --no-install-recommends gcc make && rm -rf /var/lib/apt/lists/*`
 * gives packages [gcc, make] and no remaining command.
 */
export interface AptSplit {
  /** Packages named by `apt-get install` / `apt install` (versions and architectures dropped). */
  readonly packages: readonly string[];
  /** The commands that are not package-manager work, in order. */
  readonly remaining: readonly string[];
  /** False when the install cannot move (variables, command substitution, heredocs): leave the RUN as it is. */
  readonly movable: boolean;
}

const APT = /^(?:DEBIAN_FRONTEND=\S+\s+)?(?:apt-get|apt)\s+/;
const APT_HOUSEKEEPING = /^(?:DEBIAN_FRONTEND=\S+\s+)?(?:apt-get|apt)\s+(?:-\S+\s+)*(?:update|clean|autoclean|autoremove|upgrade|dist-upgrade)\b/;
const APT_LISTS_CLEANUP = /^rm\s+-(?:rf|fr|r)\s+(?:\/var\/lib\/apt\/lists\/\*?\s*|\/var\/cache\/apt\/\S*\s*)+$/;

/** Splits a shell command line on `&&` and `;` outside quotes. */
function splitCommands(text: string): string[] | undefined {
  const out: string[] = [];
  let cur = '';
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) { cur += c; if (c === quote) quote = undefined; continue; }
    if (c === '"' || c === "'") { quote = c; cur += c; continue; }
    if (c === '&' && text[i + 1] === '&') { out.push(cur); cur = ''; i++; continue; }
    if (c === ';') { out.push(cur); cur = ''; continue; }
    if (c === '|' || c === '`' || (c === '$' && text[i + 1] === '(')) return undefined; // pipelines and substitutions stay as written
    cur += c;
  }
  if (quote) return undefined;
  out.push(cur);
  return out.map((s) => s.trim()).filter(Boolean);
}

export function splitAptWork(command: string, escape = '\\'): AptSplit {
  const commands = splitCommands(command.split(new RegExp(`\\${escape}[ \\t]*\\r?\\n`)).join(' '));
  if (!commands) return { packages: [], remaining: [command], movable: false };
  const packages: string[] = [];
  const remaining: string[] = [];
  for (const cmd of commands) {
    if (APT_HOUSEKEEPING.test(cmd) || APT_LISTS_CLEANUP.test(cmd)) continue;
    const m = APT.exec(cmd);
    if (m) {
      const words = cmd.slice(m[0].length).split(/\s+/).filter(Boolean);
      const verb = words.findIndex((w) => !w.startsWith('-'));
      if (words[verb] === 'install') {
        const names = words.slice(verb + 1).filter((w) => !w.startsWith('-'));
        const bare = names.map((n) => parsePackageSpec(n).name);
        if (!bare.every(isPackageName)) return { packages: [], remaining: [command], movable: false };
        packages.push(...bare);
        continue;
      }
    }
    remaining.push(cmd);
  }
  return { packages, remaining, movable: true };
}
