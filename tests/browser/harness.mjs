// Shared machinery for the browser journeys: starts the real `seam` binary
// on a fresh database (SQLite, or a throwaway PostgreSQL schema), launches
// headless Chromium, and turns a failing step into an error that names the
// page and a screenshot.

import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..');
export const artifactsDir = path.join(here, 'artifacts');

export const DEMO_PASSWORD = 'seam demo 2026!';

/** A TCP port nobody listens on right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * The databases to run the journeys against: always SQLite, and PostgreSQL
 * when `SEAM_TEST_PG_URL` is set. `create()` returns `{ url, drop() }`.
 */
export function backends() {
  const list = [
    {
      name: 'sqlite',
      create() {
        const dir = mkdtempSync(path.join(tmpdir(), 'seam-browser-'));
        return {
          url: `sqlite://${path.join(dir, 'seam.sqlite')}`,
          drop() {
            rmSync(dir, { recursive: true, force: true });
          },
        };
      },
    },
  ];
  const pg = process.env.SEAM_TEST_PG_URL;
  if (pg) {
    list.push({
      name: 'postgres',
      create() {
        const schema = `b_${randomBytes(8).toString('hex')}`;
        psql(pg, `CREATE SCHEMA ${schema}`);
        const sep = pg.includes('?') ? '&' : '?';
        return {
          url: `${pg}${sep}options=-csearch_path%3D${schema}`,
          drop() {
            psql(pg, `DROP SCHEMA IF EXISTS ${schema} CASCADE`);
          },
        };
      },
    });
  }
  return list;
}

function psql(url, sql) {
  execFileSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-q', '-c', sql], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

/**
 * Starts `seam demo` on `databaseUrl` and waits until /readyz answers 200.
 * Returns `{ baseUrl, log(), stop() }`; `log()` is the tail of its output.
 */
export async function startSeam(databaseUrl) {
  const bin = path.resolve(repoRoot, process.env.SEAM_BIN || 'target/debug/seam');
  const port = await freePort();
  const listen = `127.0.0.1:${port}`;
  const child = spawn(bin, ['--database-url', databaseUrl, 'demo', '--listen', listen], {
    cwd: repoRoot,
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG || 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Never leave a server behind, even when the test process dies early.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let output = '';
  const keep = (chunk) => {
    output = (output + chunk.toString()).slice(-8000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = null;
  const exit = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      process.removeListener('exit', killOnExit);
      resolve();
    });
    child.on('error', (err) => {
      exited = { error: err.message };
      resolve();
    });
  });

  const stop = async () => {
    if (exited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exit;
    clearTimeout(timer);
  };

  const baseUrl = `http://${listen}`;
  const deadline = Date.now() + 60_000;
  let last = 'no answer yet';
  while (true) {
    if (exited) {
      throw new Error(`seam exited before it was ready (${JSON.stringify(exited)}); output:\n${output}`);
    }
    try {
      const res = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) break;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = err.cause?.code || err.message;
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`seam did not become ready within 60 s at ${baseUrl}/readyz (last: ${last}); output:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { baseUrl, log: () => output, stop };
}

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Path of the screenshot `<backend>-<name>.png`, relative to the repo root for messages. */
export async function screenshot(page, backend, name) {
  mkdirSync(artifactsDir, { recursive: true });
  const file = path.join(artifactsDir, `${backend}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return path.relative(repoRoot, file);
}

/**
 * Removes the failure screenshots of an earlier run, so the ones left are this
 * run's; with `prefix`, only those of journeys whose names start with it.
 */
export function clearFailureShots(backend, prefix = '') {
  mkdirSync(artifactsDir, { recursive: true });
  for (const file of readdirSync(artifactsDir)) {
    if (file.startsWith(`${backend}-${prefix}`) && file.endsWith('-FAILED.png')) {
      rmSync(path.join(artifactsDir, file), { force: true });
    }
  }
}

/**
 * Runs one journey in a fresh browser context (no cookies) and, when it
 * fails, rethrows with the page URL, a failure screenshot and the server's
 * recent output.
 */
export async function journey(env, name, body, contextOptions = {}) {
  const context = await env.browser.newContext({
    baseURL: env.server.baseUrl,
    locale: 'en-US',
    viewport: { width: 1280, height: 800 },
    ...contextOptions,
  });
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(15_000);
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('console', (msg) => {
    // An error status is part of several journeys; everything else logged as an
    // error (CSP violations, script errors) is a finding.
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) {
      pageErrors.push(msg.text());
    }
  });
  try {
    await body(page);
    if (pageErrors.length) {
      throw new Error(`the page logged errors:\n  ${pageErrors.join('\n  ')}`);
    }
  } catch (err) {
    let shot = '(no screenshot)';
    try {
      shot = await screenshot(page, env.backend, `${name}-FAILED`);
    } catch (shotErr) {
      shot = `(screenshot failed: ${shotErr.message})`;
    }
    const detail = [
      `[${env.backend}] journey "${name}" failed on ${page.url()}`,
      `screenshot: ${shot}`,
      err.message,
      pageErrors.length ? `page errors:\n  ${pageErrors.join('\n  ')}` : '',
      `server output (tail):\n${env.server.log().slice(-2000)}`,
    ]
      .filter(Boolean)
      .join('\n');
    const wrapped = new Error(detail);
    wrapped.stack = `${detail}\n${err.stack || ''}`;
    throw wrapped;
  } finally {
    await context.close();
  }
}

/** Logs in through the form and waits for the home page. */
export async function login(page, username) {
  await page.goto('/login');
  await page.fill('#username', username);
  await page.fill('#password', DEMO_PASSWORD);
  await Promise.all([
    page.waitForURL((url) => url.pathname !== '/login', { timeout: 15_000 }),
    page.click('main form button[type=submit]'),
  ]);
}

/** The visible texts of the links and headings of the side navigation. */
export async function navigation(page) {
  const nav = page.locator('nav.side');
  return {
    headings: (await nav.locator("h2").allTextContents()).map((t) => t.trim()),
    links: (await nav.locator("a").allTextContents()).map((t) => t.trim()),
  };
}

/** An SMTP sink on 127.0.0.1 that keeps every message it accepts. */
export function smtpSink() {
  const messages = [];
  const server = net.createServer((socket) => {
    let buffer = '';
    let inData = false;
    let data = '';
    const to = [];
    socket.write('220 sink ESMTP\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let at;
      while ((at = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, at);
        buffer = buffer.slice(at + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            messages.push({ to: [...to], data });
            data = '';
            to.length = 0;
            socket.write('250 OK\r\n');
          } else {
            data += (line.startsWith('.') ? line.slice(1) : line) + '\r\n';
          }
          continue;
        }
        const verb = line.split(' ')[0].toUpperCase();
        if (verb === 'EHLO') socket.write('250-sink\r\n250 8BITMIME\r\n');
        else if (verb === 'DATA') {
          inData = true;
          socket.write('354 go on\r\n');
        } else if (verb === 'QUIT') {
          socket.end('221 bye\r\n');
        } else {
          if (verb === 'RCPT') to.push(line.replace(/.*<(.*)>.*/, '$1'));
          socket.write('250 OK\r\n');
        }
      }
    });
    socket.on('error', () => {});
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ port: server.address().port, messages, close: () => server.close() }));
  });
}

/** The unfolded value of header `name` in a raw message. */
export function header(raw, name) {
  const head = raw.split('\r\n\r\n')[0].replace(/\r\n[ \t]+/g, ' ');
  const line = head.split('\r\n').find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line ? line.slice(name.length + 1).trim() : null;
}
