/**
 * The one place ownbase turns argv into shell text: to show a step (`$ …`) and to write the
 * exported script. Processes themselves always get argv arrays; nothing here is executed by ownbase.
 */

// Words made only of these characters mean the same to every POSIX shell, quoted or not.
const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;
// In command position these would be read as an assignment or a reserved word, not a command name.
const RESERVED = /^(if|then|else|elif|fi|do|done|case|esac|while|until|for|in|function|select|time|\[\[|\]\])$/;

/**
 * Quotes one word for a POSIX shell (sh, dash, bash) so that the shell reads back exactly `word`.
 * `command`: the word is a command name (first word), where `A=b` and `if` mean something else.
 */
export function shQuote(word: string, position: 'argument' | 'command' = 'argument'): string {
  if (word.includes('\0')) throw new Error('an argument cannot contain a NUL byte');
  const special = position === 'command' && (word.includes('=') || RESERVED.test(word));
  if (PLAIN.test(word) && !special) return word;
  // Inside single quotes nothing is special but the quote itself: close, add \', reopen.
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** An argv as one shell command line that runs exactly that argv. */
export function shJoin(argv: readonly string[]): string {
  return argv.map((w, i) => shQuote(w, i === 0 ? 'command' : 'argument')).join(' ');
}
