import * as vscode from 'vscode';
import { kindByName } from '../../core/kernel/fileKind';
import { fromUsesOf, type DockerfileFile, type RecipeFile } from '../../core/workspace/model';
import { RECIPE_GLOB } from '../globs';

export const DOCKERFILE_GLOB = '**/{Dockerfile,Dockerfile.*,*.Dockerfile,Containerfile,Containerfile.*,*.Containerfile}';
const EXCLUDE = '**/node_modules/**';
const LOCK_GLOB = '**/*.ownbase.lock';

/**
 * The workspace's recipes (their bytes: the image label is their sha256) and Dockerfiles, read once and
 * then kept current file by file by watchers.
 */
export class WorkspaceFiles implements vscode.Disposable {
  private readonly recipeFiles = new Map<string, RecipeFile>();
  private readonly dockerfileFiles = new Map<string, DockerfileFile>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];
  private scanning: Promise<void> | undefined;
  private watching = false;

  constructor() {
    this.disposables.push(vscode.workspace.onDidChangeWorkspaceFolders(() => {
      if (!this.scanning) return;
      this.scanning = undefined;
      void this.ready().then(() => this.changed.fire());
    }));
  }

  /**
   * Watches from the first read on, not from activation: four watchers (one on every file, for deleted folders)
   * cost activation time in every window, and until something asks for the files there is nothing to keep current.
   */
  private watch(): void {
    for (const [glob, read] of [[RECIPE_GLOB, this.readRecipe], [DOCKERFILE_GLOB, this.readDockerfile]] as const) {
      const w = vscode.workspace.createFileSystemWatcher(glob);
      const update = (uri: vscode.Uri): void => void read.call(this, uri).then(() => this.changed.fire());
      this.disposables.push(w, w.onDidCreate(update), w.onDidChange(update), w.onDidDelete((uri) => {
        this.recipeFiles.delete(uri.toString());
        this.dockerfileFiles.delete(uri.toString());
        this.changed.fire();
      }));
    }
    // A file the user opens or saves is read at once as well: a watcher's event can come late (a busy machine, a
    // remote file system) or never (`files.watcherExclude`), and the FROM lenses of an open Dockerfile need it now.
    const follow = (d: vscode.TextDocument): void => {
      if (d.uri.scheme !== 'file' || !vscode.workspace.getWorkspaceFolder(d.uri) || d.uri.path.includes('/node_modules/')) return;
      const kind = kindByName(d.uri.path);
      const reader = kind === 'dockerfile' ? this.readDockerfile : kind === 'recipe' ? this.readRecipe : undefined;
      if (reader) void reader.call(this, d.uri).then(() => this.changed.fire());
    };
    this.disposables.push(vscode.workspace.onDidOpenTextDocument(follow), vscode.workspace.onDidSaveTextDocument(follow));
    // A recipe's lock decides whether Check for Updates is offered on it (`ownbase lock` writes one in a terminal).
    const locks = vscode.workspace.createFileSystemWatcher(LOCK_GLOB);
    const lockChanged = (): void => this.changed.fire();
    this.disposables.push(locks, locks.onDidCreate(lockChanged), locks.onDidDelete(lockChanged));
    // A deleted folder is reported as the folder alone, which the globs above do not match: drop what was under it.
    const folders = vscode.workspace.createFileSystemWatcher('**/*', true, true, false);
    this.disposables.push(folders, folders.onDidDelete((uri) => {
      const under = `${uri.toString()}/`;
      let dropped = false;
      for (const map of [this.recipeFiles, this.dockerfileFiles] as Map<string, unknown>[]) {
        for (const key of [...map.keys()]) if (key.startsWith(under)) { map.delete(key); dropped = true; }
      }
      if (dropped) this.changed.fire();
    }));
  }

  /** Resolves when the workspace has been read (the first call reads it). */
  ready(): Promise<void> {
    if (!this.watching) { this.watching = true; this.watch(); }
    this.scanning ??= this.scan();
    return this.scanning;
  }

  get recipes(): RecipeFile[] { return [...this.recipeFiles.values()]; }
  get dockerfiles(): DockerfileFile[] { return [...this.dockerfileFiles.values()]; }

  private async scan(): Promise<void> {
    const [recipes, dockerfiles] = await Promise.all([
      vscode.workspace.findFiles(RECIPE_GLOB, EXCLUDE), vscode.workspace.findFiles(DOCKERFILE_GLOB, EXCLUDE),
    ]);
    this.recipeFiles.clear();
    this.dockerfileFiles.clear();
    await Promise.all([...recipes.map((u) => this.readRecipe(u)), ...dockerfiles.map((u) => this.readDockerfile(u))]);
  }

  private async readRecipe(uri: vscode.Uri): Promise<void> {
    const bytes = await read(uri);
    if (bytes) this.recipeFiles.set(uri.toString(), { path: uri.fsPath, relPath: vscode.workspace.asRelativePath(uri, false), bytes });
    else this.recipeFiles.delete(uri.toString());
  }

  private async readDockerfile(uri: vscode.Uri): Promise<void> {
    const bytes = kindByName(uri.path) === 'dockerfile' ? await read(uri) : undefined;
    if (bytes) {
      // Parsed once per change of the file: an engine event recomputes the model without reading Dockerfiles again.
      const file = { path: uri.fsPath, relPath: vscode.workspace.asRelativePath(uri, false), text: new TextDecoder().decode(bytes) };
      this.dockerfileFiles.set(uri.toString(), { ...file, uses: fromUsesOf(file) });
    }
    else this.dockerfileFiles.delete(uri.toString());
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
    this.changed.dispose();
  }
}

async function read(uri: vscode.Uri): Promise<Uint8Array | undefined> {
  try {
    return await vscode.workspace.fs.readFile(uri);
  } catch {
    return undefined;
  }
}
