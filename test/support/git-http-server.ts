import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export interface GitHttpServer {
  /** http://127.0.0.1:<port> ; repositories live at <baseUrl>/<org>/<name>.git */
  baseUrl: string;
  root: string;
  /** Creates an empty bare repository (what GitHub's "create repo" does). */
  createRepo(org: string, name: string): string;
  close(): Promise<void>;
}

/**
 * `git http-backend` (smart HTTP, the protocol GitHub speaks) behind a Node server on 127.0.0.1
 * that requires Basic auth with the given token as password (none when null), like GitHub's HTTPS transport.
 */
export async function startGitHttpServer(token: string | null): Promise<GitHttpServer> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-git-http-'));
  const server = http.createServer((req, res) => {
    const auth = req.headers.authorization ?? '';
    const decoded = auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString() : '';
    // token null: a public host (anyone may fetch), like a public GitHub repository.
    if (token !== null && decoded.split(':').slice(1).join(':') !== token) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="git"' });
      res.end('unauthorized');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const cgi = spawn('git', ['http-backend'], {
      env: {
        ...process.env,
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: '1',
        REMOTE_USER: decoded.split(':')[0] || 'token',
        REQUEST_METHOD: req.method ?? 'GET',
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.replace(/^\?/, ''),
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
        GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
      },
    });
    req.pipe(cgi.stdin);
    let head = Buffer.alloc(0);
    let headersDone = false;
    cgi.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      headersDone = true;
      let status = 200;
      for (const line of head.subarray(0, end).toString().split('\r\n')) {
        const i = line.indexOf(':');
        const key = line.slice(0, i).trim();
        const value = line.slice(i + 1).trim();
        if (key.toLowerCase() === 'status') status = Number(value.split(' ')[0]);
        else res.setHeader(key, value);
      }
      res.statusCode = status;
      res.write(head.subarray(end + 4));
    });
    cgi.stdout.on('end', () => res.end());
    cgi.on('error', () => res.end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    root,
    createRepo(org, name) {
      const dir = path.join(root, org, `${name}.git`);
      fs.mkdirSync(dir, { recursive: true });
      spawnSyncGit(['init', '--bare', '--quiet', dir]);
      spawnSyncGit(['--git-dir', dir, 'config', 'http.receivepack', 'true']);
      return dir;
    },
    close: async () => {
      await new Promise<void>((r) => server.close(() => r()));
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

function spawnSyncGit(args: string[]): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { execFileSync } = require('node:child_process') as typeof import('node:child_process');
  execFileSync('git', args);
}
