import { randomBytes } from 'node:crypto';
import type * as vscode from 'vscode';

/**
 * The inspector page: a strict CSP (scripts only with this nonce, styles only from the extension),
 * one script, one empty root. No data goes into this text: the report arrives as a message.
 */
export function inspectorHtml(webview: vscode.Webview, script: vscode.Uri): string {
  const nonce = randomBytes(18).toString('base64url');
  const csp = [
    "default-src 'none'",
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>ownbase inspector</title>
</head>
<body>
<div id="root"></div>
<script nonce="${nonce}" src="${webview.asWebviewUri(script).toString()}"></script>
</body>
</html>`;
}
