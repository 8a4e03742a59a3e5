// SPDX-License-Identifier: Apache-2.0
// A local OpenID provider for invqr's sign-in tests, configured the way the
// Italian CIE and SPID OpenID Connect providers treat a relying party:
// authorization code flow only, PKCE with S256 required, the client
// authenticated by a JWT signed with its own private key (private_key_jwt),
// the fiscal code in the claim https://attributes.eid.gov.it/fiscal_number as
// "TINIT-<CF>", plus given_name and family_name, and RP-initiated logout.
//
// Not a federation: no OpenID Federation 1.0 trust chain, no entity
// statements (docs/identity.md says what a real SPID/CIE deployment needs).
//
//   node provider.mjs CONFIG.json
//
// CONFIG.json: {"port", "issuer", "clients": [{"client_id", "redirect_uris",
// "post_logout_redirect_uris", "public_key_file", "kid"}]}. The person who
// signs in is whoever the tester types on the login page (/interaction/UID):
// fiscal code, given name, family name. On start it prints "listening URL".
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { URL } from 'node:url';

import Provider from 'oidc-provider';

const FISCAL = 'https://attributes.eid.gov.it/fiscal_number';
const conf = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));

// people who signed in here, by account id (derived from the fiscal code)
const people = new Map();

function accountId(cf) {
  return crypto.createHash('sha256').update(`invqr-test:${cf}`).digest('hex').slice(0, 32);
}

function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title, body) {
  return `<!DOCTYPE html>
<html lang="it">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} - Provider di prova</title>
<style>
body{font-family:sans-serif;margin:2rem auto;max-width:32rem;padding:0 1rem;color:#1a1a1a}
label{display:block;margin-top:1rem;font-weight:bold}
input{font-size:1rem;padding:.4rem;width:100%;box-sizing:border-box}
button{font-size:1rem;margin-top:1rem;margin-right:.5rem;padding:.5rem 1rem;background:#0b4ea2;color:#fff;border:0}
button.secondary{background:#fff;color:#0b4ea2;border:1px solid #0b4ea2}
</style>
</head>
<body>
<main id="main">
<h1>${esc(title)}</h1>
${body}
</main>
</body>
</html>`;
}

function clientJwks(c) {
  const jwk = crypto.createPublicKey(fs.readFileSync(c.public_key_file)).export({ format: 'jwk' });
  return { keys: [{ ...jwk, kid: c.kid, use: 'sig', alg: 'RS256' }] };
}

const signing = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const opKey = { ...signing.privateKey.export({ format: 'jwk' }), kid: 'op-1', use: 'sig', alg: 'RS256' };

const provider = new Provider(conf.issuer, {
  clients: conf.clients.map((c) => ({
    client_id: c.client_id,
    application_type: 'web',
    grant_types: ['authorization_code'],
    response_types: ['code'],
    redirect_uris: c.redirect_uris,
    post_logout_redirect_uris: c.post_logout_redirect_uris,
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: 'RS256',
    id_token_signed_response_alg: 'RS256',
    jwks: clientJwks(c),
  })),
  clientAuthMethods: ['private_key_jwt'],
  responseTypes: ['code'],
  pkce: { methods: ['S256'], required: () => true },
  jwks: { keys: [opKey] },
  cookies: {
    keys: [crypto.randomBytes(32).toString('hex')],
    // over http on loopback: SameSite=None would need Secure, so Lax
    long: { httpOnly: true, sameSite: 'lax', signed: true },
    short: { httpOnly: true, sameSite: 'lax', signed: true },
  },
  scopes: ['openid', 'profile'],
  claims: { openid: ['sub'], profile: ['given_name', 'family_name', FISCAL] },
  async findAccount(ctx, id) {
    const who = people.get(id);
    if (!who) return undefined;
    return {
      accountId: id,
      async claims() {
        return {
          sub: id,
          given_name: who.given_name,
          family_name: who.family_name,
          [FISCAL]: `TINIT-${who.fiscal_code}`,
        };
      },
    };
  },
  // a public administration's own service: no consent screen
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid profile');
    grant.addOIDCClaims(['given_name', 'family_name', FISCAL]);
    await grant.save();
    return grant;
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        ctx.body = page('Vuoi uscire?', `<p>Esci dal provider di identità di prova.</p>
${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes">Sì, esci</button>
<button type="submit" form="op.logoutForm" class="secondary">No, resta collegato</button>`);
      },
      async postLogoutSuccessSource(ctx) {
        ctx.body = page('Sei uscito', '<p>Sei uscito dal provider di identità di prova.</p>');
      },
    },
  },
  async renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = page('Errore', `<p data-error="${esc(out.error)}">${esc(out.error)}: ${esc(out.error_description || '')}</p>`);
  },
});

function loginForm(uid, error) {
  return page('Accedi', `${error ? `<p role="alert" id="error">${esc(error)}</p>` : ''}
<form method="post" action="/interaction/${esc(uid)}/login" autocomplete="off">
<label for="fiscal_code">Codice fiscale</label>
<input id="fiscal_code" name="fiscal_code" required maxlength="16">
<label for="given_name">Nome</label>
<input id="given_name" name="given_name" required maxlength="100">
<label for="family_name">Cognome</label>
<input id="family_name" name="family_name" required maxlength="100">
<button type="submit" id="sign_in">Entra</button>
</form>`);
}

function readForm(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => {
      body += d;
      if (body.length > 4096) reject(new Error('form too large'));
    });
    req.on('end', () => resolve(new URLSearchParams(body)));
    req.on('error', reject);
  });
}

function send(res, status, html) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}

const callback = provider.callback();
const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, conf.issuer);
  const m = url.pathname.match(/^\/interaction\/([A-Za-z0-9_-]+)(\/login)?$/);
  if (!m) {
    callback(req, res);
    return;
  }
  try {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== m[1]) throw new Error('interaction mismatch');
    if (!m[2] && req.method === 'GET') {
      send(res, 200, loginForm(details.uid));
      return;
    }
    if (!m[2] || req.method !== 'POST') {
      send(res, 405, page('Errore', '<p>Metodo non ammesso.</p>'));
      return;
    }
    const form = await readForm(req);
    const cf = (form.get('fiscal_code') || '').trim().toUpperCase();
    const given = (form.get('given_name') || '').trim();
    const family = (form.get('family_name') || '').trim();
    if (!/^[A-Z0-9]{16}$/.test(cf) || !given || !family) {
      send(res, 400, loginForm(details.uid, 'Scrivi un codice fiscale di 16 caratteri, il nome e il cognome.'));
      return;
    }
    const id = accountId(cf);
    people.set(id, { fiscal_code: cf, given_name: given, family_name: family });
    await provider.interactionFinished(req, res, { login: { accountId: id } },
      { mergeWithLastSubmission: false });
  } catch (err) {
    send(res, 400, page('Errore', `<p>${esc(err.message)}</p>`));
  }
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
server.listen(conf.port, '127.0.0.1', () => {
  process.stdout.write(`listening ${conf.issuer}\n`);
});
