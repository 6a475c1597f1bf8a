/**
 * The timeline under the viewport: a time ruler (mm:ss.ff) with the playhead and the in/out points, and one lane
 * per direction track (mood, expression, head motion, gaze, blink rate) — and, with a driving video, its thumbnail
 * strip with the faceless frames marked — whose ranges are added at the playhead,
 * selected by click and edited (start, end, value) or deleted. The speech waveform lane is the Waveform component
 * below it. Every edit is an undoable document change; the host rebuilds the preview track with the same
 * directions the export uses (core/motion/directions.ts).
 */
import { useRef, useState } from 'react';
import { DEFAULT_RANGE_EASE_SEC, type Directions, type GazeTarget } from '../../../core/motion/directions.ts';
import { MOODS, type Mood } from '../../../core/motion/options.ts';
import { formatTimecode } from '../../../core/motion/timecode.ts';
import { useStudio } from '../store.ts';
import { currentTimeSec, pause, seekSec } from '../playback.ts';
import { useThumbnailStripUrl } from './DrivingVideoPanel.tsx';

/** The range lanes of the timeline, in display order. */
export const LANES = [
  { key: 'mood', label: 'Mood' },
  { key: 'expressionIntensity', label: 'Expression' },
  { key: 'headMotion', label: 'Head motion' },
  { key: 'gaze', label: 'Gaze' },
  { key: 'blinkRate', label: 'Blinks /min' },
] as const;
/** One lane key (a range list of {@link Directions}). */
export type LaneKey = (typeof LANES)[number]['key'];

/** Values offered when a range is added to a lane (the first one is the default). */
const LANE_CHOICES: Record<LaneKey, readonly string[]> = {
  mood: [...MOODS.filter((m) => m !== 'neutral'), 'neutral'],
  expressionIntensity: ['1', '0.75', '0.5', '0.25', '0'],
  headMotion: ['1', '0.75', '0.5', '0.25', '0'],
  gaze: ['away', 'camera', 'left', 'right', 'up', 'down'],
  blinkRate: ['0', '8', '17', '30', '45'],
};

/** Gaze points (degrees) of the named choices; +yaw = the subject's left. */
const GAZE_POINTS: Record<string, GazeTarget> = { away: 'away', camera: 'camera', left: { yawDeg: 20, pitchDeg: 0 }, right: { yawDeg: -20, pitchDeg: 0 }, up: { yawDeg: 0, pitchDeg: 15 }, down: { yawDeg: 0, pitchDeg: -15 } };

/** Label of a range in its lane. */
function rangeLabel(lane: LaneKey, r: Directions[LaneKey][number]): string {
  if (lane === 'mood') return (r as { mood: Mood }).mood;
  if (lane === 'gaze') {
    const t = (r as { target: GazeTarget }).target;
    return typeof t === 'string' ? t : Object.entries(GAZE_POINTS).find(([, v]) => typeof v !== 'string' && v.yawDeg === t.yawDeg && v.pitchDeg === t.pitchDeg)?.[0] ?? `${t.yawDeg}°, ${t.pitchDeg}°`;
  }
  return String((r as { value: number }).value);
}

/** A new range of a lane with a value chosen from {@link LANE_CHOICES}. */
function newRange(lane: LaneKey, choice: string, startSec: number, endSec: number): Directions[LaneKey][number] {
  const base = { startSec, endSec, easeSec: DEFAULT_RANGE_EASE_SEC };
  if (lane === 'mood') return { ...base, mood: choice as Mood };
  if (lane === 'gaze') return { ...base, target: GAZE_POINTS[choice] ?? 'away' };
  return { ...base, value: Number(choice) };
}

/** Tick spacing (s) so labels are at least ~70 px apart. */
function tickStepSec(durationSec: number, widthPx: number): number {
  const minSec = (70 / Math.max(1, widthPx)) * durationSec;
  return [0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300].find((s) => s >= minSec) ?? 600;
}

