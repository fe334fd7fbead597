/**
 * Prints an HTML page to PDF with Debian's Chromium, driven headless through playwright-core
 * (ADR 0015). Each print runs in a fresh browser with a new, empty profile directory that is
 * removed afterwards; JavaScript is off and every network request is refused, so the page can
 * only show what it carries inline. A missing browser and a print that overruns its time limit
 * are coded errors.
 */
import { constants } from 'node:fs';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PortcullisError } from '../core/errors.js';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface PdfOptions {
  executablePath?: string;
  /** For the whole print: launch, load, print, close. */
  timeoutMs?: number;
  /** Where the throwaway profile directory is made. */
  tempDir?: string;
}

export type PrintPdf = (html: string) => Promise<Buffer>;

async function ensureExecutable(path: string): Promise<void> {
  try {
    await access(path, constants.X_OK);
  } catch (cause) {
    throw new PortcullisError(
      'NOT_FOUND',
      `cannot print PDF: no Chromium at ${path} (install Debian's chromium package)`,
      { cause, details: { executablePath: path } },
    );
  }
}

export async function printPdf(htmlText: string, options: PdfOptions = {}): Promise<Buffer> {
  const executablePath = options.executablePath ?? DEFAULT_CHROMIUM;
  const timeoutMs = options.timeoutMs ?? 60_000;
  await ensureExecutable(executablePath);
  const { chromium } = await import('playwright-core');
  const profile = await mkdtemp(join(options.tempDir ?? tmpdir(), 'portcullis-pdf-'));
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), timeoutMs);
  let context: Awaited<ReturnType<typeof chromium.launchPersistentContext>> | undefined;
  const work = (async () => {
    context = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      args: [...CHROMIUM_ARGS],
      javaScriptEnabled: false,
      offline: true,
      timeout: timeoutMs,
    });
    await context.route('**/*', (route) => route.abort());
    const page = context.pages()[0] ?? (await context.newPage());
    await page.setContent(htmlText, { waitUntil: 'load', timeout: timeoutMs });
    return page.pdf({
      format: 'A4',
      printBackground: true,
      margin: { top: '12mm', bottom: '12mm', left: '10mm', right: '10mm' },
    });
  })();
  const expired = new Promise<never>((_, reject) =>
    deadline.signal.addEventListener('abort', () =>
      reject(new PortcullisError('TIMEOUT', `printing the PDF took longer than ${timeoutMs} ms`)),
    ),
  );
  try {
    return await Promise.race([work, expired]);
  } catch (err) {
    if (err instanceof PortcullisError) throw err;
    throw new PortcullisError('IO', `Chromium could not print the PDF: ${(err as Error).message}`, {
      cause: err,
    });
  } finally {
    clearTimeout(timer);
    // After a timeout the launch may still finish: close that browser too, then drop the profile.
    await Promise.race([work.catch(() => undefined), new Promise((r) => setTimeout(r, 5_000))]);
    await context?.close().catch(() => undefined);
    await rm(profile, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** A printer bound to its options, for the composition roots. */
export function pdfPrinter(options: PdfOptions = {}): PrintPdf {
  return (htmlText) => printPdf(htmlText, options);
}
