import { describe, expect, it } from 'vitest';
import { parseProject, serializeProject } from '../../../../core/project/migrations.ts';
import { createEmptyProject } from '../../../../core/project/schema.ts';
import { parseDirections } from '../../../../core/motion/directions.ts';
import { InvalidInputError } from '../../../../core/errors.ts';

/** A version-2 project as the studio wrote it before directions, ranges and driving videos existed. */
const TODAY_V2 = `{
  "schemaVersion": 2, "name": "jfk", "portrait": { "fileName": "img01.png", "path": null, "faceIndex": 0 },
  "audio": { "fileName": "aud01.flac", "path": null }, "avatar": null,
  "motion": { "seed": 1, "headMotionStrength": 0.5, "blinkRatePerMin": 17, "mood": "neutral", "expressionIntensity": 0.5 },
  "viewport": { "framing": "photo", "background": "photo", "orbitYawRad": 0, "orbitPitchRad": 0 },
  "export": { "format": "mp4", "sizePx": 512, "fps": { "num": 25, "den": 1 }, "quality": "standard", "alpha": false }
}`;

describe('projects with directions', () => {
  it("reads today's version-2 files unchanged (no directions, range or driving video)", () => {
    const { project, migratedFromVersion } = parseProject(TODAY_V2);
    expect(migratedFromVersion).toBeNull();
    expect(project.directions).toBeUndefined();
    expect(project.range).toBeUndefined();
    expect(project.drivingVideo).toBeUndefined();
    expect(project.motion.mood).toBe('neutral');
  });

  it('migrates a version-1 file and round-trips directions, in/out, driving video and retarget strengths', () => {
    expect(parseProject(JSON.stringify({ schemaVersion: 1, portraitPath: '/a/face.jpg', audioPath: null })).migratedFromVersion).toBe(1);
    const p = createEmptyProject('directed');
    p.directions = parseDirections({ schemaVersion: 1, mood: [{ startSec: 2, endSec: 4, mood: 'happy' }], keyframes: [{ target: 'smile', keys: [{ timeSec: 1, value: 0.5 }] }] });
    p.range = { startSec: 1, endSec: 5 };
    p.drivingVideo = { fileName: 'vid01.mp4', path: null };
    p.retarget = { eyes: 1, brows: 0.5, mouth: 1.5, head: 0 };
    const back = parseProject(serializeProject(p)).project;
    expect(back.directions).toEqual(p.directions);
    expect(back.range).toEqual({ startSec: 1, endSec: 5 });
    expect(back.drivingVideo).toEqual({ fileName: 'vid01.mp4', path: null });
    expect(back.retarget).toEqual(p.retarget);
  });

  it('names a damaged direction or range', () => {
    const bad = JSON.parse(TODAY_V2) as Record<string, unknown>;
    bad.range = { startSec: 5, endSec: 1 };
    expect(() => parseProject(JSON.stringify(bad))).toThrow(InvalidInputError);
    expect(() => parseProject(JSON.stringify(bad))).toThrow(/range the out point must come after the in point/);
    bad.range = null;
    bad.directions = { schemaVersion: 1, gaze: [{ startSec: 0, endSec: 1, target: { yawDeg: 90, pitchDeg: 0 } }] };
    expect(() => parseProject(JSON.stringify(bad))).toThrow(/directions\.gaze\.0\.target/);
  });
});
