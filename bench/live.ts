/**
 * Live-mode benchmark (issue 18): (1) the live engine's cost — core/live/liveMotion.ts fed 128-sample chunks, as the
 * AudioWorklet delivers them — as a share of one core, against the offline builder on the same audio (baseline
 * in the same run); (2) the studio preview while live: headless Chromium with a fake microphone playing speech,
 * drawn frames per second and the page's measured voice→mouth delay, against the same page playing the offline
 * track of the same audio (baseline in the same run). Reads the corpus at `../shared/corpus` (bench only).
 */
import { execFileSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { createLiveMotion, LIVE_LOOKAHEAD_SEC } from '../core/live/liveMotion.ts';
import { buildMotionTrack } from '../core/motion/buildMotionTrack.ts';
import { DEFAULT_MOTION_OPTIONS } from '../core/motion/options.ts';
import { decodeAudio } from '../pipeline/audio/decodeAudio.ts';
import { resolveFfmpeg } from '../pipeline/ffmpeg/ffmpegPath.ts';
import { startStudio } from '../tests/e2e/harness.ts';

const CORPUS = resolve(process.cwd(), '../shared/corpus');
const SPEECH = resolve(CORPUS, 'audio/aud01_jfk_en_flac_24bit_44k_stereo.flac');
const PORTRAIT = resolve(CORPUS, 'images/img01_frontal_ai_man_jpeg-named-png.png');

/** Prints the live engine and live preview lines for `npm run bench`. */
export async function benchLive(): Promise<void> {
  const motion = { ...DEFAULT_MOTION_OPTIONS, fps: { num: 30, den: 1 } };
  const d = await decodeAudio(SPEECH, { sampleRateHz: 48000 });
  const t0 = performance.now();
  buildMotionTrack(d.samples, d.sampleRateHz, motion);
  const offlineMs = performance.now() - t0;
  for (const [name, la] of Object.entries(LIVE_LOOKAHEAD_SEC)) {
    const live = createLiveMotion(d.sampleRateHz, { motion, lookAheadSec: la });
    const pulls: number[] = [];
    const t1 = performance.now();
    for (let i = 0; i < d.samples.length; i += 128) {
      live.push(d.samples.subarray(i, i + 128));
      const s = performance.now();
      live.pull();
      pulls.push(performance.now() - s);
    }
    const liveMs = performance.now() - t1;
    pulls.sort((a, b) => a - b);
    console.log(
      `live engine (${name}, look-ahead ${la * 1000} ms): ${d.durationSec.toFixed(1)} s of 48 kHz speech in ${liveMs.toFixed(0)} ms = ${((100 * liveMs) / 1000 / d.durationSec).toFixed(1)} % of one core at 30 fps (offline builder ${offlineMs.toFixed(0)} ms: live/offline ${(liveMs / offlineMs).toFixed(1)}×); pull p99 ${pulls[Math.floor(pulls.length * 0.99)]!.toFixed(1)} ms; engine delay ${(live.pipelineDelaySec * 1000).toFixed(1)} ms`,
    );
  }
  // The studio preview, live vs playback of the offline track, same page, same portrait, 512² canvas.
  const wav = resolve(process.cwd(), '.cache', 'bench-live-aud01.wav');
  await mkdir(resolve(process.cwd(), '.cache'), { recursive: true });
  execFileSync(resolveFfmpeg().path, ['-y', '-v', 'error', '-i', SPEECH, '-ac', '1', '-ar', '48000', '-c:a', 'pcm_s16le', wav]);
  const studio = await startStudio('bench-live-', ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${wav}`, '--autoplay-policy=no-user-gesture-required']);
  try {
    const { page } = studio;
    await page.setInputFiles('[data-testid=portrait-input]', PORTRAIT);
    await page.waitForSelector('[data-testid=landmark-overlay][data-face-count="1"]', { timeout: 90_000 });
    await page.setInputFiles('[data-testid=audio-input]', join(SPEECH));
    await page.waitForFunction(() => (globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } }).document.querySelector('[data-testid=frame-counter]')?.textContent?.includes('/275'), null, { timeout: 60_000 });
    // Baseline: drawn frames per second while the offline track plays (the canvas counts its draws).
    // (a string, so tsx's name helpers stay out of the page)
    const countDraws = async (ms: number): Promise<number> =>
      (await page.evaluate(`new Promise((done) => {
        const c = document.querySelector('[data-testid=viewport]');
        let n = 0, last = c.dataset.frameIndex;
        const t0 = performance.now();
        function tick() {
          if (c.dataset.frameIndex !== last) { n++; last = c.dataset.frameIndex; }
          if (performance.now() - t0 < ${ms}) requestAnimationFrame(tick); else done((n * 1000) / (performance.now() - t0));
        }
        requestAnimationFrame(tick);
      })`)) as number;
    await page.keyboard.press('Space');
    const playbackFps = await countDraws(6000);
    await page.keyboard.press('Space');
    await page.click('[data-testid=live-start]');
    await page.waitForSelector('[data-testid=live-stats]', { timeout: 30_000 });
    await page.waitForTimeout(7000);
    const stats = await page.$eval('[data-testid=live-stats]', (el) => ({ ...(el as unknown as { dataset: Record<string, string> }).dataset }));
    console.log(`live preview 512²: ${stats.drawFps} frames drawn/s while live (goal ≥ 30) vs ${playbackFps.toFixed(1)} frames shown/s playing the offline 25 fps track (baseline, same page); page's voice→mouth delay ${stats.lagMs} ms (goal ≤ 100); load ${loadavg()[0]!.toFixed(1)}`);
  } finally {
    await studio.close();
  }
}
