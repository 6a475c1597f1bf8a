/**
 * The photo head's closed-eye line against the photo's own open lash line (issue #12, eyelids; the render-side twin of
 * scripts/blinkProfile.ts): per portrait, the open lash line of the photo at the render's scale and the closed line at
 * eyeBlink 1 (tests/helpers/lashProfile.ts), 512² renders on top of the rest expression.
 * Usage: `tsx scripts/blinkRenderProfile.ts [portrait…]` (EYE_PORTRAITS of tests/helpers/eyeScene.ts, or a clip's frame
 * as `vid06@1.0`: clip name prefix under the corpus's video folder, time in seconds).
 */
import { RenderHost } from '../pipeline/render/renderHost.ts';
import { EYE_LEFT, EYE_RIGHT } from '../core/rig/topology.ts';
import { toOutputPx, videoFramePortrait } from '../tests/integration/render/helpers.ts';
import { readdirSync } from 'node:fs';
import { EYE_PORTRAITS, EYE_STATES, eyeWeights, loadEyeScene } from '../tests/helpers/eyeScene.ts';
import { closedLine, openLashLine } from '../tests/helpers/lashProfile.ts';

const S = 512;
const CORNERS: [number, number][] = [[33, 133], [362, 263]];
const f = (x: number): string => x.toFixed(3);
const host = await RenderHost.launch({ widthPx: S, heightPx: S });
try {
  for (const name of process.argv.length > 2 ? process.argv.slice(2) : ['img01', 'img02', 'img05', 'img06']) {
    // A clip's frame as `vid06@1.0` (clip name prefix, time in s).
    const [clip, t] = name.split('@');
    const video = t ? readdirSync('/work/shared/corpus/video').find((f) => f.startsWith(clip!)) : undefined;
    const scene = await loadEyeScene(host, video ? await videoFramePortrait(video, Number(t)) : await EYE_PORTRAITS[name]!(), S);
    const lm = scene.rig.restPx;
    const at = (i: number): [number, number] => toOutputPx(scene.cropPx, S, S, lm[i * 3]!, lm[i * 3 + 1]!);
    const open = [EYE_RIGHT, EYE_LEFT].map((r, j) => openLashLine(scene.photo, S, S, at(CORNERS[j]![0]), at(CORNERS[j]![1]), r.upper0.map(at)));
    const img = await host.renderStill({ blendshapes: eyeWeights(scene, EYE_STATES.b1!) });
    const c = CORNERS.map(([i, j]) => closedLine(img, S, S, at(i), at(j)));
    const steps = c.map((o) => o.centres.slice(1).reduce((a, v, k) => a + (Math.abs(v - o.centres[k]!) > 0.02 ? 1 : 0), 0));
    console.log(`${name}: open lash core ${open.map((o) => f(o.core)).join(' ')} depth ${open.map((o) => f(o.depth)).join(' ')} | closed core ${c.map((o) => f(o.core)).join(' ')} halo ${c.map((o) => f(o.halo)).join(' ')} depth ${c.map((o) => f(o.depth)).join(' ')} jumps ${steps.join(' ')} | profile ${c[0]!.profile.filter((_, j) => j % 3 === 0).map((v) => v.toFixed(2)).join(' ')}`);
  }
} finally {
  await host.dispose();
}
