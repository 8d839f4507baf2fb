/**
 * `medsynth view` in a real browser: Debian's headless Chromium (software WebGL through
 * SwiftShader) driven by playwright-core opens the page for a small anatomy dataset and a tiny
 * PET/CT cohort. Checked on the canvas's own pixels (read with gl.readPixels right after a draw):
 * the volume is drawn where NiiVue places the slice and the rest is background, the structure
 * overlay adds colour and toggling it off removes it, a legend click hides one structure; the
 * legend lists the dataset's structures. Skipped, saying why, where /usr/bin/chromium is missing.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { decodeNifti } from '../lib/io/nifti.js';
import { startViewer, type ViewerServer } from '../lib/viewer/server.js';
import { tempDir } from './helpers/tmp.js';
import { ANATOMY_SIZE, ANATOMY_SPACING, buildViewerPage, makeAnatomyDataset, makePetCtCohort } from './helpers/viewer_fixture.js';

const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const LAUNCH_ARGS = ['--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--no-sandbox'];

interface Frame {
  width: number;
  height: number;
  /** RGBA, top row first. */
  rgba: Uint8Array;
}

/** The canvas's pixels right after a draw (gl.readPixels: no preserveDrawingBuffer needed). */
async function readCanvas(page: Page): Promise<Frame> {
  const { width, height, rgba } = await page.evaluate(() => (globalThis as any).medsynthViewer.readPixels());
  const bottomUp = Buffer.from(rgba, 'base64');
  const out = new Uint8Array(bottomUp.length);
  const stride = width * 4;
  for (let y = 0; y < height; y++) out.set(bottomUp.subarray((height - 1 - y) * stride, (height - y) * stride), y * stride);
  return { width, height, rgba: out };
}

/**
 * Where NiiVue drew the anatomy sample's axial slice: [left, top, width, height] in canvas pixels,
 * from the slice tile's field of view in mm (screenSlices) and the volume's extent in mm, which
 * the NIfTI header's spacing and centred affine give: x in ±X·sx/2, y in ±Y·sy/2.
 */
async function axialVolumeRect(page: Page): Promise<{ rect: [number, number, number, number]; tile: number[]; fovMM: number[] }> {
  const s = await page.evaluate(() => {
    const t = (globalThis as any).medsynthViewer.nv.screenSlices[0];
    return { tile: Array.from(t.leftTopWidthHeight as number[]), leftTopMM: Array.from(t.leftTopMM as number[]), fovMM: Array.from(t.fovMM as number[]) };
  });
  const [L, T, W, H] = s.tile;
  const halfX = (ANATOMY_SIZE[2] * ANATOMY_SPACING[2]) / 2;
  const halfY = (ANATOMY_SIZE[1] * ANATOMY_SPACING[1]) / 2;
  const px = (mm: number) => L + ((mm - s.leftTopMM[0]) / s.fovMM[0]) * W;
  const py = (mm: number) => T + H - ((mm - s.leftTopMM[1]) / s.fovMM[1]) * H;
  const [x0, x1] = [px(-halfX), px(halfX)].sort((a, b) => a - b);
  const [y0, y1] = [py(-halfY), py(halfY)].sort((a, b) => a - b);
  return { rect: [Math.round(x0), Math.round(y0), Math.round(x1 - x0), Math.round(y1 - y0)], tile: s.tile, fovMM: s.fovMM };
}

/** Moves the slice slider as a user's drag does (value, then an input event). */
async function setSlider(page: Page, k: number): Promise<void> {
  await page.$eval('#slice', (e, value) => {
    (e as unknown as { value: string }).value = String(value);
    e.dispatchEvent(new Event('input'));
  }, k);
  expect(await page.inputValue('#slice')).toBe(String(k));
}

/** `rect` grown (or shrunk, for negative d) by d pixels on every side. */
const grow = ([l, t, w, h]: readonly number[], d: number): number[] => [l - d, t - d, w + 2 * d, h + 2 * d];

interface RegionStats {
  pixels: number;
  /** Pixels brighter than the background (max channel > 24). */
  lit: number;
  /** Pixels with colour (channels differ by > 40). */
  colored: number;
  distinct: number;
}

function stats(f: Frame, [l, t, w, h]: readonly number[], inside = true): RegionStats {
  let pixels = 0;
  let lit = 0;
  let colored = 0;
  const values = new Set<number>();
  for (let y = 0; y < f.height; y++) {
    for (let x = 0; x < f.width; x++) {
      const inTile = x >= l && x < l + w && y >= t && y < t + h;
      if (inTile !== inside) continue;
      const o = 4 * (y * f.width + x);
      const [r, g, b] = [f.rgba[o], f.rgba[o + 1], f.rgba[o + 2]];
      pixels++;
      if (Math.max(r, g, b) > 24) lit++;
      if (Math.max(r, g, b) - Math.min(r, g, b) > 40) colored++;
      values.add((r << 16) | (g << 8) | b);
    }
  }
  return { pixels, lit, colored, distinct: values.size };
}

