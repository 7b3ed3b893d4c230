// Driving the dev server's own Temporal UI (2.54.x, bundled with the `temporal` CLI) in headless Chromium
// through playwright-core, for the browser tests in test/ui/. Needs a system Chromium (`apt-get install -y
// chromium`; CHROMIUM_PATH overrides /usr/bin/chromium) — playwright-core never downloads a browser.
// Screenshots land in test-output/ui/.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { type BrowserContext, chromium, type FrameLocator, type Locator, type Page } from 'playwright-core';
import { eventually } from './temporal';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = path.join(__dirname, '..', '..', 'test-output', 'ui');
/** The UI is a single-page app that loads its data after the page: wait for what it shows, never sleep. */
export const UI_TIMEOUT = 30_000;

export type WorkflowTab = 'timeline' | 'history' | 'user-metadata' | 'search-attributes';

/** Fails at once, before any server starts, when there is no browser to drive. */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: \`apt-get install -y chromium\` (or set CHROMIUM_PATH).`);
}

/** A free local port, for the dev server's UI. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Waits until the list API returns a workflow for the query: what the UI lists is what it returns (visibility is eventually consistent). */
export function untilListed(client: Client, query: string, what: string, timeoutMs = UI_TIMEOUT): Promise<string> {
  return eventually(async () => {
    for await (const wf of client.workflow.list({ query })) return wf.workflowId;
    return undefined;
  }, what, timeoutMs);
}

/** One headless Chromium on a Temporal UI; every wait is bounded by UI_TIMEOUT. */
export class TemporalUi {
  private constructor(
    readonly uiUrl: string,
    private readonly profileDir: string,
    private readonly browser: BrowserContext,
    readonly page: Page,
  ) {}

  /** Waits for the UI server to answer (it comes up with the dev server), then opens a browser on a fresh profile. */
  static async launch(uiUrl: string): Promise<TemporalUi> {
    requireChromium();
    mkdirSync(SCREENSHOTS, { recursive: true });
    await eventually(async () => ((await fetch(uiUrl)).ok ? true : undefined), `the Temporal UI at ${uiUrl}`);
    const profileDir = mkdtempSync(path.join(os.tmpdir(), 'temporal-ui-chromium-'));
    const browser = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1600, height: 1200 },
    });
    const page = browser.pages()[0] ?? (await browser.newPage());
    page.setDefaultTimeout(UI_TIMEOUT);
    page.setDefaultNavigationTimeout(UI_TIMEOUT);
    return new TemporalUi(uiUrl, profileDir, browser, page);
  }

  async close(): Promise<void> {
    await this.browser.close();
    rmSync(this.profileDir, { recursive: true, force: true });
  }

  async screenshot(name: string): Promise<void> {
    await this.page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
  }

  /** Waits until the locator is visible and returns its text, whitespace collapsed. */
  async visibleText(locator: Locator): Promise<string> {
    await locator.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    return (await locator.innerText()).replace(/\s+/g, ' ').trim();
  }

  listUrl(query: string): string {
    return `${this.uiUrl}/namespaces/default/workflows?query=${encodeURIComponent(query)}`;
  }

  /** Opens the workflow list for a query. */
  async list(query: string): Promise<{ rows: Locator; empty: Locator }> {
    await this.page.goto(this.listUrl(query));
    return {
      rows: this.page.getByTestId('workflows-summary-configurable-table-row'),
      empty: this.page.getByRole('heading', { name: 'No Workflows Found' }),
    };
  }

  /** Clicks one of the workflow page's tabs; opens the workflow by id first if the page is elsewhere. */
  async openTab(workflowId: string, tab: WorkflowTab): Promise<void> {
    if (!this.page.url().includes(`/workflows/${workflowId}/`)) {
      await this.page.goto(`${this.uiUrl}/namespaces/default/workflows/${encodeURIComponent(workflowId)}`);
    }
    await this.page.getByTestId(`${tab}-tab`).click();
    await this.page.waitForURL(new RegExp(`/workflows/${workflowId}/[^/]+/${tab}$`));
  }

  /** User Metadata's Summary, Details and Current Details: markdown rendered in sandboxed iframes. */
  metadata(part: 'summary' | 'details' | 'current-details'): FrameLocator {
    return this.page.locator(`iframe#user-metadata-${part}`).contentFrame();
  }
}
