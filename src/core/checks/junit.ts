import type { CheckReport } from './result';

/** XML 1.0 text: the five escapes, and the characters XML cannot carry at all dropped. */
export function xmlEscape(s: string): string {
  return s
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/gu, '')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

const seconds = (ms: number): string => (ms / 1000).toFixed(3);

/**
 * JUnit XML as CI systems read it (one testsuite per image, one testcase per check, `failure` and `skipped`
 * elements with the message; `file` and `line` point at the check in the recipe when known).
 */
export function formatJunit(reports: readonly CheckReport[], lines: ReadonlyMap<string, number> = new Map()): string {
  const total = (k: 'passed' | 'failed' | 'skipped'): number => reports.reduce((n, r) => n + r[k], 0);
  const tests = reports.reduce((n, r) => n + r.results.length, 0);
  const out = ['<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="ownbase" tests="${tests}" failures="${total('failed')}" skipped="${total('skipped')}" errors="0" time="${seconds(reports.reduce((n, r) => n + r.durationMs, 0))}">`];
  for (const r of reports) {
    out.push(`  <testsuite name="${xmlEscape(r.target)}" tests="${r.results.length}" failures="${r.failed}" skipped="${r.skipped}" errors="0" time="${seconds(r.durationMs)}">`);
    for (const c of r.results) {
      const line = lines.get(c.id);
      const where = r.recipe !== undefined ? ` file="${xmlEscape(r.recipe)}"${line !== undefined ? ` line="${line}"` : ''}` : '';
      const open = `    <testcase classname="${xmlEscape(`ownbase.${r.driver}`)}" name="${xmlEscape(`${c.id}: ${c.title}`)}" time="${seconds(c.durationMs)}"${where}`;
      if (c.status === 'passed') { out.push(`${open}/>`); continue; }
      out.push(`${open}>`);
      const first = c.message.split('\n')[0]!;
      if (c.status === 'failed') {
        const body = [c.message, c.expected !== undefined ? `expected:\n${c.expected}` : '', c.actual !== undefined ? `actual:\n${c.actual}` : '']
          .filter(Boolean).join('\n\n');
        out.push(`      <failure message="${xmlEscape(first)}" type="check">${xmlEscape(body)}</failure>`);
      } else out.push(`      <skipped message="${xmlEscape(first)}"/>`);
      out.push('    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}
