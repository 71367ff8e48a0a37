// Development OpenID Connect provider for egov: the certified `oidc-provider` package with demo
// citizens at assurance levels 1 and 2. Started by `egov serve` (bundled mode) and by the tests.
//
// Loopback only. Configured from the environment:
//   OIDC_ISSUER        e.g. http://127.0.0.1:8010 (its port is the one listened on)
//   OIDC_CLIENTS       JSON array of client metadata, or OIDC_CLIENTS_FILE: a JSON file of them.
//                      An extra "id_token_ttl" (seconds) per client is honoured and not passed on.
//   OIDC_CITIZENS_FILE demo citizens (default: demo-citizens.json beside this file)
//   OIDC_JWKS_FILE     signing keys, made on first start (default: fresh keys each start)
//   OIDC_COOKIE_KEYS   comma-separated cookie signing keys (default: random each start)
//   OIDC_ID_TOKEN_TTL  seconds (default 600)
// Prints "READY <issuer>" on stdout once it listens.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// oidc-provider warns at every start about two things this development provider does on purpose:
// it runs on Debian's Node 20 (it asks for 22) and keeps its sessions in memory. Those two
// warnings only are left out of `egov serve`'s console; the package is imported after the filter.
const expected = [
  'oidc-provider WARNING: Unsupported runtime.',
  'oidc-provider WARNING: a quick start development-only in-memory adapter',
];
const warn = console.warn;
console.warn = (...args) => {
  if (typeof args[0] === 'string' && expected.some((text) => args[0].includes(text))) return;
  warn(...args);
};
const { default: Provider } = await import('oidc-provider');

const here = path.dirname(fileURLToPath(import.meta.url));
const env = process.env;

const LOA1 = 'urn:egov:loa:1';
const LOA2 = 'urn:egov:loa:2';

const issuer = env.OIDC_ISSUER || 'http://127.0.0.1:8010';
const issuerUrl = new URL(issuer);
if (!['127.0.0.1', 'localhost', '[::1]'].includes(issuerUrl.hostname)) {
  console.error(`OIDC_ISSUER must be a loopback address, not ${issuerUrl.hostname}`);
  process.exit(2);
}
const port = Number(issuerUrl.port || 80);

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

const clientsRaw = env.OIDC_CLIENTS
  ? JSON.parse(env.OIDC_CLIENTS)
  : env.OIDC_CLIENTS_FILE ? readJson(env.OIDC_CLIENTS_FILE) : [];
const idTokenTtlByClient = new Map();
const clients = clientsRaw.map(({ id_token_ttl: ttl, ...metadata }) => {
  if (ttl !== undefined) idTokenTtlByClient.set(metadata.client_id, Number(ttl));
  return {
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    ...metadata,
  };
});

const citizens = readJson(env.OIDC_CITIZENS_FILE || path.join(here, 'demo-citizens.json'));
const bySub = new Map(citizens.map((c) => [c.sub, c]));
const byLogin = new Map(citizens.map((c) => [c.login, c]));

function signingKeys() {
  const make = () => {
    const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = privateKey.export({ format: 'jwk' });
    return { ...jwk, kid: crypto.randomBytes(8).toString('hex'), use: 'sig', alg: 'RS256' };
  };
  const file = env.OIDC_JWKS_FILE;
  if (!file) return { keys: [make()] };
  if (fs.existsSync(file)) return readJson(file);
  const jwks = { keys: [make()] };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(jwks), { mode: 0o600 });
  return jwks;
}

const cookieKeys = env.OIDC_COOKIE_KEYS
  ? env.OIDC_COOKIE_KEYS.split(',')
  : [crypto.randomBytes(32).toString('hex')];

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title, body) {
  return `<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title>
<style>body{font-family:sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem}
label{display:block;margin-top:.8rem}input{width:100%;padding:.4rem}button{margin-top:1rem;padding:.5rem 1rem}
.error{color:#a00}</style></head><body>
<header><p><strong>egov demo e-ID</strong> (nhà cung cấp định danh thử nghiệm)</p></header>
<main><h1>${escape(title)}</h1>${body}</main></body></html>`;
}

// oidc-provider refuses outgoing requests to loopback addresses (SSRF protection). egov listens on
// loopback here, so the back-channel logout URIs of the configured clients, and only those, may.
const trustedOrigins = new Set(
  clients.filter((c) => c.backchannel_logout_uri).map((c) => new URL(c.backchannel_logout_uri).origin),
);

