/**
 * The audio waveform (wavesurfer.js) with play/pause and click/drag scrubbing. Its media element is the
 * preview's audio clock (see playback.ts).
 */
import { useEffect, useRef } from 'react';
import WaveSurfer from 'wavesurfer.js';
import { useStudio } from '../store.ts';
import { computePeaks, encodeWavBlob, setPlaybackMedia } from '../playback.ts';

/** Waveform of the imported audio. */
export function Waveform(): React.JSX.Element {
  const audio = useStudio((s) => s.audio);
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!audio || !host.current) return;
    const pcm = new Float32Array(audio.playbackPcm);
    const url = URL.createObjectURL(encodeWavBlob(pcm, audio.playbackSampleRateHz));
    const media = document.createElement('audio');
    media.preload = 'auto';
    media.dataset.testid = 'studio-audio';
    const peaks = computePeaks(pcm, Math.min(4000, Math.max(1, Math.round(audio.durationSec * 100))));
    const ws = WaveSurfer.create({
      container: host.current,
      height: 72,
      waveColor: '#6b7f99',
      progressColor: '#4fc3f7',
      cursorColor: '#ffffff',
      media,
      url,
      peaks: [peaks],
      duration: audio.durationSec,
      dragToSeek: true,
      normalize: true,
    });
    document.body.appendChild(media);
    media.hidden = true;
    const sync = (): void => useStudio.getState().set({ playing: !media.paused && !media.ended });
    media.addEventListener('play', sync);
    media.addEventListener('pause', sync);
    media.addEventListener('ended', sync);
    setPlaybackMedia(media);
    return () => {
      setPlaybackMedia(null);
      ws.destroy();
      media.remove();
      URL.revokeObjectURL(url);
      useStudio.getState().set({ playing: false });
    };
  }, [audio]);
  return (
    <div className="waveform" data-testid="waveform">
      {audio ? null : <div className="placeholder">Import speech audio to see its waveform</div>}
      <div ref={host} />
    </div>
  );
}
