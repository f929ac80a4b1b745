import type * as vscode from 'vscode';

/**
 * A machine-scoped setting (`"scope": "machine"` in package.json): the user's or the remote machine's value, else
 * the default; never a workspace's or a folder's. A cloned repository's .vscode/settings.json cannot choose where a
 * root build writes or what it runs as.
 */
export function machineValue<T>(config: Pick<vscode.WorkspaceConfiguration, 'inspect'>, key: string): T | undefined {
  const i = config.inspect<T>(key);
  return i?.globalValue ?? i?.defaultValue;
}