const configuration = {
  clients,
  fetch(url, options) {
    if (trustedOrigins.has(new URL(url).origin)) {
      const { dispatcher, ...rest } = options; // eslint-disable-line no-unused-vars
      return globalThis.fetch(url, rest);
    }
    return globalThis.fetch(url, options);
  },
  jwks: signingKeys(),
  cookies: { keys: cookieKeys },
  acrValues: [LOA1, LOA2],
  scopes: ['openid', 'profile', 'email', 'phone', 'address', 'citizen'],
  claims: {
    acr: null,
    sid: null,
    auth_time: null,
    iss: null,
    openid: ['sub'],
    profile: ['name', 'birthdate'],
    email: ['email', 'email_verified'],
    phone: ['phone_number', 'phone_number_verified'],
    address: ['address'],
    citizen: ['personal_id_number', 'business_representations'],
  },
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: false },
    backchannelLogout: { enabled: true },
    claimsParameter: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        ctx.body = page(
          'Đăng xuất',
          `${form}<p>Bạn có muốn đăng xuất khỏi nhà cung cấp định danh không?</p>
<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Đăng xuất</button>
<button type="submit" form="op.logoutForm">Không</button>`,
        );
      },
      async postLogoutSuccessSource(ctx) {
        ctx.body = page('Đã đăng xuất', '<p>Bạn đã đăng xuất.</p>');
      },
    },
  },
  ttl: {
    AccessToken: 300,
    AuthorizationCode: 60,
    IdToken: (ctx, token, client) =>
      idTokenTtlByClient.get(client?.clientId) ?? Number(env.OIDC_ID_TOKEN_TTL || 600),
    Interaction: 600,
    Session: 8 * 3600,
    Grant: 8 * 3600,
  },
  async findAccount(ctx, sub) {
    const citizen = bySub.get(sub);
    if (!citizen) return undefined;
    return {
      accountId: sub,
      async claims() {
        const claims = {
          sub,
          name: citizen.name,
          birthdate: citizen.birthdate,
          personal_id_number: citizen.personal_id_number,
        };
        if (citizen.email) Object.assign(claims, { email: citizen.email, email_verified: true });
        if (citizen.phone_number) {
          Object.assign(claims, { phone_number: citizen.phone_number, phone_number_verified: true });
        }
        if (citizen.address) claims.address = citizen.address;
        if (citizen.business_representations) {
          claims.business_representations = citizen.business_representations;
        }
        return claims;
      },
    };
  },
  async renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = page(
      'Lỗi',
      Object.entries(out).map(([k, v]) => `<p><strong>${escape(k)}</strong>: ${escape(v)}</p>`).join(''),
    );
  },
};

const provider = new Provider(issuer, configuration);
provider.proxy = false;

async function readForm(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 65536) throw new Error('form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(res, status, html) {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'x-frame-options': 'DENY',
  });
  res.end(html);
}

function wantsLevel2(params) {
  const acr = String(params.acr_values || '').split(' ');
  if (acr.includes(LOA2)) return true;
  try {
    const claims = params.claims ? JSON.parse(params.claims) : {};
    const asked = claims.id_token?.acr;
    return Boolean(asked && (asked.value === LOA2 || asked.values?.includes(LOA2)));
  } catch {
    return false;
  }
}

