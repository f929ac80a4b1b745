// The SBOMs against their specifications (checkers in sbomCheck.ts): CycloneDX 1.5 by the strict JSON validator of
// @cyclonedx/cyclonedx-library, SPDX 2.3 field by field. Each checker is shown to reject a broken document too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { buildReport, type Report } from '../../../src/core/inspect/report';
import { toCycloneDx, toSpdx } from '../../../src/core/inspect/sbom';
import { readSource } from '../../../src/core/inspect/sources';
import { cycloneDx15Problems, spdx23Problems } from './sbomCheck';
import { makeRootfs, tempDir } from './support';

async function fixtureReport(): Promise<{ report: Report; root: string }> {
  const root = tempDir('sbom');
  makeRootfs(root);
  return { report: buildReport(await readSource({ kind: 'folder', path: root }), `folder:${root}`), root };
}

test('the CycloneDX SBOM is valid CycloneDX 1.5 by the library\'s strict validator, which rejects a broken one', async () => {
  const { report, root } = await fixtureReport();
  try {
    const doc = toCycloneDx(report) as { components: Record<string, unknown>[] };
    assert.equal(await cycloneDx15Problems(doc), null);
    // Without an OS, and with no packages at all, it stays valid.
    assert.equal(await cycloneDx15Problems(toCycloneDx({ ...report, packages: [], os: undefined } as unknown as Report)), null);
    const broken = { ...doc, components: [{ ...doc.components[0], type: 'package-of-bytes' }] };
    assert.notEqual(await cycloneDx15Problems(broken), null);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('the SPDX SBOM has every field SPDX 2.3 requires, and the check names what a broken one lacks', async () => {
  const { report, root } = await fixtureReport();
  try {
    const doc = toSpdx(report) as Record<string, unknown>;
    assert.deepEqual(spdx23Problems(doc), []);
    assert.deepEqual(spdx23Problems(toSpdx({ ...report, os: undefined } as unknown as Report) as Record<string, unknown>), []);
    const pkgs = doc['packages'] as Record<string, unknown>[];
    const broken = {
      ...doc, dataLicense: 'MIT', creationInfo: { creators: [], created: '2024-01-02' },
      packages: [...pkgs, { ...pkgs[1], downloadLocation: undefined, filesAnalyzed: true }],
    };
    const last = `packages[${pkgs.length}] (${String(pkgs[1]!['name'])}): `;
    assert.deepEqual(spdx23Problems(broken), [
      '6.2 dataLicense must be CC0-1.0',
      '6.8 creators: one or more of Tool:, Person:, Organization:',
      '6.9 created must be YYYY-MM-DDThh:mm:ssZ',
      `${last}7.2 SPDXID ${String(pkgs[1]!['SPDXID'])} is not unique`,
      `${last}7.7 downloadLocation must be NONE, NOASSERTION or a location`,
      `${last}7.9 packageVerificationCode is required unless filesAnalyzed is false`,
    ]);
    assert.deepEqual(spdx23Problems({ ...doc, relationships: [] }), ['6.x the document must DESCRIBE at least one element']);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
