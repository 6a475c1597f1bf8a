/**
 * Export jobs are queued (issue 15): each launches a browser and an encoder, so a second export waits until the
 * first has finished instead of running beside it. Inputs: a generated GLB avatar and a 0.65 s corpus word.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StudioService } from '../../../../pipeline/host/studioService.ts';
import { HAS_CORPUS, corpus } from '../../../helpers/media.ts';
import { makeGlbAvatar } from '../../../fixtures/avatars/makeFixtures.ts';

describe.skipIf(!HAS_CORPUS)('export queue', () => {
  let root: string;
  let service: StudioService;
  const events: string[] = [];
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'export-queue-'));
    service = await StudioService.create({
      host: 'web',
      workDir: join(root, 'work'),
      ownsWorkDir: true,
      outDir: join(root, 'out'),
      settingsPath: null,
      allowPaths: false,
      onEvent: (name, payload) => {
        const p = payload as { jobId: string; progress?: { stage: string } };
        if (name === 'studio:export.finished') events.push(`finished ${p.jobId}`);
        else if (name === 'studio:export.progress' && p.progress?.stage !== 'queued') events.push(`progress ${p.jobId}`);
      },
    });
  });
  afterAll(async () => {
    await service?.dispose();
    await rm(root, { recursive: true, force: true });
  });

  it('a second export starts only after the first has finished; both complete', { timeout: 300_000 }, async () => {
    const h = service.handlers();
    const bytes = (b: Uint8Array, fileName: string): { kind: 'bytes'; fileName: string; data: ArrayBuffer } => ({ kind: 'bytes', fileName, data: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer });
    const avatar = await h['studio:avatar.import']!({ source: bytes(makeGlbAvatar(), 'head.glb') });
    const audio = await h['studio:audio.import']!({ source: bytes(await readFile(corpus('audio/aud08_word_six_0p65s_derived.wav')), 'six.wav') });
    const args = { portraitId: null, avatarId: avatar.avatarId, audioId: audio.audioId, faceIndex: 0, settings: { format: 'mp4' as const, sizePx: 64, fps: { num: 25, den: 1 }, quality: 'draft' as const, alpha: false }, motion: {}, background: 'photo', framing: 'head' as const, orbit: { yawRad: 0, pitchRad: 0 }, outPath: null };
    const a = await h['studio:export.start']!(args);
    const b = await h['studio:export.start']!(args);
    const [sa, sb] = await Promise.all([service.waitForJob(a.jobId), service.waitForJob(b.jobId)]);
    expect([sa.state, sb.state]).toEqual(['done', 'done']);
    const firstOfB = events.indexOf(`progress ${b.jobId}`);
    const endOfA = events.indexOf(`finished ${a.jobId}`);
    expect(endOfA).toBeGreaterThanOrEqual(0);
    expect(firstOfB).toBeGreaterThan(endOfA); // before: both ran at once, B's progress interleaved with A's
  });
});
