// The Temporal UI's remote codec endpoint (`--ui-codec-endpoint http://localhost:3001/codec`): the UI,
// running in the user's browser, posts encrypted payloads and shows what comes back decoded. Anyone who
// can reach it can read incident data, so it has its own listener (CODEC_PORT on CODEC_HOST, loopback by
// default), never the public webhook port, refuses browser requests from origins it does not know, and
// with CODEC_AUTH_TOKEN / CODEC_JWKS_URL answers only requests that authenticate (codec-auth.ts).
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { Logger } from '../config/logger';
import type { CodecAuthenticator } from './codec-auth';

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});

const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')])),
  data: Buffer.from(p.data ?? []).toString('base64'),
});

export interface CodecAppOptions {
  allowedOrigins: string[];
  /** Absent: every request that passes the origin check is answered (loopback-only deployments). */
  authenticate?: CodecAuthenticator;
  logger?: Logger;
}

export function codecRouter(codec: PayloadCodec, { allowedOrigins, authenticate, logger }: CodecAppOptions): Router {
  const router = express.Router();
  router.use((req, res, next) => {
    const origin = req.get('origin');
    // Browsers send Origin with every POST and preflight. A page of another origin (or one that
    // DNS-rebinds its name to this listener) gets nothing; the Temporal CLI sends no Origin.
    if (origin !== undefined && !allowedOrigins.includes(origin)) {
      res.status(403).json({ error: 'origin not allowed (CODEC_CORS_ORIGINS)' });
      return;
    }
    if (origin !== undefined) {
      res.set('access-control-allow-origin', origin);
      res.set('access-control-allow-methods', 'POST, OPTIONS');
      res.set('access-control-allow-headers', 'content-type, x-namespace, authorization');
      res.set('access-control-allow-credentials', 'true');
      res.set('access-control-expose-headers', 'www-authenticate');
      res.vary('origin');
    }
    // The preflight carries no credentials (browsers never send Authorization with it): not authenticated.
    if (req.method === 'OPTIONS') {
      res.sendStatus(204);
      return;
    }
    next();
  });
  if (authenticate) {
    // Before the body is read: an unauthenticated caller gets nothing decoded and costs no JSON parsing.
    router.use((req, res, next) => {
      authenticate(req.get('authorization')).then((result) => {
        if (result.ok) {
          next();
          return;
        }
        logger?.warn({ outcome: 'unauthorized', reason: result.reason, path: req.path, origin: req.get('origin'), remote: req.socket.remoteAddress }, 'codec request refused');
        res
          .status(401)
          .set('www-authenticate', result.credentialGiven ? 'Bearer realm="codec", error="invalid_token"' : 'Bearer realm="codec"')
          .json({ error: 'authentication required: Authorization: Bearer <CODEC_AUTH_TOKEN, or a JWT of the configured identity provider>' });
      }, next);
    });
  }
  router.use(express.json({ limit: '4mb' }));
  for (const operation of ['encode', 'decode'] as const) {
    router.post(`/${operation}`, async (req, res) => {
      const payloads = (req.body as { payloads?: JsonPayload[] } | undefined)?.payloads;
      if (!Array.isArray(payloads)) {
        res.status(400).json({ error: 'body must be {"payloads": [...]}' });
        return;
      }
      try {
        const result = await codec[operation](payloads.map(fromJson));
        res.json({ payloads: result.map(toJson) });
      } catch (error) {
        res.status(400).json({ error: error instanceof Error ? error.message : String(error) });
      }
    });
  }
  return router;
}

/** The codec listener's whole app: /codec/{encode,decode}, a JSON 404 for anything else. */
export function createCodecApp(codec: PayloadCodec, options: CodecAppOptions): express.Express {
  const { logger } = options;
  const app = express();
  app.disable('x-powered-by');
  app.use('/codec', codecRouter(codec, options));
  app.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = typeof error === 'object' && error !== null && 'status' in error ? Number(error.status) : 500;
    if (status === 413) {
      res.status(413).json({ error: 'body too large' });
      return;
    }
    if (status >= 400 && status < 500) {
      res.status(400).json({ error: 'unreadable request body' });
      return;
    }
    logger?.error({ err: error instanceof Error ? error.message : String(error) }, 'codec endpoint: unexpected error');
    res.status(500).json({ error: 'internal error' });
  });
  return app;
}
