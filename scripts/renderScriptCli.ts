/**
 * The command line shared by the render eval scripts (evalOrbit, orbitDefects, plateLayers, evalSplatDefects,
 * evalSplatParity): `--size <px>`, `--out <dir>`, the script's own options, then the portraits, parsed by commander
 * (with `--help`). A module, not a script.
 */
import { Command } from 'commander';

/** What a render eval script takes besides its own options. */
export interface RenderScriptCliSpec {
  /** Script name and one-line description, for `--help`. */
  name: string;
  description: string;
  /** Default output size, px (square). */
  sizePx: number;
  /** What `--out` receives, for `--help`. */
  outHelp: string;
  /** Default `--out` folder; none: the option is optional and `outDir` undefined without it. */
  outDir?: string;
  /** The positional arguments, for `--help`; `optional`: none may be given (the script picks its own). */
  portraits: { help: string; optional?: boolean };
  /** Adds the script's own options to the command. */
  options?: (cmd: Command) => Command;
}

/**
 * Parses `process.argv` for a render eval script (exits with commander's message on an unknown option, or after
 * `--help`).
 * @returns the output size in px (`Number` of `--size`: NaN for a non-number, as the hand-written parsers gave), the
 *   `--out` folder, the positional arguments, and every option by commander's attribute name (strings, booleans).
 */
export function parseRenderScriptArgs(spec: RenderScriptCliSpec): { sizePx: number; outDir: string | undefined; portraits: string[]; opts: Record<string, string | boolean | undefined> } {
  let cmd = new Command(spec.name).description(spec.description).option('--size <px>', 'output size, px', String(spec.sizePx)).option('--out <dir>', spec.outHelp, spec.outDir);
  cmd = spec.options ? spec.options(cmd) : cmd;
  cmd.argument(spec.portraits.optional ? '[portraits...]' : '<portraits...>', spec.portraits.help).parse();
  const opts = cmd.opts<Record<string, string | boolean | undefined>>();
  return { sizePx: Number(opts.size), outDir: opts.out as string | undefined, portraits: cmd.args, opts };
}
