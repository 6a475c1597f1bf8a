/**
 * `avatar-studio doctor`: what the product runs on; `--install-cuda` is the explicit opt-in download of
 * onnxruntime-node's CUDA libraries.
 */
import type { Command } from 'commander';

/** Registers the `doctor` command. */
export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check ffmpeg (one frame per codec), the render browser (one WebGL2 frame) and ONNX Runtime; optionally download the CUDA provider')
    .option('--install-cuda', "download onnxruntime-node's CUDA 12 libraries (from NuGet, outside npm)")
    .action(async (o: { installCuda?: boolean }) => {
      const { installCudaProvider, runDoctorChecks } = await import('../../pipeline/system/doctor.ts');
      if (o.installCuda) {
        process.stderr.write('Downloading the ONNX Runtime CUDA libraries (onnxruntime-node install script, ONNXRUNTIME_NODE_INSTALL=cuda12)…\n');
        await installCudaProvider((line) => process.stderr.write(`  ${line}\n`));
        process.stderr.write('CUDA libraries installed.\n');
      }
      const checks = await runDoctorChecks();
      for (const c of checks) process.stdout.write(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name.padEnd(26)} ${c.detail}${c.ok || !c.fix ? '' : `\n     what to do: ${c.fix}`}\n`);
      if (checks.some((c) => !c.ok)) process.exitCode = 1;
    });
}
