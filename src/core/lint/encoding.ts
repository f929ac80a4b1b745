import type { Diagnostic } from '../kernel/diagnostic';
import type { DecodedText } from '../kernel/text';
import type { LineIndex } from '../kernel/text';

export const ENCODING_CODE = 'OB001';

export const ENCODING_DESCRIPTION =
  'The file is not valid UTF-8. ownbase, Docker and the shell read such bytes differently (an editor shows U+FFFD), ' +
  'so what is linted is not what runs. Save the file as UTF-8.';

/** OB001 at the first byte that is not UTF-8 (any file kind). */
export function encodingDiagnostic(lines: LineIndex, invalid: NonNullable<DecodedText['invalidUtf8']>): Diagnostic {
  const at = lines.positionAt(invalid.offset);
  return {
    code: ENCODING_CODE,
    severity: 'error',
    range: { start: at, end: { line: at.line, character: Math.min(at.character + 1, lines.lineText(at.line).length) } },
    message: `Not UTF-8: byte 0x${invalid.byte.toString(16).padStart(2, '0')} at line ${at.line + 1}, column ${at.character + 1} ` +
      'is not valid UTF-8 (read as U+FFFD). Save the file as UTF-8.',
  };
}
