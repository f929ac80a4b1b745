import * as vscode from 'vscode';
import type { TextChunk } from '../../core/run/render';

const BOLD = '\x1b[1m';
const RESET = '\x1b[0m';

export interface PseudoterminalHandlers {
  /** A line the user typed (Enter), with its newline: forwarded to the process's stdin. */
  readonly input: (line: string) => void;
  /** Ctrl-C in the terminal. */
  readonly interrupt: () => void;
  /** The terminal was closed while the process ran. */
  readonly closed: () => void;
}

/**
 * The terminal face of a CLI run: shows its output (a build's events rendered, step headers in bold), takes typed lines
 * without echoing them (sudo's password), and after the run reports the exit code and closes with
 * it on the next key.
 */
export class CliPseudoterminal implements vscode.Pseudoterminal {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<number>();
  readonly onDidWrite = this.writeEmitter.event;
  readonly onDidClose = this.closeEmitter.event;
  private opened = false;
  private pending: string[] = [];
  private line = '';
  private exitCode: number | undefined;
  private closed = false;

  constructor(private readonly handlers: PseudoterminalHandlers) {}

  open(): void {
    this.opened = true;
    const text = this.pending.join('');
    this.pending = [];
    if (text) this.writeEmitter.fire(text);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.exitCode === undefined) this.handlers.closed();
    this.dispose();
  }

  handleInput(data: string): void {
    if (this.exitCode !== undefined) {
      this.closeEmitter.fire(this.exitCode);
      return;
    }
    if (data.startsWith('\x1b')) return; // arrows, function keys: nothing to edit here
    for (const ch of data) {
      if (ch === '\x03') {
        this.handlers.interrupt();
      } else if (ch === '\r' || ch === '\n') {
        this.handlers.input(`${this.line}\n`);
        this.line = '';
        this.emit('\r\n');
      } else if (ch === '\x7f' || ch === '\b') {
        this.line = this.line.slice(0, -1);
      } else if (ch === '\x15') {
        this.line = '';
      } else if (ch >= ' ') {
        this.line += ch; // not echoed: this is how sudo's password is typed
      }
    }
  }

  /** Output of the process, as is: newlines as the terminal needs them. */
  output(text: string): void {
    this.emit(text.replace(/\r?\n/g, '\r\n'));
  }

  /** A piece of a build's rendered text; a step's header in bold. */
  chunk(c: TextChunk): void {
    if (c.header) this.emit(`${BOLD}${c.text.replace(/\r?\n/g, '\r\n')}${RESET}`);
    else this.output(c.text);
  }

  /** A line of ownbase's own (not the CLI's), in bold. */
  note(text: string): void {
    this.emit(`${BOLD}${text.replace(/\r?\n/g, '\r\n')}${RESET}\r\n`);
  }

  exited(code: number): void {
    this.exitCode = code;
    this.emit(`\r\n${BOLD}ownbase exited with code ${code}${RESET}: press any key to close this terminal\r\n`);
  }

  private emit(text: string): void {
    if (this.closed) return;
    if (this.opened) this.writeEmitter.fire(text);
    else this.pending.push(text);
  }

  dispose(): void {
    this.writeEmitter.dispose();
    this.closeEmitter.dispose();
  }
}
