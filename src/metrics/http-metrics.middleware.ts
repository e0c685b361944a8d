import type { NextFunction, Request, Response } from 'express';
import { httpRequests, httpRequestSeconds } from '../common/metrics';

/**
 * Times every request and labels it with the route pattern Express matched (`/api/runs/:id`), never
 * the raw URL (ids would make a series per request); requests no route matched share one label.
 */
export function recordHttpMetrics(req: Request, res: Response, next: NextFunction): void {
  const end = httpRequestSeconds.startTimer();
  res.once('close', () => {
    const pattern = req.route?.path as string | undefined;
    const labels = { method: req.method, route: pattern ? `${req.baseUrl}${pattern}` : 'unmatched', status: String(res.statusCode) };
    end(labels);
    httpRequests.inc(labels);
  });
  next();
}
