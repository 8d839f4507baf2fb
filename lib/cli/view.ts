/** `medsynth view PATH`: a local NiiVue viewer of a dataset, a PET/CT cohort or NIfTI files. */
import { startViewer } from '../viewer/server.js';
import { formatHelp, numberFlag, parseArgs, UsageError, type FlagTable } from './args.js';

export const VIEW_FLAGS: FlagTable = {
  port: { type: 'string', metavar: 'P', default: '0', help: 'port to listen on; 0 picks a free one' },
  host: { type: 'string', metavar: 'ADDR', default: '127.0.0.1', help: 'loopback address to listen on (127.x.y.z, ::1 or localhost; others are refused)' },
  verbose: { type: 'boolean', help: 'on errors, also print the stack' },
  help: { type: 'boolean', help: 'show this help' },
};

export const VIEW_HELP = formatHelp(
  'Usage: medsynth view PATH [--port P] [--host 127.0.0.1]',
  'Serve a browser viewer (NiiVue, bundled; works offline) for PATH: a `medsynth generate` dataset\n' +
    '(pick split and sample; structures overlaid with their legend), a `medsynth petct` cohort (CT with\n' +
    'the PET in a hot colour map and the tumour mask), or a NIfTI file or folder of them. The server\n' +
    'listens on this machine only and prints its URL; stop it with Ctrl-C.',
  VIEW_FLAGS,
);

export async function runView(argv: readonly string[]): Promise<number> {
  const { flags, positionals } = parseArgs(argv, VIEW_FLAGS);
  if (flags.help) {
    process.stdout.write(VIEW_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('view needs exactly one PATH (a dataset folder, a PET/CT cohort or a NIfTI file)');
  const port = numberFlag(flags, 'port', { integer: true, min: 0, max: 65535 });
  const viewer = await startViewer(positionals[0], { port, host: String(flags.host) });
  const what = viewer.source.kind === 'anatomy' ? 'anatomy dataset' : viewer.source.kind === 'petct' ? 'PET/CT cohort' : 'NIfTI';
  process.stdout.write(`medsynth: viewing ${what} ${positionals[0]} at ${viewer.url}  (Ctrl-C to stop)\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await viewer.close();
  return 0;
}
