// A real OpenID Connect provider (the `oidc-provider` package) on a free loopback port, for the OAuth2
// integration tests. Usage: node server.mjs <redirect_uri>
// Prints one JSON line {"issuer": "..."} once it listens. Two static clients:
//   basic-client / basic-secret  (client_secret_basic)
//   post-client  / post-secret   (client_secret_post: a Basic attempt is rejected)
// The built-in dev interactions render the login and consent forms; any login name signs in as that
// account, with the claims below.
import net from 'node:net';
import Provider from 'oidc-provider';

const redirectUri = process.argv[2];
if (!redirectUri) {
  console.error('usage: node server.mjs <redirect_uri>');
  process.exit(2);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const port = await freePort();
const issuer = `http://127.0.0.1:${port}`;

const client = (id, secret, method) => ({
  client_id: id,
  client_secret: secret,
  redirect_uris: [redirectUri],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  token_endpoint_auth_method: method,
});

const provider = new Provider(issuer, {
  clients: [
    client('basic-client', 'basic-secret', 'client_secret_basic'),
    client('post-client', 'post-secret', 'client_secret_post'),
  ],
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return {
          sub: id,
          email: `${id}@example.com`,
          email_verified: true,
          name: 'Test User',
          preferred_username: id,
          picture: `${issuer}/avatar.png`,
        };
      },
    };
  },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'preferred_username', 'picture'],
  },
  conformIdTokenClaims: false,
  cookies: { keys: ['ferrobase-test-cookie-key'] },
  features: { devInteractions: { enabled: true } },
});
provider.proxy = false;

provider.listen(port, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ issuer }) + '\n');
});
