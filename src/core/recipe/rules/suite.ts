import type { Diagnostic, Fix } from '../../kernel/diagnostic';
import { didYouMean } from '../didYouMean';
import { replaceNode, scalarText } from '../edits';
import { nodeAt, type ParsedRecipe } from '../parse';
import { findSuite, suiteByVersion, suiteLabel, SUITES, suitesOf, type Suite } from '../suites';
import type { Distro } from '../types';
import { stringField, type Located, type RecipeRule } from './rule';

const DISTRO_NAME: Record<Distro, string> = { debian: 'Debian', ubuntu: 'Ubuntu' };
const A_DISTRO: Record<Distro, string> = { debian: 'a Debian', ubuntu: 'an Ubuntu' };
const POCKET = /^(.+)-(updates|security|backports|backports-sloppy|proposed)$/;

function replaceSuite(parsed: ParsedRecipe, suite: Located, to: string): Fix[] {
  if (!suite.node || suite.node.kind !== 'scalar') return [];
  return [{ title: `Change suite to '${to}'`, kind: 'quickfix', isPreferred: true, safe: false,
    changes: [{ edits: [replaceNode(parsed, suite.node, scalarText(suite.node, to))] }] }];
}

function examples(distro: Distro | undefined): string {
  return distro === 'ubuntu' ? 'noble, jammy, focal' : distro === 'debian' ? 'trixie, bookworm, sid' : 'trixie, bookworm (Debian) or noble, jammy (Ubuntu)';
}

export const suiteRule: RecipeRule = {
  code: 'OB202',
  name: 'unknown-suite',
  defaultSeverity: 'error',
  description: "The suite must be a release of the recipe's distro: a Debian codename (bookworm, trixie, sid, …) or "
    + 'alias (stable, testing, …), or an Ubuntu codename (jammy, noble, …). A suite of the other distro, an update pocket or a '
    + 'typo fails the bootstrap.',
  check({ parsed }): Diagnostic[] {
    const suite = stringField(parsed, 'suite');
    if (!suite || suite.value === '') return [];
    const d = stringField(parsed, 'distro')?.value;
    const distro: Distro | undefined = d === 'debian' || d === 'ubuntu' ? d : undefined;
    const name = suite.value;
    const diag = (severity: Diagnostic['severity'], message: string, fixes: Fix[] = []): Diagnostic[] =>
      [{ code: 'OB202', severity, message, range: suite.range, ...(fixes.length > 0 && { fixes }) }];

    const known = findSuite(name);
    if (known) {
      if (distro && known.distro !== distro) {
        const distroNode = nodeAt(parsed, ['distro']);
        const fixes: Fix[] = distroNode && distroNode.kind === 'scalar' ? [{
          title: `Set distro to ${known.distro}`, kind: 'quickfix', isPreferred: true, safe: false,
          changes: [{ edits: [replaceNode(parsed, distroNode, scalarText(distroNode, known.distro))] }],
        }] : [];
        return diag('error', `'${name}' is ${A_DISTRO[known.distro]} suite (${suiteLabel(known)}), `
          + `not ${A_DISTRO[distro]} one: set distro: ${known.distro}, or choose ${A_DISTRO[distro]} suite such as ${examples(distro)}.`, fixes);
      }
      if (known.alias) {
        return diag('hint', `'${name}' is an alias that moves to a new ${DISTRO_NAME[known.distro]} release every two years: `
          + `name a codename (e.g. trixie) so the base stays the same until you change it.`);
      }
      return [];
    }
    if (name === 'experimental' && distro !== 'ubuntu') {
      return diag('error', "'experimental' is not a complete suite and cannot be bootstrapped: bootstrap sid and add experimental as an apt source.",
        replaceSuite(parsed, suite, 'sid'));
    }
    const numbered = distro ? suiteByVersion(distro, name) : undefined;
    if (numbered) {
      return diag('error', `'${name}' is a release number: the bootstrap takes the codename, ${numbered.name} (${suiteLabel(numbered)}).`,
        replaceSuite(parsed, suite, numbered.name));
    }
    const pocket = POCKET.exec(name);
    const base = pocket ? findSuite(pocket[1]!) : undefined;
    if (pocket && base && (!distro || base.distro === distro)) {
      return diag('error', `'${name}' is the ${pocket[2]} pocket of ${base.name}, not a suite: bootstrap ${base.name} `
        + `(apt gets ${pocket[2]} through its sources).`, replaceSuite(parsed, suite, base.name));
    }
    const candidates: readonly Suite[] = distro ? suitesOf(distro) : SUITES;
    const suggestion = didYouMean(name, candidates.map((s) => s.name));
    const which = distro ? `${DISTRO_NAME[distro]} suite` : 'suite';
    const hint = suggestion ? ` Did you mean '${suggestion}'?` : ` Use a codename such as ${examples(distro)}.`;
    return diag('error', `Unknown ${which} '${name}'.${hint}`, suggestion ? replaceSuite(parsed, suite, suggestion) : []);
  },
};
