// The building blocks of every configuration schema: how a variable's text becomes a value, with a
// message that names what is wrong, and the ConfigError a process stops with.
import { z } from 'zod';
import { parseDuration } from '../domain/duration';
import { priorityRank } from '../domain/routing';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export type Env = Record<string, string | undefined>;

/** Unset and blank both mean "not configured" — `.env` files often carry `KEY=`. */
export const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

export const duration = (fallback: string, min = 0) =>
  optionalText.transform((value, ctx) => {
    const ms = parseDuration(value ?? fallback);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `must be a duration like 30s, 10m or 6h (got "${value}")` });
      return z.NEVER;
    }
    if (ms < min) {
      ctx.addIssue({ code: 'custom', message: `must be at least ${min}ms (got "${value}")` });
      return z.NEVER;
    }
    return ms;
  });

export const httpUrl = (fallback: string) =>
  optionalText.transform((value, ctx) => {
    const text = value ?? fallback;
    try {
      const url = new URL(text);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol');
      return text.replace(/\/+$/, '');
    } catch {
      ctx.addIssue({ code: 'custom', message: `must be an http(s) URL (got "${text}")` });
      return z.NEVER;
    }
  });

export const secretList = optionalText.transform((value) =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0),
);

export const port = (fallback: number) =>
  optionalText.transform((value, ctx) => {
    const n = value === undefined ? fallback : Number(value);
    if (!Number.isInteger(n) || n < 0 || n > 65535) {
      ctx.addIssue({ code: 'custom', message: `must be a port number 0-65535 (got "${value}")` });
      return z.NEVER;
    }
    return n;
  });

/** pino's levels, and `silent`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const logLevel = optionalText.transform((value, ctx) => {
  const level = value ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    ctx.addIssue({ code: 'custom', message: `must be one of ${LOG_LEVELS.join(', ')} (got "${value}")` });
    return z.NEVER;
  }
  return level;
});

/** A listener's bind address: an IP address or a host name, e.g. 127.0.0.1, 0.0.0.0, ::1, localhost. */
export const host = (fallback: string) =>
  optionalText.transform((value, ctx) => {
    const text = value ?? fallback;
    if (!/^[A-Za-z0-9.-]+$/.test(text) && !/^\[?[0-9A-Fa-f:.]+\]?$/.test(text)) {
      ctx.addIssue({ code: 'custom', message: `must be an IP address or host name to listen on, e.g. 127.0.0.1 or 0.0.0.0 (got "${value}")` });
      return z.NEVER;
    }
    return text.replace(/^\[(.*)\]$/, '$1');
  });

const HOST_NAME = /^[A-Za-z0-9.-]+$/;
const IP_LITERAL = /^[0-9A-Fa-f:.]+$/;

/**
 * A listener's `host:port` (`[::1]:9465` for IPv6), or `off`: `{ host, port }` or undefined. Unset or
 * blank is `fallback`.
 */
export const listenAddress = (fallback: string) =>
  optionalText.transform((value, ctx) => {
    const text = value ?? fallback;
    if (/^off$/i.test(text)) return undefined;
    const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(text);
    const host = match?.[1] ?? match?.[2];
    const port = Number(match?.[3]);
    if (!match || host === undefined || !(HOST_NAME.test(host) || IP_LITERAL.test(host)) || port > 65535) {
      ctx.addIssue({ code: 'custom', message: `must be host:port to listen on, e.g. 127.0.0.1:9465 or 0.0.0.0:9465, or off (got "${value}")` });
      return z.NEVER;
    }
    return { host, port };
  });

/** Loopback: reachable from this machine (or container) only. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare) || /^::ffff:127\./.test(bare);
}

/** Browser origins (scheme://host[:port]), compared with the Origin header exactly as browsers send it. */
export const origins = (fallback: string) =>
  optionalText.transform((value, ctx) => {
    const result: string[] = [];
    for (const entry of (value ?? fallback).split(',').map((s) => s.trim()).filter((s) => s.length > 0)) {
      let url: URL | undefined;
      try {
        url = new URL(entry);
      } catch {
        url = undefined;
      }
      if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || (url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
        ctx.addIssue({ code: 'custom', message: `must be comma-separated origins like http://localhost:8233, without a path (got "${entry}")` });
        return z.NEVER;
      }
      result.push(url.origin);
    }
    return result;
  });

/**
 * LOG_LEVEL alone, for the loggers every process creates before (or without) its full configuration:
 * an unknown level is a ConfigError naming the variable, not pino's bare "unknown level".
 */
export function loadLogLevel(env: Env = process.env): string {
  return parse(z.object({ LOG_LEVEL: logLevel }), env).LOG_LEVEL;
}

export const DEFAULT_TASK_QUEUE = 'incident-postmortems';

export const taskQueue = optionalText.transform((value) => value ?? DEFAULT_TASK_QUEUE);

export const list = optionalText.transform((value) =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0),
);

export const oneOf = <T extends string>(values: readonly T[], fallback: T) =>
  optionalText.transform((value, ctx) => {
    const v = (value ?? fallback).toLowerCase();
    if (!(values as readonly string[]).includes(v)) {
      ctx.addIssue({ code: 'custom', message: `must be one of ${values.join(', ')} (got "${value}")` });
      return z.NEVER;
    }
    return v as T;
  });

export const flag = (fallback: boolean) =>
  optionalText.transform((value, ctx) => {
    if (value === undefined) return fallback;
    if (/^(true|1|yes|on)$/i.test(value)) return true;
    if (/^(false|0|no|off)$/i.test(value)) return false;
    ctx.addIssue({ code: 'custom', message: `must be true or false (got "${value}")` });
    return z.NEVER;
  });

/**
 * A priority threshold: `P1`…`P9` / `SEV1`… (ranked by their number, no API needed), or any name of the
 * account's own priorities (`Critical`, ranked by `GET /priorities`). `rank` is the P/SEV number, if any.
 */
export const priorityThreshold = optionalText.transform((value, ctx) => {
  const text = value ?? 'P2';
  if (text.length > 100 || text.includes(',') || [...text].some((c) => c.charCodeAt(0) < 32)) {
    ctx.addIssue({ code: 'custom', message: `must be one priority's name, like P2, SEV-1 or Critical (got "${value}")` });
    return z.NEVER;
  }
  const rank = priorityRank(text);
  return { name: /^p\d+$/i.test(text) ? text.toUpperCase() : text, rank };
});

export const email = optionalText.transform((value, ctx) => {
  if (value !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value)) {
    ctx.addIssue({ code: 'custom', message: `must be the email address of a PagerDuty user (got "${value}")` });
    return z.NEVER;
  }
  return value;
});

export const positiveInt = optionalText.transform((value, ctx) => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) {
    ctx.addIssue({ code: 'custom', message: `must be a positive whole number (got "${value}")` });
    return z.NEVER;
  }
  return n;
});


export function parse<S extends z.ZodType>(schema: S, env: Env): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`));
}
