// A real OpenID Provider for the portal's single sign-on tests: the certified oidc-provider
// package (pinned by package-lock.json, installed by `make test`), started by
// tests/oidc_server.py on a free loopback port. Never a production set-up: in-memory storage,
// the package's development keys and its development sign-in pages ("devInteractions").
//
//   node server.js <port>
//
// Environment: OIDC_TEST_REDIRECTS, a JSON object {"customers": [uri, ...], "suppliers":
// [uri, ...]}: the redirect URIs each client may use (the portal's callback addresses).
//
// Accounts: whatever is typed as the login is the account (the password is ignored):
//   alice@customers.example        sub = the login, email = the login, email_verified true,
//                                  name "Alice" (from the local part; "noname" in it: no name)
//   unverified:bob@example.com     email bob@example.com with email_verified false
import { Provider } from "oidc-provider";

const port = Number(process.argv[2] || process.env.PORT);
if (!Number.isInteger(port) || port <= 0) {
  console.error("usage: node server.js <port>");
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;
const redirects = JSON.parse(process.env.OIDC_TEST_REDIRECTS || "{}");
const SCOPE = "openid email profile";

function claimsFor(accountId) {
  const unverified = accountId.startsWith("unverified:");
  const email = unverified ? accountId.slice("unverified:".length) : accountId;
  const local = email.split("@")[0];
  const claims = { sub: accountId, email, email_verified: !unverified };
  if (!local.includes("noname")) {
    claims.name = local
      .split(/[._-]+/)
      .filter(Boolean)
      .map((part) => part[0].toUpperCase() + part.slice(1))
      .join(" ");
  }
  return claims;
}

const client = (id) => ({
  client_id: id,
  client_secret: `${id}-secret`,
  redirect_uris: redirects[id] || [],
  grant_types: ["authorization_code"],
  response_types: ["code"],
  token_endpoint_auth_method: "client_secret_basic",
});

const provider = new Provider(issuer, {
  clients: [client("customers"), client("suppliers")],
  // PKCE for every client, confidential ones too: a portal that did not send a
  // code_challenge would be refused.
  pkce: { required: () => true },
  claims: {
    openid: ["sub"],
    email: ["email", "email_verified"],
    profile: ["name"],
  },
  cookies: { keys: ["portal-tests-only-not-secret"] },
  async findAccount(ctx, sub) {
    return {
      accountId: sub,
      async claims() {
        return claimsFor(sub);
      },
    };
  },
  // The portal is a first-party client: consent is given once the person has signed in, so
  // the flow is the sign-in page and back.
  async loadExistingGrant(ctx) {
    const grantId =
      ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      return ctx.oidc.provider.Grant.find(grantId);
    }
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope(SCOPE);
    await grant.save();
    return grant;
  },
  ttl: {
    AuthorizationCode: 60,
    AccessToken: 600,
    IdToken: 600,
    Interaction: 600,
    Session: 3600,
    Grant: 3600,
  },
});

provider.on("server_error", (ctx, error) => console.error("server_error", error));

const server = provider.listen(port, "127.0.0.1", () => {
  console.log(`oidc-provider listening on ${issuer}`);
});

for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
