import type { Diagnostic } from '../kernel/diagnostic';
import type { LineIndex } from '../kernel/text';

/** A heredoc whose output goes to a Dockerfile: `cat > Dockerfile <<EOF`, `cat <<-"EOF" >path/app.Dockerfile`, `tee Dockerfile <<EOF`. */
const HEREDOC_START = /<<-?\s*(["']?)([A-Za-z_][A-Za-z0-9_]*)\1/;
const TO_DOCKERFILE = /(?:>>?|\btee\s+(?:-a\s+)?)\s*["']?([^\s"'<>|;&]*(?:Dockerfile|\.dockerfile)[^\s"'<>|;&]*)/i;
const SHELL_EXPANSION = /\$(?:\{[A-Za-z_][A-Za-z0-9_]*|[A-Za-z_][A-Za-z0-9_]*|\(|[0-9@*#?])|`/;

export const GENERATED_DOCKERFILE_DESCRIPTION =
  'A shell script that writes a Dockerfile through a heredoc with shell variables in it. The Dockerfile that is ' +
  'built exists only while the script runs, so it cannot be linted, reviewed or verified on its own. Keep the ' +
  'Dockerfile a file of its own, parameterised with ARG and --build-arg.';

/** OB301: a heredoc that writes a Dockerfile and expands shell variables. */
export function generatedDockerfile(lines: LineIndex): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (let line = 0; line < lines.lineCount; line++) {
    const text = lines.lineText(line);
    if (/^\s*#/.test(text)) continue;
    const start = HEREDOC_START.exec(text);
    const target = start && TO_DOCKERFILE.exec(text);
    if (!start || !target) continue;
    const quoted = start[1] !== '';
    const delimiter = start[2]!;
    const tabsStripped = text.slice(start.index).startsWith('<<-');
    let end = line + 1;
    const vars = new Set<string>();
    for (; end < lines.lineCount; end++) {
      const body = lines.lineText(end);
      if ((tabsStripped ? body.replace(/^\t+/, '') : body) === delimiter) break;
      if (!quoted) for (const m of body.matchAll(new RegExp(SHELL_EXPANSION, 'g'))) vars.add(m[0]);
    }
    if (vars.size > 0) {
      out.push({
        code: 'OB301',
        severity: 'warning',
        range: lines.lineRange(line),
        message: `This script generates ${target[1]} through a heredoc that expands shell variables (${[...vars].slice(0, 3).join(', ')}` +
          `${vars.size > 3 ? ', …' : ''}). Keep the Dockerfile a file of its own, parameterised with ARG and --build-arg, ` +
          'so that it can be verified independently of the script.',
      });
    }
    line = end;
  }
  return out;
}
