/**
 * Studio actions of live mode that touch the host: loading a finished live recording into the studio (its WAV as
 * the audio, its motion track as the performance), so it previews on the timeline and exports through the same
 * encoders as any export.
 */
import { trackFromJson } from '../../../core/motion/track.ts';
import { getClient, importAudio, messageOf } from '../actions.ts';
import { useStudio } from '../store.ts';
import { attachRecordedMotion } from './recordedMotion.ts';
import type { LiveRecording } from './liveSession.ts';

/**
 * Loads a live recording into the studio: uploads the WAV as the audio and the track with `studio:motion.import`,
 * then shows the recorded track in the preview (the export renders it, with the recorded audio).
 * @param rec - the recording from `stopLiveRecording()`.
 * @param name - file stem for the uploads, e.g. `live-2026-12-06T18-40-00`.
 * @returns true when loaded; false after showing the error in the audio panel.
 */
export async function loadLiveRecording(rec: LiveRecording, name: string): Promise<boolean> {
  const trackBytes = new TextEncoder().encode(JSON.stringify(rec.track));
  const imported = await getClient().call('studio:motion.import', { source: { kind: 'bytes', fileName: `${name}.motion.json`, data: trackBytes.buffer as ArrayBuffer } });
  if (!imported.ok) {
    useStudio.getState().setMessage('audio', messageOf(imported.error));
    return false;
  }
  await importAudio(new File([rec.wav], `${name}.wav`, { type: 'audio/wav' }));
  const audio = useStudio.getState().audio;
  if (!audio || audio.fileName !== `${name}.wav`) return false;
  const track = trackFromJson(rec.track);
  attachRecordedMotion(audio.audioId, { motionTrackId: imported.value.motionTrackId, track });
  useStudio.getState().set({ track });
  return true;
}
