/**
 * `medsynth view`'s HTTP server (node:http, GET and HEAD only):
 *
 *   /                                       the page (dist/viewer/index.html) and its assets
 *   /api/info                               what the path is (lib/viewer/source.ts), as JSON
 *   /api/anatomy/<split>/<row>              one sample's scenario, sample index and presence
 *   /api/anatomy/<split>/<row>/image.nii    the sample's image as NIfTI, converted on request
 *   /api/anatomy/<split>/<row>/labels.nii   its label map
 *   /files/<path>                           a NIfTI file the source lists (PET/CT, NIfTI folders)
 *
 * Loopback only: it binds 127.0.0.1 (or another loopback address given with `host`) and refuses
 * any other address, so nothing on the network can reach it; requests whose Host header names
 * something other than a loopback address or localhost are refused too (a page on another site
 * cannot reach it through DNS rebinding). /files serves only the files the source lists, each
 * resolved under the root with lib/viewer/safe_path.ts: `..`, encoded or not, and links out of
 * the root answer 403; a name the source does not list answers 404.
 */
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import path from 'node:path';

import { MedsynthError } from '../errors.js';
import { packageRoot } from '../native.js';
import type { SplitName } from '../datasets/reader.js';
import { AnatomySplits } from './anatomy_nifti.js';
import { decodeSegment, resolveInside } from './safe_path.js';
import { describeSource, type ViewerSource } from './source.js';

export interface ViewerOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** A loopback address: 127.0.0.1 (default), another 127.x.y.z, ::1 or 'localhost'. */
  host?: string;
  /** Folder of the built page (default: <package>/dist/viewer). */
  pageDir?: string;
}

export interface ViewerServer {
  url: string;
  host: string;
  port: number;
  source: ViewerSource;
  close(): Promise<void>;
}

/** The address to bind for `host`, or an INVALID_ARGUMENT error when it is not a loopback one. */
export function loopbackAddress(host: string): string {
  if (host === 'localhost') return '127.0.0.1';
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  if ((isIP(bare) === 4 && bare.split('.')[0] === '127') || (isIP(bare) === 6 && /^(0*:)*:?0*1$/.test(bare))) return bare;
  throw new MedsynthError(
    'INVALID_ARGUMENT',
    `--host ${host} is not a loopback address: the viewer serves your files without authentication, so it listens on 127.0.0.1 (or ::1) only`,
  );
}

/** Host header check: the name a browser on this machine uses to reach us. */
function hostHeaderAllowed(header: string | undefined): boolean {
  if (header === undefined) return true; // HTTP/1.0 clients on this machine
  const name = header.replace(/:\d+$/, '').toLowerCase();
  if (name === 'localhost') return true;
  try {
    loopbackAddress(name);
    return true;
  } catch {
    return false;
  }
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

// NiiVue draws its font and colour bars from data: URLs; nothing is fetched from another origin.
const CSP = "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; worker-src 'self' blob:; connect-src 'self' data: blob:";

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, type: string, body: Buffer | string, head: boolean): void {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': bytes.length,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': CSP,
  });
  res.end(head ? undefined : bytes);
}

function sendJson(res: ServerResponse, status: number, value: unknown, head: boolean): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value), head);
}

