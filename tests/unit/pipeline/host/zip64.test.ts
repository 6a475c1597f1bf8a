/**
 * PNG-sequence archives past the classic zip limits (issue 15): 65 600 entries need the ZIP64 end records
 * (APPNOTE.TXT 6.3, 4.3.14 / 4.3.15); without them the count wraps at 65 536 and readers see a corrupt archive.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zipFiles } from '../../../../pipeline/host/studioService.ts';

const COUNT = 65_600;

describe('zipFiles beyond 65 535 entries', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'zip64-'));
    await mkdir(join(dir, 'frames'));
    for (let i = 0; i < COUNT; i += 500) await Promise.all(Array.from({ length: Math.min(500, COUNT - i) }, (_, k) => writeFile(join(dir, 'frames', `f${String(i + k).padStart(5, '0')}.png`), String(i + k))));
  }, 120_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes ZIP64 end records that count every entry', { timeout: 180_000 }, async () => {
    const names = Array.from({ length: COUNT }, (_, i) => `f${String(i).padStart(5, '0')}.png`);
    const zipPath = join(dir, 'seq.zip');
    await zipFiles(join(dir, 'frames'), names, zipPath, { folderName: 'frames', mtimeMs: Date.UTC(2024, 0, 1) });
    const z = await readFile(zipPath);
    // ZIP64 end of central directory record: signature 0x06064b50; total entries (uint64) at +32.
    const at = z.lastIndexOf(Buffer.from([0x50, 0x4b, 0x06, 0x06]));
    expect(at).toBeGreaterThan(0);
    expect(Number(z.readBigUInt64LE(at + 32))).toBe(COUNT);
    // The classic record (0x06054b50) defers to it with 0xFFFF.
    const eocd = z.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    expect(z.readUInt16LE(eocd + 10)).toBe(0xffff);
  });
});
