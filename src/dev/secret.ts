// The webhook signing secret `npm run dev` generates for local use, kept across restarts so that
// `npm run simulate` (or a PagerDuty test subscription) and the bridge agree.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../config/temporal-cli';

export const DATA_DIR = path.join(PROJECT_ROOT, '.data');
export const DEV_SECRET_FILE = path.join(DATA_DIR, 'dev-webhook-secret');

export function readDevWebhookSecret(): string | undefined {
  return existsSync(DEV_SECRET_FILE) ? readFileSync(DEV_SECRET_FILE, 'utf8').trim() : undefined;
}

export function devWebhookSecret(): string {
  const existing = readDevWebhookSecret();
  if (existing) return existing;
  mkdirSync(DATA_DIR, { recursive: true });
  const secret = randomBytes(24).toString('base64url');
  writeFileSync(DEV_SECRET_FILE, `${secret}\n`, { mode: 0o600 });
  return secret;
}
