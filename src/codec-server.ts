// The Temporal UI's remote codec endpoint (`--ui-codec-endpoint http://<bridge>/codec`): the UI posts
// encrypted payloads and shows what comes back decoded. Anyone who can reach it can read incident data,
// so expose it only where the Temporal UI's users are.
import express, { type Router } from 'express';
import type { Payload, PayloadCodec } from '@temporalio/common';

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

export function codecRouter(codec: PayloadCodec, allowedOrigins: string[]): Router {
  const router = express.Router();
  router.use((req, res, next) => {
    const origin = req.get('origin');
    if (origin && allowedOrigins.includes(origin)) {
      res.set('access-control-allow-origin', origin);
      res.set('access-control-allow-methods', 'POST, OPTIONS');
      res.set('access-control-allow-headers', 'content-type, x-namespace, authorization');
      res.set('access-control-allow-credentials', 'true');
    }
    if (req.method === 'OPTIONS') {
      res.sendStatus(204);
      return;
    }
    next();
  });
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
