// One way to connect to NATS from Looper's configuration: its URL, the authentication it names
// (user/password, token, credentials file, nkey seed) and TLS, for services, the SDK and the CLI.
import {
  connect,
  credsAuthenticator,
  Events,
  nkeyAuthenticator,
  type ConnectionOptions,
  type NatsConnection,
} from 'nats';
import type { LooperConfig } from './config.js';

const encoder = new TextEncoder();

export function natsConnectionOptions(
  config: Pick<LooperConfig, 'natsUrl' | 'security'>,
  name: string,
): ConnectionOptions {
  const { auth, tls } = config.security.nats;
  // A cluster is named by several of its servers, comma-separated; the client learns the rest.
  // noAsyncTraces: otherwise every request builds two Error objects for their stack traces, a
  // cost profiles showed on the decide path; Looper's errors say what failed in their messages.
  const options: ConnectionOptions = {
    servers: config.natsUrl
      .split(',')
      .map((url) => url.trim())
      .filter((url) => url !== ''),
    name,
    noAsyncTraces: true,
  };
  switch (auth.kind) {
    case 'userPassword':
      Object.assign(options, { user: auth.user, pass: auth.password });
      break;
    case 'token':
      options.token = auth.token;
      break;
    case 'credentials':
      options.authenticator = credsAuthenticator(encoder.encode(auth.credentials));
      break;
    case 'nkey':
      options.authenticator = nkeyAuthenticator(encoder.encode(auth.seed));
      break;
    case 'none':
      break;
  }
  // nats.js takes PEM texts as ca/cert/key (it hands them to Node's tls.connect).
  if (tls !== null)
    options.tls = {
      ...(tls.ca === null ? {} : { ca: tls.ca }),
      ...(tls.cert === null ? {} : { cert: tls.cert }),
      ...(tls.key === null ? {} : { key: tls.key }),
    };
  return options;
}

/** Connects with Looper's settings; `extra` adds client options (timeouts, reconnects). */
export function connectNats(
  config: Pick<LooperConfig, 'natsUrl' | 'security'>,
  name: string,
  extra: Partial<ConnectionOptions> = {},
): Promise<NatsConnection> {
  return connect({ ...natsConnectionOptions(config, name), ...extra });
}

/**
 * Logs the connection's losses and recoveries until it closes: nats.js reconnects by itself and
 * says nothing, so without this a service cut off from NATS would look idle, not broken.
 */
export async function logNatsStatus(nc: NatsConnection, log: (line: string) => void): Promise<void> {
  for await (const status of nc.status()) {
    if (status.type === Events.Disconnect) log(`nats: disconnected from ${String(status.data)}; reconnecting`);
    else if (status.type === Events.Reconnect) log(`nats: reconnected to ${String(status.data)}`);
    else if (status.type === Events.Error) log(`nats: ${String(status.data)}`);
  }
}
