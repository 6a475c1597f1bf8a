/**
 * Child process of {@link benchAudio}: analyses one file (streamed) and prints its peak memory as JSON.
 * Usage: `node --import tsx bench/audioWorker.ts <audio file>`.
 */
import { audioFileToMotionTrack } from '../pipeline/audio/audioToMotion.ts';
import { DEFAULT_MOTION_OPTIONS } from '../core/motion/options.ts';

const path = process.argv[2];
if (!path) throw new Error('usage: audioWorker.ts <audio file>');
const baseRssBytes = process.memoryUsage().rss;
const t0 = performance.now();
const { track, source } = await audioFileToMotionTrack(path, DEFAULT_MOTION_OPTIONS);
const elapsedMs = performance.now() - t0;
// maxRSS is in kilobytes (getrusage ru_maxrss).
const peakRssBytes = process.resourceUsage().maxRSS * 1024;
process.stdout.write(JSON.stringify({ durationSec: source.durationSec, frameCount: track.frameCount, elapsedMs, baseRssBytes, peakRssBytes }) + '\n');
