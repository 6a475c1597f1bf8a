/**
 * Options declared once (DESIGN §6.4): the CLI (`render`'s parser, as a user types values) and IPC
 * (`studio:export.start` as the studio sends it) accept exactly the declared range of each numeric option and refuse
 * just beyond it — orbit (degrees on the CLI, radians over IPC), size, face index and the retarget strengths. Before
 * this, IPC took orbits of ±180°/±90° where the CLI stopped at ±30°/±15°, and face 64 where the CLI stopped at 63.
 */
import { describe, expect, it } from 'vitest';
import { renderJobOptionsFromCli } from '../../../../cli/commands/render.ts';
import { validateCall } from '../../../../core/ipc/contract.ts';
import { FACE_INDEX_OPTION, ORBIT_PITCH_OPTION, ORBIT_YAW_OPTION, RETARGET_OPTIONS, SIZE_OPTION, type OptionDescriptor } from '../../../../core/jobs/options.ts';
import { ProjectSchema, createEmptyProject } from '../../../../core/project/schema.ts';

const CLI_BASE = { portrait: 'p.png', audio: 'a.wav', out: 'o.mp4', head: 'mesh' };
const IPC_BASE = {
  portraitId: 'p1',
  audioId: 'a1',
  faceIndex: 0,
  settings: { format: 'mp4', sizePx: 512, fps: { num: 25, den: 1 }, quality: 'standard', alpha: false },
  motion: {},
  background: 'photo',
  framing: 'photo',
  orbit: { yawRad: 0, pitchRad: 0 },
  outPath: null,
};

const cliAccepts = (key: string, value: number): boolean => {
  try {
    renderJobOptionsFromCli({ ...CLI_BASE, [key]: String(value) });
    return true;
  } catch {
    return false;
  }
};
const ipcAccepts = (patch: (args: typeof IPC_BASE & Record<string, unknown>) => void): boolean => {
  const args = structuredClone(IPC_BASE) as typeof IPC_BASE & Record<string, unknown>;
  patch(args);
  return validateCall('studio:export.start', args).ok;
};

/** The declared bounds of a numeric option (they exist for every option checked here). */
const bounds = (d: OptionDescriptor<number>): { min: number; max: number } => d.bounds!;
const DEG = Math.PI / 180;

describe('numeric option bounds: CLI and IPC take the descriptor\'s range', () => {
  it('orbit yaw and pitch: ±30° / ±15°, degrees on the CLI, radians over IPC', () => {
    for (const [d, cliKey, ipcKey] of [[ORBIT_YAW_OPTION, 'orbitYaw', 'yawRad'], [ORBIT_PITCH_OPTION, 'orbitPitch', 'pitchRad']] as const) {
      const { min, max } = bounds(d);
      expect([min, max]).toEqual(d === ORBIT_YAW_OPTION ? [-30, 30] : [-15, 15]);
      for (const [deg, ok] of [[max, true], [min, true], [max + 0.01, false], [min - 0.01, false]] as const) {
        expect(cliAccepts(cliKey, deg), `CLI ${cliKey} ${deg}`).toBe(ok);
        expect(ipcAccepts((a) => (a.orbit = { ...a.orbit, [ipcKey]: deg * DEG })), `IPC ${ipcKey} ${deg}°`).toBe(ok);
      }
    }
  });

  it('size: 64–4096 px on both (the CLI also refuses odd sizes; the studio offers even ones and rounds)', () => {
    const { min, max } = bounds(SIZE_OPTION);
    expect([min, max]).toEqual([64, 4096]);
    for (const [px, ok] of [[max, true], [min, true], [max + 2, false], [min - 2, false]] as const) {
      expect(cliAccepts('size', px), `CLI --size ${px}`).toBe(ok);
      expect(ipcAccepts((a) => (a.settings = { ...a.settings, sizePx: px })), `IPC sizePx ${px}`).toBe(ok);
    }
  });

  it('face index: 0–63 on both', () => {
    const { min, max } = bounds(FACE_INDEX_OPTION);
    for (const [i, ok] of [[max, true], [min, true], [max + 1, false], [min - 1, false]] as const) {
      expect(cliAccepts('face', i), `CLI --face ${i}`).toBe(ok);
      expect(ipcAccepts((a) => (a.faceIndex = i)), `IPC faceIndex ${i}`).toBe(ok);
    }
  });

  it('retarget strengths: 0–2 per region on both', () => {
    for (const d of RETARGET_OPTIONS) {
      const { min, max } = bounds(d);
      for (const [v, ok] of [[max, true], [min, true], [max + 0.01, false], [min - 0.01, false]] as const) {
        expect(cliAccepts(`${d.name}Strength`, v), `CLI --${d.name}-strength ${v}`).toBe(ok);
        expect(ipcAccepts((a) => (a.retarget = { eyes: 1, brows: 1, mouth: 1, head: 1, [d.name]: v })), `IPC retarget.${d.name} ${v}`).toBe(ok);
      }
    }
  });

  it('a project saved with a wider orbit still opens, clamped to the limits', () => {
    const project = createEmptyProject('wide orbit');
    const parsed = ProjectSchema.parse({ ...project, viewport: { ...project.viewport, orbitYawRad: 1.2, orbitPitchRad: -1 } }); // 69°, −57°
    expect(parsed.viewport.orbitYawRad).toBeCloseTo(30 * DEG, 12);
    expect(parsed.viewport.orbitPitchRad).toBeCloseTo(-15 * DEG, 12);
  });
});
