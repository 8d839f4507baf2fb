/**
 * Screenshot of `medsynth view` (docs/viewer.png): starts the viewer on PATH, opens it in
 * Debian's headless Chromium (software WebGL), waits for the volume, optionally runs a snippet
 * of page JavaScript, and writes a PNG.
 *
 *   npm run build:ts && node tools/viewer_screenshot.mjs PATH OUT.png [--size 1280x860] [--eval JS]
 */
import { chromium } from 'playwright-core';

import { startViewer } from '../dist/lib/viewer/server.js';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i === -1 ? fallback : args.splice(i, 2)[1];
};
const [width, height] = flag('--size', '1280x860').split('x').map(Number);
const script = flag('--eval', '');
const [target, out] = args;
if (!target || !out) {
  process.stderr.write('usage: node tools/viewer_screenshot.mjs PATH OUT.png [--size WxH] [--eval JS]\n');
  process.exit(2);
}

const viewer = await startViewer(target);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--no-sandbox'],
});
try {
  const page = await browser.newPage({ viewport: { width, height } });
  page.on('pageerror', (e) => process.stderr.write(`page error: ${e.message}\n`));
  await page.goto(viewer.url);
  await page.waitForSelector('body[data-state="ready"]', { timeout: 120_000 });
  if (script) {
    await page.evaluate(script);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 120_000 });
  }
  await page.screenshot({ path: out, timeout: 120_000 });
  process.stdout.write(`wrote ${out} (${width}×${height}) of ${viewer.url}\n`);
} finally {
  await browser.close();
  await viewer.close();
}
