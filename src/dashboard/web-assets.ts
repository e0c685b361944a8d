import type { NextFunction, Request, RequestHandler, Response } from 'express';
import * as express from 'express';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Paths the dashboard never answers: the API, its docs, health and metrics keep their own 404s. */
const NOT_PAGES = /^\/(api|docs|docs-json|health|metrics)(\/|$)/;

/**
 * Policy for the dashboard's pages: scripts and data only from this origin, so even a miner's text
 * that got past React's escaping could not load or run anything.
 */
const PAGE_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Serves the built dashboard: its files (hashed assets cached for good), and index.html for every
 * other GET so that page URLs load the app (the router picks the page). Mounted after the API's
 * routes, so it never shadows one. Returns null when the dashboard was not built.
 */
export function webAssets(dir: string): RequestHandler | null {
  const index = path.join(dir, 'index.html');
  if (!fs.existsSync(index)) return null;
  const files = express.static(dir, {
    index: false,
    fallthrough: true,
    setHeaders: (res, file) => {
      const hashed = file.startsWith(path.join(dir, 'assets') + path.sep);
      res.setHeader('Cache-Control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
      res.setHeader('X-Content-Type-Options', 'nosniff');
    },
  });
  return (req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || NOT_PAGES.test(req.path)) return next();
    files(req, res, () => {
      // A missing asset is a 404, not the app; everything else is a page of the app.
      if (req.path.startsWith('/assets/')) return next();
      res.setHeader('Content-Security-Policy', PAGE_POLICY);
      res.setHeader('Cache-Control', 'no-cache');
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.sendFile(index);
    });
  };
}
