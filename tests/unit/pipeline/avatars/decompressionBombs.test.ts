/**
 * Decompression bombs (issue 15): a small .spz that declares 8.4 M splats (1.15 GB decoded) and a small LAM zip with
 * an entry declaring 128 MiB+ are refused from their declared sizes, within seconds, with peak memory far under
 * 600 MB; a zip's unused entries are never inflated. Bombs are generated here with fflate, streamed (flat memory).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Gzip, Zip, ZipDeflate, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLamZip } from '../../../../core/formats/lamZip.ts';
import { DECOMPRESSION_POLICY } from '../../../../core/formats/limits.ts';
import { makeLamZip } from '../../../fixtures/avatars/makeFixtures.ts';
import { unzipSync } from 'fflate';

const run = promisify(execFile);

/** Gzip of an SPZ v2 header declaring `numPoints` splats at SH degree 0 followed by zeros, compressed in 1 MiB pushes. */
function spzBomb(numPoints: number): Uint8Array {
  const parts: Uint8Array[] = [];
  const gz = new Gzip({ level: 9 }, (chunk) => parts.push(chunk));
  const header = new Uint8Array(16);
  const v = new DataView(header.buffer);
  v.setUint32(0, 0x5053474e, true);
  v.setUint32(4, 2, true);
  v.setUint32(8, numPoints, true);
  header[13] = 12;
  gz.push(header);
  let left = numPoints * (9 + 1 + 3 + 3 + 3); // v2 payload bytes per splat at SH degree 0
  const zeros = new Uint8Array(1 << 20);
  while (left > 0) {
    const n = Math.min(left, zeros.length);
    left -= n;
    gz.push(zeros.subarray(0, n), left === 0);
  }
  return Buffer.concat(parts);
}

/** A zip holding `name` (zeros, `bytes` long), streamed. */
function zipBomb(name: string, bytes: number, extra: Record<string, Uint8Array> = {}): Uint8Array {
  const parts: Uint8Array[] = [];
  const zip = new Zip((err, chunk) => {
    if (err) throw err;
    parts.push(chunk);
  });
  for (const [n, b] of Object.entries(extra)) {
    const e = new ZipDeflate(n, { level: 1 });
    zip.add(e);
    e.push(b, true);
  }
  const e = new ZipDeflate(name, { level: 9 });
  zip.add(e);
  const zeros = new Uint8Array(1 << 20);
  for (let left = bytes; left > 0; ) {
    const n = Math.min(left, zeros.length);
    left -= n;
    e.push(zeros.subarray(0, n), left === 0);
  }
  zip.end();
  return Buffer.concat(parts);
}

/** Reads an avatar file the way the CLI does, in a fresh Node process: its error code, time and peak RSS. */
async function readInChild(file: string): Promise<{ code: string; message: string; ms: number; maxRssMb: number }> {
  const script = `import { readAvatarFile } from './pipeline/avatars/avatarFile.ts';
const t = performance.now(); let code = 'OK', message = '';
try { await readAvatarFile(${JSON.stringify(file)}); } catch (e) { code = e.code; message = e.message; }
console.log(JSON.stringify({ code, message, ms: performance.now() - t, maxRssMb: process.resourceUsage().maxRSS / 1024 }));`;
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: process.cwd() });
  return JSON.parse(stdout.trim().split('\n').pop()!);
}

describe('decompression bombs', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bombs-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('an .spz declaring 8.4 M splats is refused from its header (DECOMPRESSION_LIMIT), fast and in little memory', async () => {
    const bytes = spzBomb(8_400_000);
    const file = join(dir, 'bomb.spz');
    await writeFile(file, bytes);
    const r = await readInChild(file);
    console.log(`spz bomb: ${bytes.length} bytes → ${r.code} in ${r.ms.toFixed(0)} ms, peak RSS ${r.maxRssMb.toFixed(0)} MB: ${r.message}`);
    expect(bytes.length).toBeLessThan(400_000);
    expect(r.code).toBe('DECOMPRESSION_LIMIT');
    expect(r.message).toMatch(/declares 8400000 splats/);
    expect(r.ms).toBeLessThan(2000);
    expect(r.maxRssMb).toBeLessThan(600);
  });

  it('a LAM zip whose offset.ply declares more than the per-entry limit is refused before inflating it', async () => {
    const base = unzipSync(makeLamZip(5));
    const skin = Object.entries(base).find(([n]) => n.endsWith('skin.glb'))!;
    const bytes = zipBomb('lam/offset.ply', DECOMPRESSION_POLICY.maxZipEntryBytes + (1 << 20), { 'lam/skin.glb': skin[1] });
    const file = join(dir, 'bomb.zip');
    await writeFile(file, bytes);
    const r = await readInChild(file);
    console.log(`zip bomb: ${bytes.length} bytes → ${r.code} in ${r.ms.toFixed(0)} ms, peak RSS ${r.maxRssMb.toFixed(0)} MB: ${r.message}`);
    expect(r.code).toBe('BAD_AVATAR_PACKAGE');
    expect(r.message).toMatch(/offset\.ply declares \d+ bytes inflated, more than/);
    expect(r.ms).toBeLessThan(2000);
    expect(r.maxRssMb).toBeLessThan(600);
  });

  it('an unused 100 MiB entry in a valid LAM zip is never inflated', () => {
    const files = unzipSync(makeLamZip(5));
    const withJunk = zipBomb('lam_fixture/unused.bin', 100 * 2 ** 20, files);
    const before = process.memoryUsage().arrayBuffers;
    const pkg = readLamZip(withJunk, 'junk.zip');
    const grownMb = (process.memoryUsage().arrayBuffers - before) / 2 ** 20;
    expect(pkg.offsetPly.length).toBeGreaterThan(0);
    expect(grownMb).toBeLessThan(50); // 100 MiB when every entry was inflated
  });

  it('an entry declaring more than deflate can expand (a lying size) is refused', () => {
    const zip = zipSync({ 'lam/skin.glb': new Uint8Array(10), 'lam/offset.ply': new Uint8Array(1000) }, { level: 9 });
    const dv = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
    // Patch offset.ply's declared size in the central directory to 50 MiB (its compressed size is a few bytes).
    for (let i = zip.length - 22; i >= 0; i--) {
      if (dv.getUint32(i, true) === 0x02014b50 && new TextDecoder().decode(zip.subarray(i + 46, i + 46 + 14)) === 'lam/offset.ply') dv.setUint32(i + 24, 50 * 2 ** 20, true);
    }
    expect(() => readLamZip(zip, 'liar.zip')).toThrow(/more than deflate can expand/);
  });
});
