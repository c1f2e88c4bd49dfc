// The OpenID provider of the sign-in tests: the real, certified `oidc-provider` (not a fake),
// started by tests/sign_in/idp.py on a loopback port, with one test-only addition: a tampering
// hook for the negative tests.
//
// What it runs:
// - a static confidential client (client_id/secret, the exact redirect URIs and post-logout
//   redirect URIs of the app under test), PKCE required;
// - devInteractions, the provider's built-in login form: any login name is the account id, and
//   the account's email is that name (email_verified false for names starting "unverified");
// - consent granted by loadExistingGrant, so a flow needs no consent click;
// - the signing keys given by the test (JWKS in the config), so the test knows the private key.
//
// The tampering hook (POST /__test/tamper {"mode": ...}): the next /token answer's id_token is
// rewritten and signed again, as an attacker or a broken IdP would hand it out. Modes:
//   wrong_aud, wrong_iss, expired, wrong_nonce   changed claims, signed with the provider's key
//   foreign_key    the claims untouched, signed by another key under the provider's key id
//   unknown_key    signed by another key under a key id the JWKS does not have
//   rotated_key    signed by a second key that the JWKS publishes from now on (a key rotation)
// Everything else is the provider's own behaviour, refusals included (an unregistered
// redirect_uri is its error page, not ours).
//
// Config: a JSON file named by the first argument (see tests/sign_in/idp.py). Prints one JSON
// line {"issuer": ...} on stdout once listening; stops on SIGTERM or when stdin closes.

import { readFileSync } from 'node:fs';
import http from 'node:http';

import { SignJWT, decodeJwt, decodeProtectedHeader, importJWK } from 'jose';
import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const signingKey = config.jwks.keys[0];
const publicOf = ({ d, p, q, dp, dq, qi, ...rest }) => rest;

const tamper = { mode: null, rotated: false };

function account(id) {
  return {
    accountId: id,
    async claims() {
      return {
        sub: id,
        email: id,
        email_verified: !id.startsWith('unverified'),
        name: `Test ${id.split('@')[0]}`,
      };
    },
  };
}

async function resign(idToken, mode) {
  const header = decodeProtectedHeader(idToken);
  const payload = decodeJwt(idToken);
  const now = Math.floor(Date.now() / 1000);
  let key = signingKey;
  let kid = header.kid;
  switch (mode) {
    case 'wrong_aud': payload.aud = 'someone-else'; delete payload.azp; break;
    case 'wrong_iss': payload.iss = 'http://127.0.0.1:9/not-the-issuer'; break;
    case 'expired': payload.iat = now - 7200; payload.exp = now - 3600; break;
    case 'wrong_nonce': payload.nonce = 'not-the-nonce-of-this-sign-in'; break;
    case 'foreign_key': key = config.foreign_jwk; break;
    case 'unknown_key': key = config.foreign_jwk; kid = 'not-in-the-jwks'; break;
    case 'rotated_key': key = config.rotated_jwk; kid = config.rotated_jwk.kid; tamper.rotated = true; break;
    default: throw new Error(`unknown tamper mode ${mode}`);
  }
  return new SignJWT(payload)
    .setProtectedHeader({ alg: header.alg, kid, typ: header.typ })
    .sign(await importJWK(key, header.alg));
}

async function readJson(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
}

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: config.client.client_id,
      client_secret: config.client.client_secret,
      redirect_uris: config.client.redirect_uris,
      post_logout_redirect_uris: config.client.post_logout_redirect_uris,
      response_types: ['code'],
      grant_types: ['authorization_code'],
    }],
    jwks: config.jwks,
    cookies: { keys: [config.cookie_key] },
    pkce: { required: () => true },
    // Claims of the requested scopes in the ID token too, as Google, Okta and Entra put them.
    conformIdTokenClaims: false,
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
    findAccount: async (ctx, id) => account(id),
    // Consent is given: the grant of this session, or a new one for the scopes asked.
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId
        || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope(ctx.oidc.params.scope);
      await grant.save();
      return grant;
    },
  });
  provider.use(async (ctx, next) => {
    if (ctx.path === '/__test/tamper' && ctx.method === 'POST') {
      tamper.mode = (await readJson(ctx.req)).mode ?? null;
      ctx.status = 204;
      return;
    }
    await next();
    if (ctx.path === '/token' && tamper.mode && ctx.body?.id_token) {
      const mode = tamper.mode;
      tamper.mode = null; // one token only
      ctx.body = { ...ctx.body, id_token: await resign(ctx.body.id_token, mode) };
    }
    if (ctx.path === '/jwks' && tamper.rotated && ctx.body?.keys) {
      ctx.body = { keys: [...ctx.body.keys, publicOf(config.rotated_jwk)] };
    }
  });
  server.on('request', provider.callback());
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});

const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();