function changedPixels(a: Frame, b: Frame): number {
  let n = 0;
  for (let i = 0; i < a.rgba.length; i += 4) {
    if (Math.abs(a.rgba[i] - b.rgba[i]) + Math.abs(a.rgba[i + 1] - b.rgba[i + 1]) + Math.abs(a.rgba[i + 2] - b.rgba[i + 2]) > 12) n++;
  }
  return n;
}

async function openViewer(browser: Browser, url: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1000, height: 720 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // Failed requests and Content-Security-Policy violations are console errors.
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(url);
  await page.waitForSelector('body[data-state="ready"]', { timeout: 120_000 }).catch(async (err) => {
    const status = await page.textContent('#status').catch(() => '');
    throw new Error(`page never became ready (status: ${status}; page errors: ${errors.join('; ')}): ${err.message}`);
  });
  expect(errors).toEqual([]);
  return page;
}

const title = HAVE_CHROMIUM ? 'medsynth view: in headless Chromium' : `medsynth view: in headless Chromium — SKIPPED: ${CHROMIUM} not found (Debian: apt-get install chromium)`;

describe.skipIf(!HAVE_CHROMIUM)(title, () => {
  const tmp = tempDir('medsynth-viewer-browser-');
  const anatomyDir = path.join(tmp.dir, 'anatomy');
  const petctDir = path.join(tmp.dir, 'petct');
  let browser: Browser;
  let anatomy: ViewerServer;
  let petct: ViewerServer;

  beforeAll(async () => {
    const page = path.join(tmp.dir, 'page');
    buildViewerPage(page);
    await makeAnatomyDataset(anatomyDir, 'onehot');
    await makePetCtCohort(petctDir);
    anatomy = await startViewer(anatomyDir, { pageDir: page });
    petct = await startViewer(petctDir, { pageDir: page });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await anatomy?.close();
    await petct?.close();
    tmp.cleanup();
  });

  it('draws an anatomy sample, its structure overlay toggles, and the legend lists the structures', async () => {
    const page = await openViewer(browser, anatomy.url);
    await page.selectOption('#axis', 'axial');

    const names = await page.$$eval('#legend li .name', (els) => els.map((e) => e.textContent ?? ''));
    const structures = anatomy.source.kind === 'anatomy' ? anatomy.source.structures.map((s) => s.name) : [];
    expect(structures.length).toBeGreaterThan(5);
    expect(names.map((n) => n.replace(/ \(absent\)$/, ''))).toEqual(structures);
    const swatches = await page.$$eval('#legend li .swatch', (els) => els.map((e) => (globalThis as any).getComputedStyle(e).backgroundColor as string));
    expect(swatches[0]).toBe(`rgb(${(anatomy.source as unknown as { structures: Array<{ color: number[] }> }).structures[0].color.join(', ')})`);

    // Show the train sample and axial slice with the most structures in view (from the served label maps).
    let best = { row: 0, k: 0, counts: new Map<number, number>() };
    for (let row = 0; row < (anatomy.source as { splits: Array<{ count: number }> }).splits[0].count; row++) {
      const labels = decodeNifti(Buffer.from(await (await fetch(`${anatomy.url}api/anatomy/train/${row}/labels.nii`)).arrayBuffer()));
      const [Z, Y, X] = labels.dims;
      for (let z = 0; z < Z; z++) {
        const counts = new Map<number, number>();
        for (const v of labels.data.subarray(z * Y * X, (z + 1) * Y * X)) if (v > 0) counts.set(v, (counts.get(v) ?? 0) + 1);
        if (counts.size > best.counts.size) best = { row, k: z, counts };
      }
    }
    expect(best.counts.size).toBeGreaterThan(1);
    if (best.row !== 0) {
      await page.$eval('#sample', (e, row) => {
        (e as unknown as { value: string }).value = String(row);
        e.dispatchEvent(new Event('change'));
      }, best.row);
      await page.waitForFunction((r) => (globalThis as any).document.getElementById('status')?.textContent === `train sample ${r} loaded`, best.row, { timeout: 120_000 });
    }
    const k = best.k;
    await setSlider(page, k);

    const withOverlay = await readCanvas(page);
    const { rect, tile, fovMM } = await axialVolumeRect(page);
    // NiiVue fits the slice to the tile: one of its sides spans the tile exactly (the header's
    // spacing decides which and how long the other is).
    expect(Math.min(Math.abs(Math.abs(fovMM[0]) - ANATOMY_SIZE[2] * ANATOMY_SPACING[2]), Math.abs(Math.abs(fovMM[1]) - ANATOMY_SIZE[1] * ANATOMY_SPACING[1]))).toBeLessThan(1e-3);
    expect(rect[2]).toBeLessThanOrEqual(tile[2] + 1);
    expect(rect[3]).toBeLessThanOrEqual(tile[3] + 1);
    const inTile = stats(withOverlay, grow(rect, -2));
    const outside = stats(withOverlay, grow(rect, 2), false);
    // The volume's rectangle holds a body with noise and structures (many colours); around it, black.
    expect(inTile.lit / inTile.pixels).toBeGreaterThan(0.15);
    expect(inTile.distinct).toBeGreaterThan(20);
    expect(outside.lit / Math.max(outside.pixels, 1)).toBeLessThan(0.02);
    expect(inTile.colored / inTile.pixels).toBeGreaterThan(0.02);

    await page.uncheck('#overlay-on');
    const withoutOverlay = await readCanvas(page);
    const plain = stats(withoutOverlay, grow(rect, -2));
    // Without the overlay only the crosshair is coloured: the overlay's pixels lose their colour.
    const overlayPixels = inTile.colored - plain.colored;
    expect(overlayPixels).toBeGreaterThan(0.02 * inTile.pixels);
    expect(changedPixels(withOverlay, withoutOverlay)).toBeGreaterThan(0.5 * overlayPixels);
    expect(plain.lit / plain.pixels).toBeGreaterThan(0.15);

    await page.check('#overlay-on');
    const again = await readCanvas(page);
    expect(changedPixels(withOverlay, again)).toBeLessThan(0.001 * inTile.pixels);

    // Hiding the commonest structure of the slice through its legend entry changes some pixels, not all.
    const commonest = [...best.counts.entries()].sort((a, b) => b[1] - a[1])[0][0];
    await page.click(`#legend li[data-value="${commonest}"]`);
    const hiddenOne = changedPixels(withOverlay, await readCanvas(page));
    expect(hiddenOne).toBeGreaterThan(0);
    expect(hiddenOne).toBeLessThan(changedPixels(withOverlay, withoutOverlay));
    expect(await page.getAttribute(`#legend li[data-value="${commonest}"]`, 'class')).toContain('hidden');
    await page.close();
  }, 240_000);

  it('moves through slices with the slider and loads another sample', async () => {
    const page = await openViewer(browser, anatomy.url);
    await page.selectOption('#axis', 'axial');
    expect(await page.getAttribute('#slice', 'max')).toBe('15'); // 16 axial slices
    const before = await readCanvas(page);
    await setSlider(page, 3);
    expect(await page.textContent('#slice-value')).toBe('3 / 15');
    expect(changedPixels(before, await readCanvas(page))).toBeGreaterThan(100);

    await page.click('#next-sample');
    await page.waitForFunction(() => (globalThis as any).document.getElementById('status')?.textContent === 'train sample 1 loaded', undefined, { timeout: 120_000 });
    expect(await page.textContent('#sample-info')).toMatch(/row 1 of 3 · sample #\d+ · scenario: \w+/);
    await page.close();
  }, 240_000);

  it('shows a PET/CT patient: CT, PET in a hot colour map and the tumour mask, with its legend', async () => {
    const page = await openViewer(browser, petct.url);
    const loaded = await page.evaluate(() => {
      const nv = (globalThis as any).medsynthViewer.nv;
      return nv.volumes.map((v: any) => ({ name: v.name, colormap: v.colormap, label: v.colormapLabel !== null && v.colormapLabel !== undefined }));
    });
    expect(loaded.map((v: { name: string }) => v.name)).toEqual(['ct.nii.gz', 'pet.nii.gz', 'seg.nii.gz']);
    expect(loaded[1].colormap).toBe('hot');
    expect(loaded[2].label).toBe(true);
    expect(await page.$$eval('#legend li .name', (els) => els.map((e) => e.textContent))).toEqual(['primary tumour', 'lymph node or metastasis']);
    expect(await page.textContent('#patient-info')).toMatch(/age \d+/);

    const withPet = await readCanvas(page);
    const lit = stats(withPet, [0, 0, withPet.width, withPet.height]);
    expect(lit.lit / lit.pixels).toBeGreaterThan(0.1);
    expect(lit.colored).toBeGreaterThan(100); // PET in 'hot' and the mask outline
    await page.uncheck('#pet-on');
    expect(changedPixels(withPet, await readCanvas(page))).toBeGreaterThan(100);
    await page.close();
  }, 240_000);
});
