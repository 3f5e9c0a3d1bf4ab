import { DOCTOR_USAGE, runDoctor } from './doctor';

// `flanks-sdk <command>`: the package's command line. One command so far, `doctor`.

const USAGE = `Usage: flanks-sdk doctor [options]   (flanks-sdk doctor --help for the options)

${DOCTOR_USAGE}`;

async function main(): Promise<number> {
  const [command, ...args] = process.argv.slice(2);
  if (command === 'doctor') {
    return runDoctor(args, {
      env: process.env,
      stdout: (text) => process.stdout.write(text),
      stderr: (text) => process.stderr.write(text),
      cwd: process.cwd(),
    });
  }
  if (command === undefined || command === '--help' || command === '-h') {
    (command === undefined ? process.stderr : process.stdout).write(USAGE);
    return command === undefined ? 2 : 0;
  }
  process.stderr.write(`flanks-sdk: unknown command "${command.slice(0, 40)}"\n\n${USAGE}`);
  return 2;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`flanks-sdk: ${error instanceof Error ? error.name : 'Error'}\n`);
    process.exitCode = 1;
  },
);
