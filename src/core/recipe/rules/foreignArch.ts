import type { Diagnostic } from '../../kernel/diagnostic';
import { findArch, runsNatively } from '../../kernel/arch';
import { BINFMT_DIR } from '../host';
import { stringField, type RecipeRule } from './rule';

export const INSTALL_QEMU = 'apt-get install qemu-user-static binfmt-support';
export const MOUNT_BINFMT = `mount -t binfmt_misc binfmt_misc ${BINFMT_DIR}`;

export const foreignArchRule: RecipeRule = {
  code: 'OB203',
  name: 'foreign-arch',
  defaultSeverity: 'warning',
  description: "An arch other than the host's is bootstrapped with debootstrap --foreign and finished by running the "
    + "target's binaries through qemu-<arch>-static; the host needs qemu-user-static and a binfmt_misc registration with the F flag.",
  check({ parsed, host }): Diagnostic[] {
    const arch = stringField(parsed, 'arch');
    if (!arch || !host) return [];
    const target = findArch(arch.value);
    const hostArch = host.hostArch();
    if (!target || runsNatively(hostArch, target.name)) return [];
    const q = target.qemu;
    const binary = `/usr/bin/qemu-${q}-static`;
    const hasBinary = host.fileExists(binary);
    const mounted = host.fileExists(`${BINFMT_DIR}/register`);
    const registered = mounted && host.binfmtRegistered(q);
    const lead = `${target.name} is foreign to this ${hostArch} host`;
    if (hasBinary && registered) {
      return [{ code: 'OB203', severity: 'information', range: arch.range,
        message: `${lead}: the cross build will use debootstrap --foreign and run the second stage through qemu-${q}-static (binfmt qemu-${q} is registered).` }];
    }
    const missing: string[] = [];
    const run: string[] = [];
    if (!hasBinary) { missing.push(binary); run.push(INSTALL_QEMU); }
    if (!mounted) { missing.push(`binfmt_misc (not mounted at ${BINFMT_DIR})`); run.push(MOUNT_BINFMT); }
    if (!registered) {
      missing.push(`an enabled binfmt entry qemu-${q} with the F flag`);
      if (hasBinary) run.push(`update-binfmts --enable qemu-${q}`);
    }
    return [{ code: 'OB203', severity: 'warning', range: arch.range,
      message: `${lead}: the second debootstrap stage runs ${target.name} binaries through qemu-${q}-static. `
        + `Missing: ${missing.join('; ')}. Run as root: ${run.join(' && ')}` }];
  },
};