/** The timeline. */
export function Timeline(): React.JSX.Element {
  const audio = useStudio((s) => s.audio);
  const track = useStudio((s) => s.track);
  const frameIndex = useStudio((s) => s.frameIndex);
  const directions = useStudio((s) => s.doc.directions);
  const range = useStudio((s) => s.doc.range);
  const edit = useStudio((s) => s.edit);
  const video = useStudio((s) => s.video);
  const strip = useThumbnailStripUrl();
  const [selected, setSelected] = useState<{ lane: LaneKey; index: number } | null>(null);
  const [lane, setLane] = useState<LaneKey>('mood');
  const [choice, setChoice] = useState<string>(LANE_CHOICES.mood[0]!);
  const ruler = useRef<HTMLDivElement>(null);
  const fps = track?.fps ?? useStudio.getState().doc.exportSettings.fps;
  const durationSec = audio?.durationSec ?? 0;
  const nowSec = track ? (frameIndex * fps.den) / fps.num : 0;
  const pct = (t: number): string => `${durationSec > 0 ? Math.max(0, Math.min(100, (t / durationSec) * 100)) : 0}%`;
  const widthPx = ruler.current?.clientWidth ?? 800;
  const step = tickStepSec(durationSec, widthPx);
  const ticks: number[] = [];
  for (let t = 0; durationSec > 0 && t <= durationSec + 1e-9; t += step) ticks.push(t);

  const setDirections = (key: string, change: (d: Directions) => Directions): void => edit(key, (doc) => ({ ...doc, directions: change(doc.directions) }));
  const addRange = (): void => {
    if (!durationSec) return;
    const start = range ? range.startSec : Math.min(currentTimeSec(), Math.max(0, durationSec - 0.5));
    const end = range ? range.endSec : Math.min(durationSec, start + 2);
    const r = newRange(lane, choice, start, end);
    setDirections(`add-${lane}`, (d) => ({ ...d, [lane]: [...d[lane], r] }));
    setSelected({ lane, index: directions[lane].length });
  };
  const sel = selected && directions[selected.lane][selected.index] ? { ...selected, range: directions[selected.lane][selected.index]! } : null;
  const updateSelected = (patch: Record<string, unknown>): void => {
    if (!sel) return;
    setDirections(`edit-${sel.lane}-${sel.index}`, (d) => {
      const list = d[sel.lane].slice() as Array<Directions[LaneKey][number]>;
      const next = { ...list[sel.index]!, ...patch } as Directions[LaneKey][number];
      if (!(next.endSec > next.startSec)) return d;
      list[sel.index] = next;
      return { ...d, [sel.lane]: list };
    });
  };
  const deleteSelected = (): void => {
    if (!sel) return;
    setDirections(`delete-${sel.lane}`, (d) => ({ ...d, [sel.lane]: d[sel.lane].filter((_, i) => i !== sel.index) }));
    setSelected(null);
  };
  const setIn = (): void => edit('range-in', (d) => ({ ...d, range: { startSec: Math.min(currentTimeSec(), (d.range?.endSec ?? durationSec) - 0.04), endSec: d.range?.endSec ?? durationSec } }));
  const setOut = (): void => edit('range-out', (d) => ({ ...d, range: { startSec: d.range?.startSec ?? 0, endSec: Math.max(currentTimeSec(), (d.range?.startSec ?? 0) + 0.04) } }));
  const seekAt = (clientX: number): void => {
    const el = ruler.current;
    if (!el || !durationSec) return;
    const box = el.getBoundingClientRect();
    pause();
    seekSec(Math.max(0, Math.min(durationSec, ((clientX - box.left) / box.width) * durationSec)));
  };

  return (
    <section className="panel timeline" data-testid="timeline" aria-label="Timeline">
      <div className="timeline-tools">
        <span className="timecode" data-testid="timecode">
          {formatTimecode(nowSec, fps)} / {formatTimecode(durationSec, fps)}
        </span>
        <button onClick={setIn} disabled={!durationSec} title="Set the in point at the playhead (I)" data-testid="set-in">
          In
        </button>
        <button onClick={setOut} disabled={!durationSec} title="Set the out point at the playhead (O)" data-testid="set-out">
          Out
        </button>
        <button onClick={() => edit('range-clear', (d) => ({ ...d, range: null }))} disabled={!range} title="Clear the in/out points (export the whole clip)" data-testid="clear-range">
          Clear in/out
        </button>
        {range ? (
          <span className="range-label" data-testid="range-label">
            {formatTimecode(range.startSec, fps)}–{formatTimecode(range.endSec, fps)}
          </span>
        ) : null}
        <span className="timeline-spacer" />
        <select
          value={lane}
          aria-label="Track"
          data-testid="lane-select"
          onChange={(e) => {
            const k = e.target.value as LaneKey;
            setLane(k);
            setChoice(LANE_CHOICES[k][0]!);
          }}
        >
          {LANES.map((l) => (
            <option key={l.key} value={l.key}>
              {l.label}
            </option>
          ))}
        </select>
        <select value={choice} aria-label="Value" data-testid="lane-value" onChange={(e) => setChoice(e.target.value)}>
          {LANE_CHOICES[lane].map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
        <button onClick={addRange} disabled={!durationSec} title="Add a range: the in/out points when set, else 2 s from the playhead" data-testid="add-range">
          Add range
        </button>
      </div>
      <div className="timeline-grid">
        <div className="lane-label">Time</div>
        <div className="ruler" ref={ruler} data-testid="ruler" onPointerDown={(e) => seekAt(e.clientX)}>
          {range ? <div className="in-out" style={{ left: pct(range.startSec), width: `calc(${pct(range.endSec)} - ${pct(range.startSec)})` }} /> : null}
          {ticks.map((t) => (
            <span key={t} className="tick" style={{ left: pct(t) }}>
              {formatTimecode(t, fps).replace(/\.00$/, '')}
            </span>
          ))}
          {durationSec ? <div className="playhead" style={{ left: pct(nowSec) }} /> : null}
        </div>
        {video ? (
          <>
            <div className="lane-label">Video</div>
            <div className="lane video-lane" data-testid="lane-video" style={strip ? { backgroundImage: `url(${strip})` } : undefined}>
              {video.facelessRanges.map((r, i) => (
                <div key={i} className="faceless" style={{ left: pct(r.fromSec), width: `calc(${pct(r.toSec)} - ${pct(r.fromSec)})` }} title={`no face ${r.fromSec.toFixed(2)}–${r.toSec.toFixed(2)} s`} data-testid="faceless-range" />
              ))}
            </div>
          </>
        ) : null}
        {LANES.map((l) => (
          <LaneRow key={l.key} lane={l.key} label={l.label} directions={directions} pct={pct} nowSec={nowSec} durationSec={durationSec} selected={selected} onSelect={setSelected} />
        ))}
      </div>
      {sel ? (
        <div className="range-editor" data-testid="range-editor">
          <strong>{LANES.find((l) => l.key === sel.lane)?.label}</strong> {rangeLabel(sel.lane, sel.range)}
          <label>
            from{' '}
            <input type="number" step={0.04} min={0} value={sel.range.startSec.toFixed(2)} data-testid="range-start" onChange={(e) => updateSelected({ startSec: Math.max(0, Number(e.target.value)) })} />
          </label>
          <label>
            to <input type="number" step={0.04} min={0} value={sel.range.endSec.toFixed(2)} data-testid="range-end" onChange={(e) => updateSelected({ endSec: Number(e.target.value) })} />
          </label>
          <label>
            ease <input type="number" step={0.05} min={0} max={5} value={sel.range.easeSec.toFixed(2)} onChange={(e) => updateSelected({ easeSec: Math.max(0, Number(e.target.value)) })} />
          </label>
          <button onClick={deleteSelected} data-testid="range-delete">
            Delete
          </button>
        </div>
      ) : null}
    </section>
  );
}

/** One lane: its ranges as blocks over the clip's length. */
function LaneRow(props: {
  lane: LaneKey;
  label: string;
  directions: Directions;
  pct: (t: number) => string;
  nowSec: number;
  durationSec: number;
  selected: { lane: LaneKey; index: number } | null;
  onSelect: (s: { lane: LaneKey; index: number } | null) => void;
}): React.JSX.Element {
  const { lane, directions, pct } = props;
  return (
    <>
      <div className="lane-label">{props.label}</div>
      <div className="lane" data-testid={`lane-${lane}`}>
        {directions[lane].map((r, i) => (
          <button
            key={i}
            className={`range range-${lane}${props.selected?.lane === lane && props.selected.index === i ? ' selected' : ''}`}
            style={{ left: pct(r.startSec), width: `calc(${pct(r.endSec)} - ${pct(r.startSec)})` }}
            title={`${rangeLabel(lane, r)} ${r.startSec.toFixed(2)}–${r.endSec.toFixed(2)} s`}
            data-testid={`range-${lane}-${i}`}
            onClick={() => props.onSelect({ lane, index: i })}
          >
            {rangeLabel(lane, r)}
          </button>
        ))}
        {props.durationSec ? <div className="playhead" style={{ left: pct(props.nowSec) }} /> : null}
      </div>
    </>
  );
}
