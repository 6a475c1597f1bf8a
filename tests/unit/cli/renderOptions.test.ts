/**
 * `--quality` is parsed by its one descriptor (core/jobs/options.ts) into the render job's options, with a clear
 * error naming the flag for a value it does not know.
 */
import { describe, expect, it } from 'vitest';
import { renderJobOptionsFromCli } from '../../../cli/commands/render.ts';
import { EXPORT_QUALITIES as PROJECT_QUALITIES } from '../../../core/project/schema.ts';
import { EXPORT_QUALITIES, encoderSettingsForQuality } from '../../../core/jobs/options.ts';

const BASE = { portrait: 'p.png', audio: 'a.wav', out: 'o.mp4', head: 'mesh' };

describe('--quality', () => {
  it('reaches the job as given, standard by default', () => {
    expect(renderJobOptionsFromCli({ ...BASE, quality: 'high' }).quality).toBe('high');
    expect(renderJobOptionsFromCli({ ...BASE, quality: 'draft' }).quality).toBe('draft');
    expect(renderJobOptionsFromCli({ ...BASE }).quality).toBe('standard');
  });

  it('refuses an unknown value naming the flag and the choices', () => {
    expect(() => renderJobOptionsFromCli({ ...BASE, quality: 'ultra' })).toThrow('--quality: must be one of draft, standard, high (got "ultra")');
  });

  it('the project file (the export dialog) and the CLI share one list, and each step up asks every lossy encoder for more', () => {
    expect(PROJECT_QUALITIES).toBe(EXPORT_QUALITIES);
    const [draft, standard, high] = EXPORT_QUALITIES.map(encoderSettingsForQuality) as [ReturnType<typeof encoderSettingsForQuality>, ReturnType<typeof encoderSettingsForQuality>, ReturnType<typeof encoderSettingsForQuality>];
    for (const [lo, hi] of [[draft, standard], [standard, high]] as const) {
      expect(hi.x264Crf).toBeLessThan(lo.x264Crf);
      expect(hi.vp9Crf).toBeLessThan(lo.vp9Crf);
      expect(hi.inPageH264BitsPerPixel).toBeGreaterThan(lo.inPageH264BitsPerPixel);
    }
  });
});
