/**
 * `npm run bench`: runs every benchmark module in one process and prints ratios against baselines
 * measured in the same run (speed goals live here, never in timed tests).
 * Usage: `npm run bench [-- name …]` with names from {@link BENCHES}.
 */
export {};

const BENCHES: Record<string, () => Promise<{ run: () => Promise<void> }>> = {
  audio: async () => ({ run: (await import('./audio.ts')).benchAudio }),
  avatar: async () => ({ run: (await import('./avatar.ts')).benchAvatar }),
  batch: async () => ({ run: (await import('./batch.ts')).benchBatch }),
  face: async () => ({ run: (await import('./face.ts')).benchFace }),
  live: async () => ({ run: (await import('./live.ts')).benchLive }),
  memory: async () => ({ run: (await import('./memory.ts')).benchMemory }),
  render: async () => ({ run: (await import('./render.ts')).benchRender }),
  splat: async () => ({ run: (await import('./splat.ts')).benchSplat }),
  splatHead: async () => ({ run: async () => void (await (await import('./splat.ts')).benchSplatHeadRatio()) }),
  webgpu: async () => ({ run: (await import('./webgpuNode.ts')).benchWebgpuNode }),
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = wanted.length ? wanted : Object.keys(BENCHES);
let failed = 0;
for (const name of names) {
  const load = BENCHES[name];
  if (!load) {
    process.stderr.write(`unknown benchmark ${name}; known: ${Object.keys(BENCHES).join(', ')}\n`);
    failed++;
    continue;
  }
  process.stdout.write(`\n## ${name}\n`);
  try {
    await (await load()).run();
  } catch (err) {
    failed++;
    process.stdout.write(`bench ${name} failed: ${(err as Error).message}\n`);
  }
}
process.exitCode = failed ? 1 : 0;
