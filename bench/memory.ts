/**
 * Memory on long audio (`npm run bench -- memory`): renders corpus speech looped to 60 s and 300 s (and an hour with
 * `--range 0-2`, which builds and hands over the whole hour's motion but renders 2 s) through the CLI at 128², and
 * samples the summed RSS of every process of the render (Node, the browser's processes, ffmpeg) every 0.5 s.
 * @remarks Goal (issue 15): flat memory — the peak at 300 s within 60 MB of the peak at 60 s — and under 1 GiB for
 * all processes together, for an hour too. No timing goal. Linux only (reads /proc). Reads the test corpus at
 * `../shared/corpus` (bench only; the product never does). Measured before the packed track (one machine, loaded):
 * the hour with `--range 0-2` rose past 1.43 GB while its track was sent; after, one run on the loaded 2-core dev
 * machine: 60 s 768 MB, 300 s 731 MB, the hour with `--range 0-2` 764 MB (Node ≈ 300–350, browser ≈ 410, ffmpeg 17).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resolveFfmpeg } from '../pipeline/ffmpeg/ffmpegPath.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const CORPUS = path.resolve(ROOT, '../shared/corpus');
const SAMPLE_MS = 500;

/** Runs a command to completion; rejects with its stderr tail on a non-zero exit. */
function run(cmd: string, args: string[], onStart?: (pid: number) => void): Promise<void> {
  return new Promise((ok, fail) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
    if (child.pid) onStart?.(child.pid);
    child.on('error', fail);
    child.on('close', (code) => (code === 0 ? ok() : fail(new Error(`${path.basename(cmd)} exited ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`))));
  });
}

/** RSS in bytes of a process and all its descendants, by role, from /proc. */
async function treeRss(rootPid: number): Promise<{ totalBytes: number; nodeBytes: number; browserBytes: number; ffmpegBytes: number }> {
  const parent = new Map<number, number>();
  const info = new Map<number, { rssBytes: number; cmd: string }>();
  for (const name of await readdir('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    try {
      const status = await readFile(`/proc/${pid}/status`, 'utf8');
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1] ?? 0);
      const rssKb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
      parent.set(pid, ppid);
      info.set(pid, { rssBytes: rssKb * 1024, cmd: (await readFile(`/proc/${pid}/cmdline`, 'utf8')).slice(0, 300) });
    } catch {
      // the process ended while we looked
    }
  }
  const inTree = (pid: number): boolean => {
    for (let p = pid, hops = 0; p > 1 && hops < 64; p = parent.get(p) ?? 0, hops++) if (p === rootPid) return true;
    return false;
  };
  const out = { totalBytes: 0, nodeBytes: 0, browserBytes: 0, ffmpegBytes: 0 };
  for (const [pid, { rssBytes, cmd }] of info) {
    if (!inTree(pid)) continue;
    out.totalBytes += rssBytes;
    if (/ffmpeg/.test(cmd)) out.ffmpegBytes += rssBytes;
    else if (/chrom|headless_shell/i.test(cmd)) out.browserBytes += rssBytes;
    else out.nodeBytes += rssBytes;
  }
  return out;
}

/** Renders one clip through the CLI and returns the peak RSS of all its processes (and by role at that moment). */
async function peakRssOfRender(audioPath: string, outPath: string, extra: string[] = []): Promise<{ totalMb: number; nodeMb: number; browserMb: number; ffmpegMb: number }> {
  let peak = { totalBytes: 0, nodeBytes: 0, browserBytes: 0, ffmpegBytes: 0 };
  const sampling: { timer?: NodeJS.Timeout } = {};
  await run(process.execPath, [path.join(ROOT, 'bin/avatar-studio.mjs'), 'render', '--portrait', path.join(CORPUS, 'images/img05_elderly_woman_painting_ai.png'), '--audio', audioPath, '--size', '128', '--quiet', '--out', outPath, ...extra], (pid) => {
    let busy = false;
    sampling.timer = setInterval(() => {
      if (busy) return;
      busy = true;
      void treeRss(pid)
        .then((r) => {
          if (r.totalBytes > peak.totalBytes) peak = r;
        })
        .finally(() => (busy = false));
    }, SAMPLE_MS);
  }).finally(() => clearInterval(sampling.timer));
  const mb = (b: number): number => Math.round(b / 2 ** 20);
  return { totalMb: mb(peak.totalBytes), nodeMb: mb(peak.nodeBytes), browserMb: mb(peak.browserBytes), ffmpegMb: mb(peak.ffmpegBytes) };
}

/** Runs the memory benchmark and prints one line per clip length. */
export async function benchMemory(): Promise<void> {
  if (process.platform !== 'linux') return void process.stdout.write('memory bench: Linux only (reads /proc); skipped\n');
  if (!existsSync(CORPUS)) return void process.stdout.write(`memory bench: no corpus at ${CORPUS}; skipped\n`);
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-memory-'));
  try {
    const ffmpeg = resolveFfmpeg().path;
    const speech = ['audio/aud01_jfk_en_flac_24bit_44k_stereo.flac', 'audio/aud03_german_wav_24bit_48k_stereo.wav', 'audio/aud05_noisy_speech_vctk_p287_003.wav'].map((p) => path.join(CORPUS, p));
    const base = path.join(dir, 'speech.wav');
    await run(ffmpeg, ['-v', 'error', '-y', ...speech.flatMap((p) => ['-i', p]), '-filter_complex', `${speech.map((_, i) => `[${i}:a]aresample=16000,aformat=channel_layouts=mono[a${i}]`).join(';')};${speech.map((_, i) => `[a${i}]`).join('')}concat=n=${speech.length}:v=0:a=1`, '-c:a', 'pcm_s16le', base]);
    const looped = async (sec: number): Promise<string> => {
      const p = path.join(dir, `speech-${sec}s.wav`);
      await run(ffmpeg, ['-v', 'error', '-y', '-stream_loop', '-1', '-i', base, '-t', String(sec), '-c:a', 'pcm_s16le', p]);
      return p;
    };
    const rows: [string, Awaited<ReturnType<typeof peakRssOfRender>>][] = [];
    for (const sec of [60, 300]) rows.push([`${sec} s of audio`, await peakRssOfRender(await looped(sec), path.join(dir, `out-${sec}.mp4`))]);
    rows.push(['3600 s of audio, --range 0-2', await peakRssOfRender(await looped(3600), path.join(dir, 'out-3600.mp4'), ['--range', '0-2'])]);
    for (const [name, r] of rows) process.stdout.write(`${name.padEnd(30)} peak RSS of all processes ${String(r.totalMb).padStart(5)} MB  (Node ${r.nodeMb}, browser ${r.browserMb}, ffmpeg ${r.ffmpegMb})\n`);
    const growthMb = rows[1]![1].totalMb - rows[0]![1].totalMb;
    const worst = Math.max(...rows.map(([, r]) => r.totalMb));
    process.stdout.write(`300 s vs 60 s: ${growthMb >= 0 ? '+' : ''}${growthMb} MB (goal: within 60 MB) ${Math.abs(growthMb) <= 60 ? 'ok' : 'MISSED'}; worst peak ${worst} MB (goal: < 1024 MB) ${worst < 1024 ? 'ok' : 'MISSED'}\n`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
