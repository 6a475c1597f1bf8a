/**
 * Motion controls generated from the option descriptors of core/motion/options.ts (one declaration feeds
 * the CLI flags, this form and IPC validation). The frame rate lives in the export dialog.
 */
import { MOTION_OPTION_DESCRIPTORS, type MotionOptionDescriptor } from '../../../core/motion/options.ts';
import { useStudio } from '../store.ts';

/** Range of a numeric descriptor, read from its zod schema. */
function rangeOf(d: MotionOptionDescriptor): { min: number; max: number; step: number } {
  const s = d.schema as unknown as { unwrap?: () => { minValue?: number | null; maxValue?: number | null; isInt?: boolean } };
  const inner = s.unwrap ? s.unwrap() : (s as { minValue?: number | null; maxValue?: number | null; isInt?: boolean });
  const min = inner.minValue ?? 0;
  const max = inner.maxValue ?? 1;
  return { min, max, step: inner.isInt || max - min > 10 ? 1 : 0.05 };
}

const LABELS: Partial<Record<string, string>> = {
  headMotionStrength: 'Head motion',
  blinkRatePerMin: 'Blinks / min',
  mood: 'Mood',
  expressionIntensity: 'Expression',
  seed: 'Seed',
};

/** The motion panel. */
export function MotionControls(): React.JSX.Element {
  const motion = useStudio((s) => s.doc.motion);
  const edit = useStudio((s) => s.edit);
  const busy = useStudio((s) => s.busy.motion);
  const set = (name: string, value: number | string): void => edit(`motion.${name}`, (d) => ({ ...d, motion: { ...d.motion, [name]: value } }));
  return (
    <section className="panel motion" data-testid="motion-controls">
      <h2>Motion {busy ? <span className="spinner">updating…</span> : null}</h2>
      {MOTION_OPTION_DESCRIPTORS.filter((d) => d.name !== 'fps').map((d) => {
        const value = motion[d.name] ?? (d.defaultValue as number | string);
        if (d.kind === 'enum') {
          return (
            <label key={d.name} className="control" title={d.description}>
              <span>{LABELS[d.name] ?? d.name}</span>
              <select value={String(value)} data-testid={`motion-${d.name}`} onChange={(e) => set(d.name, e.target.value)}>
                {(d.choices ?? []).map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
            </label>
          );
        }
        if (d.name === 'seed') {
          return (
            <label key={d.name} className="control" title={d.description}>
              <span>{LABELS[d.name]}</span>
              <input type="number" min={0} step={1} value={Number(value)} data-testid="motion-seed" onChange={(e) => set(d.name, Math.max(0, Math.floor(Number(e.target.value) || 0)))} />
            </label>
          );
        }
        const r = rangeOf(d);
        return (
          <label key={d.name} className="control" title={d.description}>
            <span>{LABELS[d.name] ?? d.name}</span>
            <input type="range" min={r.min} max={r.max} step={r.step} value={Number(value)} data-testid={`motion-${d.name}`} onChange={(e) => set(d.name, Number(e.target.value))} />
            <output>{Number(value).toFixed(r.step < 1 ? 2 : 0)}</output>
          </label>
        );
      })}
    </section>
  );
}
