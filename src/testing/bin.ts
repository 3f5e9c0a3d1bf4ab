import { parseArgs } from 'node:util';
import { SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET } from './sandbox';
import { startSandbox } from './server';

// `flanks-sandbox [--port N] [--host H]`: a Flanks sandbox for manual testing and for SDK users
// who want a real URL to point their app at.

const USAGE = `Usage: flanks-sandbox [--port N] [--host H]

Runs a fake Flanks API and Link on this machine until Ctrl-C.
  --port N   port to listen on (default 4010; 0 picks a free one)
  --host H   interface to bind (default 127.0.0.1)
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '4010' },
      host: { type: 'string', default: '127.0.0.1' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`Invalid --port "${values.port}"\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  const running = await startSandbox({ port, host: values.host });
  const { sandbox } = running;
  process.stdout.write(
    [
      `Flanks sandbox listening on ${running.url}`,
      '',
      `  API base URL     ${running.url}`,
      `  client_id        ${SANDBOX_CLIENT_ID}`,
      `  client_secret    ${SANDBOX_CLIENT_SECRET}`,
      `  Link token       ${sandbox.defaultLink.token}`,
      `  Link URL         ${sandbox.linkUrl()}`,
      `  Redirect URI     ${sandbox.defaultLink.redirect_uri}`,
      '',
      'TestBank passwords: any password connects; INVALID_CREDENTIALS, SCA_SMS, DATA_ERROR_PRODUCT_ACCOUNT,',
      'SANDBOX_DELAYED and SANDBOX_BLOCKED simulate bank behaviour. Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  const stop = () => {
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`flanks-sandbox: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