function loginForm(uid, params, error) {
  const level2 = wantsLevel2(params);
  return page(
    level2 ? 'Đăng nhập mức độ 2' : 'Đăng nhập',
    `${error ? `<p class="error" role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login" autocomplete="off">
<label for="login">Số định danh cá nhân</label><input id="login" name="login" required autofocus>
<label for="password">Mật khẩu</label><input id="password" name="password" type="password" required>
${level2 ? '<label for="otp">Mã xác thực (OTP)</label><input id="otp" name="otp" inputmode="numeric" required>' : ''}
<button type="submit">Đăng nhập</button></form>
<form method="post" action="/interaction/${escape(uid)}/abort"><button type="submit">Hủy</button></form>`,
  );
}

function consentForm(uid, details) {
  const scopes = [...(details.prompt.details.missingOIDCScope || [])];
  return page(
    'Cho phép chia sẻ thông tin',
    `<p>Ứng dụng <strong>${escape(details.params.client_id)}</strong> yêu cầu: ${escape(scopes.join(', '))}</p>
<form method="post" action="/interaction/${escape(uid)}/confirm"><button type="submit" autofocus>Đồng ý</button></form>
<form method="post" action="/interaction/${escape(uid)}/abort"><button type="submit">Từ chối</button></form>`,
  );
}

function safeEqual(a, b) {
  const x = Buffer.from(String(a));
  const y = Buffer.from(String(b));
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) return send(res, 400, page('Lỗi', '<p>Phiên không hợp lệ.</p>'));
  const { prompt, params } = details;
  if (req.method === 'GET') {
    if (prompt.name === 'login') return send(res, 200, loginForm(uid, params));
    if (prompt.name === 'consent') return send(res, 200, consentForm(uid, details));
    return send(res, 400, page('Lỗi', '<p>Yêu cầu không được hỗ trợ.</p>'));
  }
  if (req.method !== 'POST') return send(res, 405, page('Lỗi', '<p>Phương thức không hợp lệ.</p>'));
  const form = await readForm(req);
  if (action === 'abort') {
    return provider.interactionFinished(req, res, {
      error: 'access_denied',
      error_description: 'End-User aborted interaction',
    }, { mergeWithLastSubmission: false });
  }
  if (action === 'login' && prompt.name === 'login') {
    const citizen = byLogin.get(form.get('login') || '');
    if (!citizen || !safeEqual(citizen.password, form.get('password') || '')) {
      return send(res, 200, loginForm(uid, params, 'Số định danh hoặc mật khẩu không đúng.'));
    }
    let acr = LOA1;
    const amr = ['pwd'];
    if (wantsLevel2(params)) {
      if (citizen.level < 2) {
        return send(res, 200, loginForm(uid, params,
          'Tài khoản này chỉ có định danh mức độ 1; hãy kích hoạt mức độ 2.'));
      }
      if (!citizen.otp || !safeEqual(citizen.otp, form.get('otp') || '')) {
        return send(res, 200, loginForm(uid, params, 'Mã xác thực không đúng.'));
      }
      acr = LOA2;
      amr.push('otp');
    }
    return provider.interactionFinished(req, res, {
      login: { accountId: citizen.sub, acr, amr },
    }, { mergeWithLastSubmission: false });
  }
  if (action === 'confirm' && prompt.name === 'consent') {
    const { grantId, session } = details;
    const grant = grantId
      ? await provider.Grant.find(grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    const missing = prompt.details;
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes || {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    const saved = await grant.save();
    return provider.interactionFinished(req, res, {
      consent: grantId ? {} : { grantId: saved },
    }, { mergeWithLastSubmission: true });
  }
  return send(res, 400, page('Lỗi', '<p>Yêu cầu không hợp lệ.</p>'));
}

const oidc = provider.callback();
const server = http.createServer(async (req, res) => {
  const match = /^\/interaction\/([\w-]+)(?:\/(login|confirm|abort))?$/.exec(
    new URL(req.url, issuer).pathname,
  );
  if (!match) return oidc(req, res);
  try {
    return await interaction(req, res, match[1], match[2]);
  } catch (err) {
    // Ids and error names only: never the citizen's data.
    console.error(`interaction ${match[1]}: ${err.name}: ${err.message}`);
    return send(res, 400, page('Lỗi', '<p>Phiên đăng nhập đã hết hạn hoặc không hợp lệ.</p>'));
  }
});

server.on('error', (err) => {
  // One sentence, not Node's stack trace: `egov serve` goes on without citizen login.
  const reason = err.code === 'EADDRINUSE' ? 'is in use by another program' : `failed: ${err.code || err.message}`;
  console.error(`egov demo e-ID provider: port ${port} on 127.0.0.1 ${reason}.`);
  process.exit(1);
});
server.listen(port, '127.0.0.1', () => {
  console.log(`READY ${issuer}`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}

// Failures are logged by client id and error name only.
provider.on('backchannel.error', (ctx, err, client) => {
  console.error(`back-channel logout to ${client.clientId} failed: ${err.name}: ${err.message} ${err.cause?.code || err.cause?.message || ""}`);
});
provider.on('server_error', (ctx, err) => {
  console.error(`server error: ${err.name}: ${err.message}`);
});
