// Avatar Studio live mode: the AudioWorklet processor that hands microphone samples to the live-motion worker.
// Served as a plain script from the studio's own origin (the CSP allows worklets from 'self' only).
// Each render quantum (128 frames) is mixed to mono and posted, with the context time of its first sample, on the
// port the main thread gave us (transferred to the worker, so samples never touch the UI thread).
class AvatarStudioMic extends AudioWorkletProcessor {
  constructor() {
    super();
    this.out = null;
    this.port.onmessage = (e) => {
      if (e.data && e.data.type === 'port') this.out = e.data.port;
    };
  }
  process(inputs) {
    const input = inputs[0];
    if (this.out && input && input.length > 0 && input[0].length > 0) {
      const n = input[0].length;
      const mono = new Float32Array(n);
      for (let c = 0; c < input.length; c++) {
        const ch = input[c];
        for (let i = 0; i < n; i++) mono[i] += ch[i] / input.length;
      }
      this.out.postMessage({ type: 'samples', contextTimeSec: currentTime, samples: mono }, [mono.buffer]);
    }
    return true;
  }
}
registerProcessor('avatar-studio-mic', AvatarStudioMic);