function sendFile(res: ServerResponse, file: string, type: string, head: boolean): void {
  const size = statSync(file).size;
  res.writeHead(200, { 'Content-Type': type, 'Content-Length': size, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', 'Content-Security-Policy': CSP });
  if (head) {
    res.end();
    return;
  }
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

/** The page's files by URL name, read from the built folder once at start. */
function pageAssets(dir: string): Map<string, string> {
  if (!existsSync(path.join(dir, 'index.html'))) {
    throw new MedsynthError('IO_ERROR', `the viewer page is not built (${dir}/index.html is missing): run \`npm run build:ts\` in the package folder`);
  }
  const assets = new Map<string, string>();
  for (const name of readdirSync(dir)) if (CONTENT_TYPES[path.extname(name)]) assets.set(name, path.join(dir, name));
  return assets;
}

/** The '/'-separated relative names /files may serve. */
function listedFiles(source: ViewerSource): Set<string> {
  if (source.kind === 'nifti') return new Set(source.files);
  if (source.kind === 'petct') return new Set(source.patients.flatMap((p) => [p.ct, p.pet, p.seg]));
  return new Set();
}

const SPLIT_NAMES: readonly string[] = ['train', 'val', 'test'];

export async function startViewer(target: string, options: ViewerOptions = {}): Promise<ViewerServer> {
  const host = loopbackAddress(options.host ?? '127.0.0.1');
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new MedsynthError('INVALID_ARGUMENT', `port must be an integer in 0..65535, got ${port}`);
  const assets = pageAssets(options.pageDir ?? path.join(packageRoot(), 'dist', 'viewer'));
  const { root, source } = describeSource(target);
  const listed = listedFiles(source);
  const splits = source.kind === 'anatomy' ? new AnatomySplits(root) : undefined;

  async function anatomyRoute(parts: string[], res: ServerResponse, head: boolean): Promise<void> {
    if (!splits || source.kind !== 'anatomy') throw new HttpError(404, 'this path is not an anatomy dataset');
    const [split, row, file] = parts;
    const entry = source.splits.find((s) => s.name === split);
    if (!SPLIT_NAMES.includes(split) || !entry) throw new HttpError(404, `no split '${split}' (have: ${source.splits.map((s) => s.name).join(', ')})`);
    const index = /^\d+$/.test(row ?? '') ? Number(row) : NaN;
    if (!(index < entry.count)) throw new HttpError(404, `${split} has rows 0..${entry.count - 1}, not '${row}'`);
    if (file !== undefined && file !== 'image.nii' && file !== 'labels.nii') throw new HttpError(404, `no volume '${file}'`);
    if (parts.length > 3) throw new HttpError(404, 'not found');
    const volumes = await splits.volumes(split as SplitName, index);
    if (file === undefined) return sendJson(res, 200, { ...volumes.info, hasLabels: volumes.labels !== undefined }, head);
    const bytes = file === 'image.nii' ? volumes.image : volumes.labels;
    if (!bytes) throw new HttpError(404, 'this dataset stores no masks (generated with --masks none)');
    send(res, 200, 'application/octet-stream', bytes, head);
  }

  function fileRoute(rawTail: string, res: ServerResponse, head: boolean): void {
    const resolved = resolveInside(root, rawTail);
    if (!resolved.ok) throw new HttpError(resolved.why === 'outside' ? 403 : 404, resolved.why === 'outside' ? 'outside the served path' : 'not found');
    const rel = rawTail.split('/').filter((s) => s !== '').map((s) => decodeSegment(s)).join('/');
    if (!listed.has(rel)) throw new HttpError(404, `${rel} is not one of the files this viewer serves`);
    sendFile(res, resolved.file, 'application/octet-stream', head);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const head = req.method === 'HEAD';
    if (req.method !== 'GET' && !head) {
      res.setHeader('Allow', 'GET, HEAD');
      throw new HttpError(405, 'only GET and HEAD');
    }
    if (!hostHeaderAllowed(req.headers.host)) throw new HttpError(403, 'the viewer answers only requests addressed to a loopback address or localhost');
    // The raw path, not a normalised URL: '..' must be seen (and refused), never silently removed.
    const rawPath = (req.url ?? '/').split('?')[0];
    if (!rawPath.startsWith('/')) throw new HttpError(400, 'bad request path');
    if (rawPath.startsWith('/files/')) return fileRoute(rawPath.slice('/files/'.length), res, head);
    const parts = rawPath.split('/').filter((s) => s !== '').map((s) => decodeSegment(s));
    if (parts.some((s) => s === null)) throw new HttpError(403, 'outside the served path');
    const [first, second, ...rest] = parts as string[];
    if (first === undefined) return sendFile(res, assets.get('index.html') as string, CONTENT_TYPES['.html'], head);
    if (first === 'api' && second === 'info' && rest.length === 0) return sendJson(res, 200, source, head);
    if (first === 'api' && second === 'anatomy') return anatomyRoute(rest, res, head);
    const asset = parts.length === 1 ? assets.get(first) : undefined;
    if (asset) return sendFile(res, asset, CONTENT_TYPES[path.extname(asset)], head);
    throw new HttpError(404, 'not found');
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : err instanceof MedsynthError && err.code === 'INVALID_ARGUMENT' ? 400 : 500;
      if (res.headersSent) res.destroy();
      else sendJson(res, status, { error: (err as Error).message ?? String(err) }, req.method === 'HEAD');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new MedsynthError('INVALID_ARGUMENT', `port ${port} on ${host} is already in use (omit --port to pick a free one)`)
          : new MedsynthError('IO_ERROR', `cannot listen on ${host}:${port}: ${err.message}`, { cause: err }),
      );
    });
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${boundPort}/`,
    host,
    port: boundPort,
    source,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await splits?.close();
    },
  };
}
